//! The community-safety team's console (`/admin`) and the reporting API (`/api`).
//!
//! Access is enforced in one place: every protected route is listed in `ROUTES` with the least
//! role it needs, and `guard` runs on all of them. A route missing from the table is refused.

mod calendar;
mod calendar_feed;
pub use calendar::set_paused_audited;
mod campaign;
mod campaign_feedback;
mod dashboard;
mod describe;
mod editor;
pub use dashboard::mask_addresses;
mod login;
mod password;
mod reach;
pub use reach::{PeriodQuery, report as reach_report};
mod reliability;
mod routes;
pub use routes::{ROUTES, Rule};
mod send;
mod subscriber_actions;
pub use send::audit_send;
mod subscribers;
pub use subscribers::audit_import;
mod users;

use super::guard::Peer;
use super::{AppState, Error, Explain, pages};
use crate::auth::token::secret_hash;
use crate::domain::Role;
use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "beacon_session";

/// Who is making this request, put in place by `guard`.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: Option<i64>,
    pub actor: String,
    pub email: Option<String>,
    pub role: Role,
    /// The session's CSRF token; `None` for API tokens (not sent by browsers on their own).
    pub csrf: Option<String>,
    pub ip: Option<String>,
    /// Signed in with a one-time password: may only choose a new one (or sign out).
    pub must_change_password: bool,
    /// The SHA-256 of the session cookie, kept when the password changes.
    pub session: Option<String>,
}

impl Staff {
    pub async fn audit(&self, state: &AppState, action: &str, detail: Option<&str>) {
        if let Err(e) = state
            .store
            .audit(
                self.user_id,
                &self.actor,
                action,
                detail,
                self.ip.as_deref(),
                Utc::now(),
            )
            .await
        {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }

    pub fn csrf(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }

    pub fn can(&self, role: Role) -> bool {
        self.role.allows(role)
    }
}

pub fn router(state: AppState) -> Router<AppState> {
    let protected = Router::new()
        .route("/admin", get(dashboard::show))
        .route("/admin/logout", post(login::logout))
        .route(
            "/admin/password",
            get(password::show).post(password::change),
        )
        .route("/admin/calendar", get(calendar::show))
        .route("/admin/calendar.ics", get(calendar::ics))
        .route("/admin/calendar/feed", post(calendar_feed::make))
        .route("/admin/calendar/feed/revoke", post(calendar_feed::revoke))
        .route("/admin/campaigns/{slug}", get(campaign::show))
        .route("/admin/campaigns/{slug}/preview", get(campaign::preview))
        .route("/admin/campaigns/{slug}/pause", post(calendar::pause))
        .route("/admin/campaigns/{slug}/resume", post(calendar::resume))
        .route("/admin/campaigns/{slug}/test", post(campaign::test))
        .route(
            "/admin/campaigns/{slug}/send",
            get(send::confirm).post(send::send),
        )
        .route(
            "/admin/campaigns/{slug}/comments/{id}/hide",
            post(campaign_feedback::hide),
        )
        .route("/admin/editor", get(editor::list).post(editor::submit))
        .route("/admin/editor/new", get(editor::new))
        .route("/admin/editor/email", post(editor::email))
        .route("/admin/editor/{slug}", get(editor::edit))
        .route("/admin/editor/{slug}/duplicate", get(editor::duplicate))
        .route("/admin/editor/{slug}/history", get(editor::history))
        .route("/admin/editor/{slug}/history/{id}", get(editor::diff))
        .route("/admin/editor/{slug}/restore", post(editor::restore))
        .route("/admin/editor/{slug}/approve", post(editor::approve))
        .route("/admin/editor/{slug}/reject", post(editor::reject))
        .route("/admin/subscribers", get(subscribers::show))
        .route("/admin/subscribers/lookup", get(subscribers::lookup))
        .route(
            "/admin/subscribers/unsubscribe",
            post(subscriber_actions::unsubscribe),
        )
        .route(
            "/admin/subscribers/resend-link",
            post(subscriber_actions::resend_link),
        )
        .route(
            "/admin/subscribers/unsuppress",
            post(reliability::unsuppress),
        )
        .route(
            "/admin/channels/{channel}/resume",
            post(reliability::resume_channel),
        )
        .route("/admin/reach", get(reach::show))
        .route("/admin/reach.csv", get(reach::csv))
        .route("/admin/reach.html", get(reach::board))
        .route("/admin/audit", get(dashboard::audit))
        .route("/admin/users", get(users::show).post(users::add))
        .route("/admin/users/disable", post(users::disable))
        .route("/admin/users/unlock", post(users::unlock))
        .route("/admin/users/tokens/revoke", post(users::revoke_token))
        .route_layer(axum::middleware::from_fn_with_state(state, guard));
    Router::new()
        .route("/admin/login", get(login::show).post(login::submit))
        // A calendar app cannot sign in: the secret in the address is the credential.
        .route("/admin/calendar/feed/{file}", get(calendar_feed::serve))
        .merge(protected)
}

/// The largest body the console's CSV import takes.
pub const UPLOAD_LIMIT: usize = 4 * 1024 * 1024;

/// The CSV import, the one route taking more than the site-wide body limit: kept apart so
/// that limit does not wrap it.
pub fn upload_router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin/subscribers/import", post(subscribers::import))
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(UPLOAD_LIMIT))
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
}

