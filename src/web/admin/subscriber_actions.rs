//! What an admin can do for a resident who phones in, after an exact look-up: unsubscribe
//! them, or send them a fresh manage link (which retires the old links). Each is audited by
//! the resident's number, never their address, and confirmed with a banner.

use super::subscribers::found_page;
use super::{AppState, Staff};
use crate::domain::Email;
use axum::Extension;
use axum::extract::State;
use axum_extra::extract::Form;
use chrono::Utc;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ResidentForm {
    email: String,
}

/// The resident the form names: (id, link version), if the exact address is known.
async fn resident(state: &AppState, email: &str) -> crate::web::Result<Option<(i64, i64)>> {
    match Email::parse(email) {
        Ok(e) => Ok(state.store.subscriber_by_email(e.as_str()).await?),
        Err(_) => Ok(None),
    }
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<ResidentForm>,
) -> crate::web::Result {
    let done = match resident(&state, &form.email).await? {
        Some((id, version)) if state.store.unsubscribe(id, version, Utc::now()).await? => {
            staff
                .audit(
                    &state,
                    "subscriber.unsubscribe",
                    Some(&format!("resident #{id}, asked by phone or in person")),
                )
                .await;
            Some((
                "Unsubscribed".to_string(),
                "They will get no more alerts. Anything already queued for them is cancelled."
                    .to_string(),
            ))
        }
        _ => None,
    };
    let mut p = found_page(&state, &staff, &form.email).await?;
    p.banner = done;
    Ok(super::render(&p))
}

pub async fn resend_link(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<ResidentForm>,
) -> crate::web::Result {
    let done = match resident(&state, &form.email).await? {
        Some((id, version)) if state.store.renew_links(id, version, Utc::now()).await? => {
            staff
                .audit(
                    &state,
                    "subscriber.resend_link",
                    Some(&format!("resident #{id}")),
                )
                .await;
            Some((
                "Manage link sent".to_string(),
                "An email with a new link to manage their alerts is on its way to them. Links in their older emails no longer work."
                    .to_string(),
            ))
        }
        _ => None,
    };
    let mut p = found_page(&state, &staff, &form.email).await?;
    p.banner = done;
    Ok(super::render(&p))
}
