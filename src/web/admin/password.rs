//! "Change your password": for everyone signed in, and the only page a session opened with a
//! one-time password may use until it has chosen its own.

use super::{AppState, Chrome, Staff};
use crate::auth::password;
use crate::web::pages;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;

#[derive(askama::Template)]
#[template(path = "admin/password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    error: String,
    field: &'static str,
}

fn page(staff: &Staff, error: String, field: &'static str) -> PasswordPage {
    PasswordPage {
        chrome: Chrome::new(staff, "password"),
        forced: staff.must_change_password,
        error,
        field,
    }
}

pub async fn show(Extension(staff): Extension<Staff>) -> Response {
    super::render(&page(&staff, String::new(), ""))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

fn refused(staff: &Staff, error: String, field: &'static str) -> Response {
    let mut r = super::render(&page(staff, error, field));
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

pub async fn change(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let (Some(user_id), Some(email), Some(session)) =
        (staff.user_id, staff.email.clone(), staff.session.clone())
    else {
        return pages::not_found();
    };
    // A one-time password was spent at sign-in; otherwise the current one must be known.
    if !staff.must_change_password {
        let creds = match state.store.credentials(&email).await {
            Ok(Some(c)) => c,
            Ok(None) => return pages::not_found(),
            Err(e) => {
                tracing::error!(error = %e, "cannot read credentials");
                return pages::unavailable();
            }
        };
        let typed = form.current.clone();
        let ok =
            tokio::task::spawn_blocking(move || password::verify(&typed, &creds.password_hash))
                .await
                .unwrap_or(false);
        if !ok {
            return refused(
                &staff,
                "Your current password is not right".into(),
                "current",
            );
        }
    }
    if let Err(why) = password::acceptable(&form.new, &email) {
        return refused(&staff, why.to_string(), "new");
    }
    if form.new != form.confirm {
        return refused(
            &staff,
            "The two new passwords are not the same".into(),
            "confirm",
        );
    }
    let new = form.new;
    let hash = match tokio::task::spawn_blocking(move || password::hash(&new)).await {
        Ok(Ok(h)) => h,
        _ => return pages::unavailable(),
    };
    if let Err(e) = state.store.set_password(user_id, &hash, &session).await {
        tracing::error!(error = %e, "cannot set a password");
        return pages::unavailable();
    }
    staff.audit(&state, "password.change", None).await;
    Redirect::to("/admin").into_response()
}