fn forbidden() -> Error {
    Error::Forbidden(Explain::new(
        "You do not have permission to do this",
        "Your account's role does not allow it. Ask an administrator if you need it.",
    ))
}

/// Authenticates (session cookie or `Authorization: Bearer`), checks the route's role, and for
/// form posts on a session checks the CSRF token, before any handler runs.
pub(crate) async fn guard(
    State(state): State<AppState>,
    peer: Peer,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> crate::web::Result {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let method = req.method().clone();
    // HEAD is a GET without the body: allowed wherever GET is.
    let as_rule = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    let Some(rule) = ROUTES
        .iter()
        .find(|r| r.path == path && r.method == as_rule)
    else {
        if ROUTES.iter().any(|r| r.path == path) {
            // A method the route does not take (DELETE on a page): the visitor's mistake.
            tracing::debug!(%path, %method, "method not allowed");
            return Ok(StatusCode::METHOD_NOT_ALLOWED.into_response());
        }
        tracing::error!(%path, %method, "route missing from the access table; refused");
        return Err(forbidden());
    };
    let now = Utc::now();
    let ip = state
        .client_ip(req.headers(), &peer)
        .map(|ip| ip.to_string());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // API tokens open `/api/` only: the console, user management above all, needs a person
    // signed in with a session (and its CSRF token). A token sent to the console is ignored.
    let staff = if let Some(token) = bearer.filter(|_| is_api) {
        match state.store.api_token(&secret_hash(token)).await? {
            Some((name, role)) => role.parse::<Role>().ok().map(|role| Staff {
                user_id: None,
                actor: format!("token:{name}"),
                email: None,
                role,
                csrf: None,
                ip: ip.clone(),
                must_change_password: false,
                session: None,
            }),
            None => None,
        }
    } else if let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value()) {
        match state.store.session(&secret_hash(secret), now).await? {
            Some(s) => s.role.parse::<Role>().ok().map(|role| Staff {
                user_id: Some(s.user_id),
                actor: s.email.clone(),
                email: Some(s.email),
                role,
                csrf: Some(s.csrf_token),
                ip: ip.clone(),
                must_change_password: s.must_change_password,
                session: Some(secret_hash(secret)),
            }),
            None => None,
        }
    } else {
        None
    };
    let Some(staff) = staff else {
        if is_api {
            return Err(Error::Unauthorized(Explain::new(
                "Sign in or send an API token",
                "This address needs an API token (`Authorization: Bearer …`) or a signed-in session.",
            )));
        }
        return Ok(Redirect::to("/admin/login").into_response());
    };
    if !staff.can(rule.role) {
        return Err(forbidden());
    }
    if staff.must_change_password && !matches!(rule.path, "/admin/password" | "/admin/logout") {
        return Ok(Redirect::to("/admin/password").into_response());
    }
    let mut req = req;
    if method == Method::POST
        && let Some(expected) = staff.csrf.clone()
    {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT)
            .await
            .map_err(|_| {
                Error::TooLarge(Explain::new(
                    "That is too much to send at once",
                    "Try a smaller file.",
                ))
            })?;
        let from_query = parts.uri.query().and_then(|q| csrf_field(q.as_bytes()));
        let sent = from_query.or_else(|| csrf_field(&bytes));
        if !sent.is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected.as_bytes()))) {
            return Err(Error::Forbidden(Explain::new(
                "This form has expired",
                "Go back, reload the page and try again.",
            )));
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    req.extensions_mut().insert(staff);
    // What staff and partners see (reports, previews, personal data) is never cached.
    let mut r = next.run(req).await;
    r.headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(header::HeaderValue::from_static("no-store"));
    Ok(r)
}

fn csrf_field(form: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(form)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
}

/// Renders an admin page, never cached.
pub fn render<T: askama::Template>(page: &T) -> Response {
    let mut r = pages::render(StatusCode::OK, page);
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// What every console page's layout needs.
pub struct Chrome {
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub section: &'static str,
}

impl Chrome {
    pub fn new(staff: &Staff, section: &'static str) -> Self {
        Chrome {
            email: staff.email.clone().unwrap_or_else(|| staff.actor.clone()),
            role: staff.role,
            csrf: staff.csrf().to_string(),
            section,
        }
    }

    pub fn is_editor(&self) -> bool {
        self.role.allows(Role::Editor)
    }

    pub fn is_admin(&self) -> bool {
        self.role.allows(Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_is_read_from_a_form_body() {
        assert_eq!(csrf_field(b"a=1&csrf=x%2By"), Some("x+y".into()));
        assert_eq!(csrf_field(b"a=1"), None);
    }
}
