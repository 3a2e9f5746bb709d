//! Problems under `/api/`: every error there is RFC 9457 `application/problem+json` with a
//! stable `type`, whether a handler described it (`Error`) or the router, an extractor or a
//! layer answered on its own; and nothing under `/api/` is cached.

use super::error::Problem;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Where every problem `type` URI starts; the error's kind follows (`urn:beacon:problem:not-found`).
pub const PROBLEM_TYPE_PREFIX: &str = "urn:beacon:problem:";

/// Every kind of problem the API answers with, for its OpenAPI document and README.
pub const PROBLEM_KINDS: &[&str] = &[
    "bad-request",
    "unauthorized",
    "forbidden",
    "not-found",
    "method-not-allowed",
    "timeout",
    "conflict",
    "gone",
    "too-large",
    "unsupported-media-type",
    "unprocessable",
    "too-many-requests",
    "internal",
    "unavailable",
];

/// The problem for an error response that no handler described: the router's own 404 and 405,
/// an extractor's rejection (400, 415, 422), the body limit's 413, the timeout's 408.
/// The stable problem `type` for a bare status, for pages that later become problem JSON.
pub(super) fn kind_of(status: StatusCode) -> &'static str {
    problem_of_status(status).kind
}

fn problem_of_status(status: StatusCode) -> Problem {
    let (kind, title, detail) = match status.as_u16() {
        400 => (
            "bad-request",
            "The request is not valid",
            "Check the parameters and the body against the API's OpenAPI document.",
        ),
        404 => (
            "not-found",
            "No such resource",
            "Check the address against the API's OpenAPI document at /api/v1/openapi.json.",
        ),
        405 => (
            "method-not-allowed",
            "Method not allowed",
            "This address does not take that method; the `Allow` header lists those it takes.",
        ),
        408 => (
            "timeout",
            "The request took too long",
            "Try again; nothing was changed unless the answer says so.",
        ),
        413 => (
            "too-large",
            "That is too much to send at once",
            "Send a smaller body.",
        ),
        415 => (
            "unsupported-media-type",
            "Unsupported content type",
            "Send the body with the content type the OpenAPI document names.",
        ),
        422 => (
            "unprocessable",
            "The body cannot be read",
            "Check the body against the API's OpenAPI document.",
        ),
        s if s >= 500 => (
            "internal",
            "Sorry, there is a problem with the service",
            "Please try again later.",
        ),
        _ => (
            "bad-request",
            "The request was refused",
            "Check the request against the API's OpenAPI document.",
        ),
    };
    Problem {
        kind,
        status,
        title,
        detail: detail.to_string(),
    }
}

/// Under `/api/`, every answer is never cached, and every error goes out as
/// `application/problem+json` (RFC 9457) with a stable `type` per kind, instead of a page.
pub async fn api_problems(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let r = next.run(req).await;
    if !api {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let described = parts.extensions.get::<Problem>().cloned();
    let p = match described {
        Some(p) => p,
        None if parts.status.is_client_error() || parts.status.is_server_error() => {
            problem_of_status(parts.status)
        }
        None => return Response::from_parts(parts, body),
    };
    let json = serde_json::json!({
        "type": format!("{PROBLEM_TYPE_PREFIX}{}", p.kind),
        "title": p.title,
        "status": p.status.as_u16(),
        "detail": p.detail,
        // The member the first API answered with; kept for its clients.
        "error": p.detail,
    })
    .to_string();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    // The page it replaces may have been compressed on its way out; the JSON is not.
    parts.headers.remove(header::CONTENT_ENCODING);
    Response::from_parts(parts, axum::body::Body::from(json))
}
