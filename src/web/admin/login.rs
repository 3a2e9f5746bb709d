//! Staff sign-in and sign-out. One answer for every failure, so the form does not tell which
//! addresses have accounts; repeated failures lock the account for a while.

use super::{AppState, SESSION_COOKIE, Staff};
use crate::auth::password;
use crate::auth::token::{random_id, secret_hash};
use crate::store::{LOCK_AFTER_FAILURES, LOCK_MINUTES};
use crate::web::guard::Peer;
use crate::web::{Error, Explain, pages};
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
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
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> crate::web::Result {
    let client = state.client_ip(&headers, &peer);
    if !state.login_limit.check(client) {
        return Err(Error::TooMany {
            explain: Explain::new("Too many sign-in attempts", "Wait an hour and try again."),
            retry_after_secs: 3600,
        });
    }
    let now = Utc::now();
    let ip = client.map(|ip| ip.to_string());
    // Addresses are stored normalised (domain in lower case), as `beacon users add` wrote them.
    let email = crate::domain::Email::parse(&form.email)
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| form.email.trim().to_string());
    let creds = state.store.credentials(&email).await?;
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
            // The sign-in's answer does not wait on the audit log; a failure to write it is logged.
            if let Err(e) = state
                .store
                .audit(user, &email, action, None, ip.as_deref(), Utc::now())
                .await
            {
                tracing::error!(error = %e, action, "cannot write the audit log");
            }
        }
    };
    let Some(c) = creds else {
        audit("login.failed", None).await;
        return Ok(failed(&email));
    };
    let locked = c.locked_until.is_some_and(|t| t > now);
    if !matches || c.disabled || locked {
        // Counting the failure is what locks the account: if it cannot be counted, the
        // attempt is refused as unavailable rather than left uncounted.
        if !locked {
            state.store.login_failed(c.id, now).await?;
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
        return Ok(failed(&email));
    }
    let secret = format!("{}{}", random_id(), random_id());
    let csrf = random_id();
    state
        .store
        .create_session(
            &secret_hash(&secret),
            c.id,
            &csrf,
            ip.as_deref(),
            now + Duration::hours(SESSION_HOURS),
            now,
        )
        .await?;
    // Clearing the failure count is housekeeping: the session exists, so the sign-in stands.
    if let Err(e) = state.store.login_succeeded(c.id, now).await {
        tracing::error!(error = %e, user_id = c.id, "cannot clear failed sign-ins");
    }
    audit("login", Some(c.id)).await;
    let next = if c.must_change_password {
        // A one-time password works once: this session may only replace it.
        state.store.spend_one_time_password(c.id).await?;
        "/admin/password"
    } else {
        "/admin"
    };
    let cookie = session_cookie(secret, state.base_url().starts_with("https://"));
    Ok((jar.add(cookie), Redirect::to(next)).into_response())
}

/// The session cookie: never read by scripts, never sent by other sites, over https when the
/// site is served over https.
fn session_cookie(secret: String, https: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::hours(SESSION_HOURS))
        .secure(https)
        .build()
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    jar: CookieJar,
) -> crate::web::Result {
    // A session that cannot be ended must not look ended: the visitor is told to try again.
    if let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        state.store.end_session(&secret_hash(&secret)).await?;
    }
    staff.audit(&state, "logout", None).await;
    let gone = Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict);
    Ok((jar.remove(gone), Redirect::to("/admin/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure_over_https() {
        let c = session_cookie("s3cret".into(), true).to_string();
        for part in [
            "beacon_session=s3cret",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Max-Age=28800",
            "Secure",
        ] {
            assert!(c.split("; ").any(|p| p == part), "{part} in {c}");
        }
        assert!(
            !session_cookie("s".into(), false)
                .to_string()
                .contains("Secure")
        );
    }
}
