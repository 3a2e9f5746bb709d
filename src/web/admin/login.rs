//! Staff sign-in and sign-out. One answer for every failure, so the form does not tell which
//! addresses have accounts; repeated failures lock the account for a while.

use super::{AppState, SESSION_COOKIE, Staff};
use crate::auth::password;
use crate::auth::token::{random_id, secret_hash};
use crate::store::{LOCK_AFTER_FAILURES, LOCK_MINUTES};
use crate::web::guard::Peer;
use crate::web::pages;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::{Duration, Utc};

const SESSION_HOURS: i64 = 8;

#[derive(askama::Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    error: String,
    email: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn show() -> Response {
    super::render(&LoginPage {
        error: String::new(),
        email: String::new(),
    })
}

fn failed(email: &str) -> Response {
    pages::render(
        StatusCode::UNAUTHORIZED,
        &LoginPage {
            error: format!(
                "The email address or password is not right. After {LOCK_AFTER_FAILURES} wrong tries an account is locked for {LOCK_MINUTES} minutes."
            ),
            email: email.to_string(),
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let client = state.client_ip(&headers, &peer);
    if !state.login_limit.check(client) {
        return pages::problem(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many sign-in attempts",
            "Wait an hour and try again.",
        );
    }
    let now = Utc::now();
    let ip = client.map(|ip| ip.to_string());
    // Addresses are stored normalised (domain in lower case), as `beacon users add` wrote them.
    let email = crate::domain::Email::parse(&form.email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| form.email.trim().to_string());
    let creds = match state.store.credentials(&email).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot read credentials");
            return pages::unavailable();
        }
    };
    let stored = creds.as_ref().map_or_else(
        || password::decoy_hash().to_string(),
        |c| c.password_hash.clone(),
    );
    let typed = form.password;
    // argon2 is deliberately slow: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || password::verify(&typed, &stored))
        .await
        .unwrap_or(false);
    let audit = |action: &'static str, user: Option<i64>| {
        let state = state.clone();
        // An address no account has is only what someone typed: not kept.
        let email = if user.is_some() {
            email.clone()
        } else {
            crate::store::UNKNOWN_ACTOR.to_string()
        };
        let ip = ip.clone();
        async move {
            let _ = state
                .store
                .audit(user, &email, action, None, ip.as_deref(), Utc::now())
                .await;
        }
    };
    let Some(c) = creds else {
        audit("login.failed", None).await;
        return failed(&email);
    };
    let locked = c.locked_until.is_some_and(|t| t > now);
    if !matches || c.disabled || locked {
        if !locked {
            let _ = state.store.login_failed(c.id, now).await;
        }
        audit(
            if locked {
                "login.locked"
            } else {
                "login.failed"
            },
            Some(c.id),
        )
        .await;
        return failed(&email);
    }
    let secret = format!("{}{}", random_id(), random_id());
    let csrf = random_id();
    if let Err(e) = state
        .store
        .create_session(
            &secret_hash(&secret),
            c.id,
            &csrf,
            ip.as_deref(),
            now + Duration::hours(SESSION_HOURS),
            now,
        )
        .await
    {
        tracing::error!(error = %e, "cannot create a session");
        return pages::unavailable();
    }
    let _ = state.store.login_succeeded(c.id, now).await;
    audit("login", Some(c.id)).await;
    let next = if c.must_change_password {
        // A one-time password works once: this session may only replace it.
        if let Err(e) = state.store.spend_one_time_password(c.id).await {
            tracing::error!(error = %e, "cannot spend a one-time password");
            return pages::unavailable();
        }
        "/admin/password"
    } else {
        "/admin"
    };
    let secure = if state.base_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        SESSION_HOURS * 3600
    );
    let mut r = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    headers: HeaderMap,
) -> Response {
    if let Some(secret) = super::cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.end_session(&secret_hash(secret)).await;
    }
    staff.audit(&state, "logout", None).await;
    let mut r = Redirect::to("/admin/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("beacon_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}
