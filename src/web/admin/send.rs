//! "Send now" in two steps: a confirmation page that counts the residents and areas the send
//! will reach (the fan-out's own query) and shows this week's earlier runs, then the send itself,
//! once however often the button is pressed. A deliberate repeat needs a reason and is audited.

use super::{AppState, Chrome, Staff};
use crate::auth::token::random_id;
use crate::scheduler::{SendNowError, SendPlan, SendRequest};
use crate::store::RunSummary;
use crate::web::pages;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
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
        t.with_timezone(&crate::domain::LONDON)
            .format("%-d %b %Y %H:%M")
            .to_string()
    }
}

/// 7420 → "7,420".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn refused(e: SendNowError) -> Response {
    match e {
        SendNowError::UnknownCampaign(_) => pages::not_found(),
        SendNowError::Store(e) => {
            tracing::error!(error = %e, "send now failed");
            pages::unavailable()
        }
        e @ SendNowError::NeedsForce { .. } => {
            pages::problem(StatusCode::CONFLICT, "Not sent", &e.to_string())
        }
        e => pages::problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Not sent: check the request",
            &e.to_string(),
        ),
    }
}

/// Step one: what the send would do, and the button that does it.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Query(form): Query<SendForm>,
) -> Response {
    let req = form.request(&slug);
    if req.resend.as_deref().is_some_and(|r| r.is_empty()) {
        return refused(SendNowError::ReasonNeeded);
    }
    let plan: SendPlan = match state.scheduler.plan_send(&req, Utc::now()).await {
        Ok(p) => p,
        Err(e) => return refused(e),
    };
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
    super::render(&ConfirmPage {
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
        held_until: plan.held_until.map(|t| {
            t.with_timezone(&crate::domain::LONDON)
                .format("%H:%M on %-d %B")
                .to_string()
        }),
        resend: req.resend.is_some(),
        reason: form.reason.trim().to_string(),
        idempotency_key: random_id(),
    })
}

/// Step two: the send, once per idempotency key.
pub async fn send(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(form): Form<SendForm>,
) -> Response {
    if form.idempotency_key.len() < 16 {
        return pages::problem(
            StatusCode::BAD_REQUEST,
            "This form has expired",
            "Go back, reload the page and try again.",
        );
    }
    let mut req = form.request(&slug);
    req.idempotency_key = Some(format!("console:{}", form.idempotency_key));
    match state.scheduler.send(&req, Utc::now()).await {
        Ok(Some(run_id)) => {
            let (action, why) = match &req.resend {
                Some(reason) => ("campaign.resend", format!(" resend because: {reason}")),
                None => ("campaign.send", String::new()),
            };
            staff
                .audit(
                    &state,
                    action,
                    Some(&format!(
                        "{slug} run {run_id} areas [{}]{why}",
                        form.areas.join(", ")
                    )),
                )
                .await;
            Redirect::to(&format!("/admin/campaigns/{slug}?done=sent")).into_response()
        }
        // The same key again: a double click. The first press already sent it.
        Ok(None) => Redirect::to(&format!("/admin/campaigns/{slug}?done=sent")).into_response(),
        Err(e) => refused(e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_in_thousands() {
        assert_eq!(super::thousands(7420), "7,420");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
        assert_eq!(super::thousands(0), "0");
    }
}
