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

/// What an admin can do for a resident.
#[derive(Debug, Clone, Copy)]
enum Action {
    Unsubscribe,
    ResendLink,
}

impl Action {
    /// The audit action, the audit detail's note, and the banner: heading and text.
    fn words(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Action::Unsubscribe => (
                "subscriber.unsubscribe",
                ", asked by phone or in person",
                "Unsubscribed",
                "They will get no more alerts. Anything already queued for them is cancelled.",
            ),
            Action::ResendLink => (
                "subscriber.resend_link",
                "",
                "Manage link sent",
                "An email with a new link to manage their alerts is on its way to them. Links in their older emails no longer work.",
            ),
        }
    }
}

/// Does `action` for the resident the form names, audits it, and shows the look-up again with a
/// banner; an unknown address or a resident it no longer applies to just shows the look-up.
async fn act(state: AppState, staff: Staff, email: &str, action: Action) -> crate::web::Result {
    let now = Utc::now();
    let done = match resident(&state, email).await? {
        Some((id, version)) => match action {
            Action::Unsubscribe => state.store.unsubscribe(id, version, now).await?,
            Action::ResendLink => state.store.renew_links(id, version, now).await?,
        }
        .then_some(id),
        None => None,
    };
    let mut p = found_page(&state, &staff, email).await?;
    if let Some(id) = done {
        let (audit, note, heading, text) = action.words();
        staff
            .audit(&state, audit, Some(&format!("resident #{id}{note}")))
            .await;
        p.banner = Some((heading.to_string(), text.to_string()));
    }
    Ok(super::render(&p))
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<ResidentForm>,
) -> crate::web::Result {
    act(state, staff, &form.email, Action::Unsubscribe).await
}

pub async fn resend_link(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<ResidentForm>,
) -> crate::web::Result {
    act(state, staff, &form.email, Action::ResendLink).await
}
