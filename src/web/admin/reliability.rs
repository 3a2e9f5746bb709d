//! The operator's levers when a mail server misbehaves: resume a channel the circuit breaker
//! paused (editors), lift a suppression a refusal caused (admins). Both audited.

use super::{AppState, Staff};
use crate::domain::Email;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::Form;
use chrono::Utc;

pub async fn resume_channel(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(channel): Path<String>,
) -> crate::web::Result {
    if state.store.resume_channel(&channel, Utc::now()).await? {
        staff.audit(&state, "channel.resume", Some(&channel)).await;
    }
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UnsuppressForm {
    email: String,
}

pub async fn unsuppress(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<UnsuppressForm>,
) -> crate::web::Result {
    let Ok(email) = Email::parse(&form.email) else {
        return Ok(Redirect::to("/admin/subscribers").into_response());
    };
    Ok(
        match state.store.unsuppress(email.as_str(), Utc::now()).await? {
            Some(u) => {
                let why = u.reason.unwrap_or_else(|| "no reply recorded".into());
                let detail = format!(
                    "subscriber {} (was: {})",
                    u.subscriber_id,
                    super::mask_addresses(&why)
                );
                staff
                    .audit(&state, "subscriber.unsuppress", Some(&detail))
                    .await;
                let q = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("email", email.as_str())
                    .finish();
                Redirect::to(&format!("/admin/subscribers/lookup?{q}")).into_response()
            }
            None => Redirect::to("/admin/subscribers").into_response(),
        },
    )
}
