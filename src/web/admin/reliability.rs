//! The operator's levers when a mail server misbehaves: resume a channel the circuit breaker
//! paused (editors), lift a suppression a refusal caused (admins). Both audited.

use super::{AppState, Staff};
use crate::domain::Email;
use crate::web::pages;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use chrono::Utc;

pub async fn resume_channel(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(channel): Path<String>,
) -> Response {
    match state.store.resume_channel(&channel, Utc::now()).await {
        Ok(true) => {
            staff.audit(&state, "channel.resume", Some(&channel)).await;
            Redirect::to("/admin").into_response()
        }
        Ok(false) => Redirect::to("/admin").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "resume channel failed");
            pages::unavailable()
        }
    }
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
) -> Response {
    let Ok(email) = Email::parse(&form.email) else {
        return Redirect::to("/admin/subscribers").into_response();
    };
    match state.store.unsuppress(email.as_str(), Utc::now()).await {
        Ok(Some(u)) => {
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
        Ok(None) => Redirect::to("/admin/subscribers").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "unsuppress failed");
            pages::unavailable()
        }
    }
}
