//! The one error type at the web edge. Handlers return `Result<_, web::Error>` and use `?`;
//! turning an error into a response logs its internal cause once (never shown to the visitor)
//! and renders the problem page, or RFC 9457 problem JSON for `/api/` (see `problem.rs`).

use super::pages;
use crate::store::StoreError;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// What a problem page says: a heading and a sentence on what to do next.
#[derive(Debug, Clone)]
pub struct Explain {
    pub heading: &'static str,
    pub message: Cow<'static, str>,
}

impl Explain {
    pub fn new(heading: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Explain {
            heading,
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `400 Bad Request`: a query the visitor can correct (a report period out of range).
    #[error("bad request")]
    BadRequest(Explain),
    /// `404 Not Found`: no such page, area, message or account ("Page not found").
    #[error("not found")]
    NotFound,
    /// `404 Not Found` in the page's own words: a link that is forged or incomplete.
    #[error("link not valid")]
    InvalidLink(Explain),
    /// `410 Gone`: a genuine link retired since it was sent.
    #[error("link gone")]
    Gone(Explain),
    /// `401 Unauthorized` (with `WWW-Authenticate: Bearer`): an API call without a known token.
    #[error("unauthorized")]
    Unauthorized(Explain),
    /// `403 Forbidden`: a role that does not allow it, a cross-site form, an expired CSRF token.
    #[error("forbidden")]
    Forbidden(Explain),
    /// `405 Method Not Allowed`: a form posted to a page that only shows, or the reverse.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// `409 Conflict`: the request clashes with what is stored (a unique constraint, a state).
    #[error("conflict")]
    Conflict(Explain),
    /// `413 Payload Too Large`.
    #[error("too large")]
    TooLarge(Explain),
    /// `422 Unprocessable Content`: a value the store's constraints refuse.
    #[error("unprocessable")]
    Unprocessable(Explain),
    /// `429 Too Many Requests`: a rate limit; `Retry-After` says when to come back.
    #[error("too many requests")]
    TooMany {
        explain: Explain,
        retry_after_secs: u32,
    },
    /// `503 Service Unavailable`: the database failed. "Nothing you sent has been lost."
    #[error("store: {0}")]
    Store(#[source] StoreError),
    /// `500 Internal Server Error`: anything else of ours that failed (a template, a document).
    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound | Error::InvalidLink(_) => StatusCode::NOT_FOUND,
            Error::Gone(_) => StatusCode::GONE,
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable name of this kind of error: the end of its problem `type` URI under `/api/`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::BadRequest(_) => "bad-request",
            Error::NotFound | Error::InvalidLink(_) => "not-found",
            Error::MethodNotAllowed => "method-not-allowed",
            Error::Gone(_) => "gone",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Conflict(_) => "conflict",
            Error::TooLarge(_) => "too-large",
            Error::Unprocessable(_) => "unprocessable",
            Error::TooMany { .. } => "too-many-requests",
            Error::Store(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    fn explain(&self) -> Explain {
        match self {
            Error::NotFound => Explain::new(
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link from an email, the link may be incomplete.",
            ),
            Error::MethodNotAllowed => Explain::new(
                "This page cannot do that",
                "The page exists, but not for what your browser asked of it. Go back to the page you came from and try again.",
            ),
            Error::BadRequest(x)
            | Error::InvalidLink(x)
            | Error::Gone(x)
            | Error::Unauthorized(x)
            | Error::Forbidden(x)
            | Error::Conflict(x)
            | Error::TooLarge(x)
            | Error::Unprocessable(x)
            | Error::TooMany { explain: x, .. } => x.clone(),
            Error::Store(_) | Error::Internal(_) => Explain::new(
                "Sorry, there is a problem with the service",
                "Please try again later. Nothing you sent has been lost.",
            ),
        }
    }
}

impl From<StoreError> for Error {
    /// The one place a store failure gets its status: constraint violations are the visitor's
    /// (409 for a clash, 422 for a refused value); everything else is ours (503).
    fn from(e: StoreError) -> Self {
        let clash = || {
            Explain::new(
                "That clashes with something already saved",
                "Reload the page to see what is saved now, and try again.",
            )
        };
        match &e {
            StoreError::Conflict(_) => Error::Conflict(clash()),
            StoreError::Db(sqlx::Error::Database(db)) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => Error::Conflict(clash()),
                sqlx::error::ErrorKind::CheckViolation
                | sqlx::error::ErrorKind::NotNullViolation
                | sqlx::error::ErrorKind::ForeignKeyViolation => {
                    Error::Unprocessable(Explain::new(
                        "That could not be saved",
                        "A value was not one we can keep. Check the form and try again.",
                    ))
                }
                _ => Error::Store(e),
            },
            _ => Error::Store(e),
        }
    }
}

/// The RFC 9457 body of an error, kept on its response so `problem::api_problems` can send it
/// as JSON.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    pub kind: &'static str,
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // The cause is logged here, once, in the request's span; the visitor sees only the page.
        match &self {
            Error::Store(e) => tracing::error!(error = %e, "database failed"),
            Error::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => tracing::debug!(%status, error = %self, "refused"),
        }
        let mut r = page(status, self.kind(), self.explain());
        let h = r.headers_mut();
        match &self {
            Error::Unauthorized(_) => {
                h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Error::TooMany {
                retry_after_secs, ..
            } => {
                h.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            _ => {}
        }
        r
    }
}

/// The problem page for `status`, carrying its RFC 9457 body for [`super::problem::api_problems`].
fn page(status: StatusCode, kind: &'static str, explain: Explain) -> Response {
    let mut r = pages::problem(status, explain.heading, &explain.message);
    r.extensions_mut().insert(Problem {
        kind,
        status,
        title: explain.heading,
        detail: explain.message.into_owned(),
    });
    r
}

/// Refusals made without a page (axum's 405, the body limit's 413, an extractor's rejection, a
/// template that failed) get the problem page for their status, keeping their headers (`Allow`,
/// `Retry-After`), so no visitor meets the browser's own blank error. Sits inside
/// [`super::problem::api_problems`], which turns the same page into problem JSON under `/api/`.
pub async fn friendly(req: Request, next: Next) -> Response {
    // The API answers in problem JSON of its own, written for scripts, not people.
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let r = next.run(req).await;
    let status = r.status();
    let plain = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|t| t.to_str().is_ok_and(|t| t.starts_with("text/plain")));
    if !(status.is_client_error() || status.is_server_error())
        || !plain
        || r.extensions().get::<Problem>().is_some()
    {
        return r;
    }
    let explain = match status {
        StatusCode::NOT_FOUND => Error::NotFound.explain(),
        StatusCode::METHOD_NOT_ALLOWED => Error::MethodNotAllowed.explain(),
        StatusCode::PAYLOAD_TOO_LARGE => Explain::new(
            "What you sent is too large",
            "Go back and send less: a shorter message or a smaller file.",
        ),
        StatusCode::TOO_MANY_REQUESTS => Explain::new(
            "Too many requests",
            "You have asked for a lot in a short time. Please wait a while and try again.",
        ),
        StatusCode::REQUEST_TIMEOUT => Explain::new(
            "That took too long",
            "Please try again. Nothing you sent has been lost.",
        ),
        s if s.is_server_error() => Error::Internal(String::new()).explain(),
        _ => Explain::new(
            "Sorry, we could not read that",
            "Go back, check the form or the link, and try again.",
        ),
    };
    let (parts, _) = r.into_parts();
    let mut out = page(status, super::problem::kind_of(status), explain);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests;
