//! "Send now" in two steps: a confirmation page that counts the residents and areas the send
//! will reach (the fan-out's own query) and shows this week's earlier runs, then the send itself,
//! once however often the button is pressed. A deliberate repeat needs a reason and is audited.

use super::{AppState, Chrome, Staff};
use crate::auth::token::random_id;
use crate::render::words::thousands;
use crate::scheduler::{SendNowError, SendPlan, SendRequest};
use crate::store::RunSummary;
use crate::web::{Error, Explain};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::{Form, Query};
use chrono::Utc;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SendForm {
    areas: Vec<String>,
    /// The "send again to people who already had it" checkbox.
    resend: String,
    reason: String,
    /// The "send anyway" checkbox for a paused or out-of-season campaign.
    force: String,
    idempotency_key: String,
}

impl SendForm {
    fn request(&self, slug: &str) -> SendRequest {
        SendRequest {
            slug: slug.to_string(),
            areas: self.areas.clone(),
            resend: (!self.resend.is_empty()).then(|| self.reason.trim().to_string()),
            force: !self.force.is_empty(),
            idempotency_key: None,
        }
    }
}

pub struct AreaLine {
    pub name: String,
    pub residents: String,
}

#[derive(askama::Template)]
#[template(path = "admin/send_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    slug: String,
    title: String,
    residents: String,
    area_count: usize,
    lines: Vec<AreaLine>,
    areas: Vec<String>,
    already_had_it: String,
    recent: Vec<RunSummary>,
    needs_force: Option<String>,
    /// When quiet hours end, if they hold the e-mail now (UK time).
    held_until: Option<String>,
    resend: bool,
    reason: String,
    idempotency_key: String,
}

impl ConfirmPage {
    fn when(&self, t: &chrono::DateTime<Utc>) -> String {
        crate::render::words::when_dated(*t)
    }
}

impl From<SendNowError> for Error {
    fn from(e: SendNowError) -> Self {
        match e {
            SendNowError::UnknownCampaign(_) => Error::NotFound,
            SendNowError::Store(e) => Error::Store(e),
            e @ SendNowError::NeedsForce { .. } => {
                Error::Conflict(Explain::new("Not sent", e.to_string()))
            }
            e => Error::Unprocessable(Explain::new("Not sent: check the request", e.to_string())),
        }
    }
}

/// Step one: what the send would do, and the button that does it.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Query(form): Query<SendForm>,
) -> crate::web::Result {
    let req = form.request(&slug);
    if req.resend.as_deref().is_some_and(|r| r.is_empty()) {
        return Err(SendNowError::ReasonNeeded.into());
    }
    let plan: SendPlan = state.scheduler.plan_send(&req, Utc::now()).await?;
    let cal = state.calendar.get();
    let lines = plan
        .audience
        .by_area
        .iter()
        .map(|(slug, n)| AreaLine {
            name: cal
                .areas
                .get(slug)
                .map_or_else(|| slug.clone(), |a| a.name.clone()),
            residents: thousands(*n),
        })
        .collect();
    Ok(super::render(&ConfirmPage {
        chrome: Chrome::new(&staff, "calendar"),
        slug: plan.slug.clone(),
        title: plan.title.clone(),
        residents: thousands(plan.audience.residents()),
        area_count: plan.areas.len(),
        lines,
        areas: if form.areas.is_empty() {
            Vec::new()
        } else {
            plan.areas.clone()
        },
        already_had_it: thousands(plan.audience.already_had_it),
        recent: plan.recent,
        needs_force: plan.needs_force,
        held_until: plan.held_until.map(crate::render::words::when),
        resend: req.resend.is_some(),
        reason: form.reason.trim().to_string(),
        idempotency_key: random_id(),
    }))
}

/// Step two: the send, once per idempotency key.
pub async fn send(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(form): Form<SendForm>,
) -> crate::web::Result {
    if form.idempotency_key.len() < 16 {
        return Err(Error::BadRequest(Explain::new(
            "This form has expired",
            "Go back, reload the page and try again.",
        )));
    }
    let mut req = form.request(&slug);
    req.idempotency_key = Some(format!("console:{}", form.idempotency_key));
    // The same key again (`None`) is a double click: the first press already sent it.
    if let Some(run_id) = state.scheduler.send(&req, Utc::now()).await? {
        audit_send(&state, &staff, &req, run_id).await;
    }
    Ok(Redirect::to(&format!("/admin/campaigns/{slug}?done=sent")).into_response())
}

/// Audits a send made from the console or the API, a deliberate repeat with its reason.
pub async fn audit_send(state: &AppState, staff: &Staff, req: &SendRequest, run_id: i64) {
    let (action, why) = match &req.resend {
        Some(reason) => ("campaign.resend", format!(" resend because: {reason}")),
        None => ("campaign.send", String::new()),
    };
    let detail = format!(
        "{} run {run_id} areas [{}]{why}",
        req.slug,
        req.areas.join(", ")
    );
    staff.audit(state, action, Some(&detail)).await;
}
