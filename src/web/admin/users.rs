//! Staff accounts, for admins: add (a one-time password is shown once) and disable.

use super::{AppState, Chrome, Staff};
use crate::auth::password;
use crate::domain::{Email, Role};
use crate::render::words::filters;
use crate::store::{ApiToken, StaffUser};
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::Form;
use chrono::Utc;

#[derive(askama::Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<StaffUser>,
    /// Accounts locked now, after repeated failed sign-ins.
    locked: Vec<String>,
    tokens: Vec<ApiToken>,
    error: String,
    email: String,
    added: String,
    once: String,
}

async fn page(state: &AppState, staff: &Staff) -> crate::web::Result<UsersPage> {
    let users = state.store.users().await?;
    let locked = state.store.locked_users(Utc::now()).await?;
    let tokens = state.store.api_tokens().await?;
    Ok(UsersPage {
        chrome: Chrome::new(staff, "users"),
        users,
        locked,
        tokens,
        error: String::new(),
        email: String::new(),
        added: String::new(),
        once: String::new(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    Ok(super::render(&page(&state, &staff).await?))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UserForm {
    email: String,
    role: String,
}

pub async fn add(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<UserForm>,
) -> crate::web::Result {
    let role = form.role.parse::<Role>();
    let email = Email::parse(&form.email);
    let once = password::generate();
    let outcome = match (&email, &role) {
        (Err(e), _) => Err(e.to_string()),
        (_, Err(_)) => Err("Choose a role".to_string()),
        (Ok(email), Ok(role)) => match password::hash(&once) {
            Err(e) => Err(e),
            Ok(hash) => state
                .store
                .add_user_once(email.as_str(), &hash, role.as_str(), Utc::now())
                .await
                .map_err(|_| format!("{email} already has an account")),
        },
    };
    if outcome.is_ok() {
        staff
            .audit(
                &state,
                "user.add",
                Some(&format!("{} as {}", form.email.trim(), form.role)),
            )
            .await;
    }
    let mut p = page(&state, &staff).await?;
    match outcome {
        Ok(_) => {
            p.added = email.map(|e| e.as_str().to_string()).unwrap_or_default();
            p.once = once;
        }
        Err(e) => {
            p.error = e;
            p.email = form.email;
        }
    }
    Ok(super::render(&p))
}

pub async fn disable(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<UserForm>,
) -> crate::web::Result {
    match state.store.set_user_disabled(&form.email, true).await {
        Ok(_) => {
            staff.audit(&state, "user.disable", Some(&form.email)).await;
            Ok(Redirect::to("/admin/users").into_response())
        }
        // Explained beside the form, where the admin can act on it.
        Err(crate::store::StoreError::Conflict(why)) => {
            let mut p = page(&state, &staff).await?;
            p.error = why;
            let mut r = super::render(&p);
            *r.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn unlock(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<UserForm>,
) -> crate::web::Result {
    if state.store.unlock_user(&form.email).await? {
        staff.audit(&state, "user.unlock", Some(&form.email)).await;
    }
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<TokenForm>,
) -> crate::web::Result {
    if state.store.revoke_api_token(&form.name, Utc::now()).await? {
        staff.audit(&state, "token.revoke", Some(&form.name)).await;
    }
    Ok(Redirect::to("/admin/users").into_response())
}
