//! `POST /api/v1/campaigns/{slug}/send`: send now, in two calls as in the console. The first
//! counts who it would reach (the scheduler's own `plan_send`) and returns a `confirm` token
//! bound to exactly that request; the second, with the token, sends it once (`send`), under the
//! repeat window, weekly cap and quiet hours. The same token again sends nothing.

use crate::auth::token::random_id;
use crate::scheduler::SendRequest;
use crate::store::RunSummary;
use crate::web::admin::{Staff, audit_send};
use crate::web::{AppState, Error, Explain};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};

/// How long a count's `confirm` token may be used.
const CONFIRM_MINUTES: i64 = 15;

/// What to send.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SendBody {
    /// Some of the campaign's areas (area or district slugs); all of them when empty.
    pub areas: Vec<String>,
    /// Send again to residents who already had it, for this reason (who asked, and why).
    #[schema(pattern = "\\S")]
    pub resend_reason: Option<String>,
    /// Send a paused or out-of-season campaign anyway.
    pub force: bool,
    /// The `confirm` token of the count for this same request: present, the call sends.
    pub confirm: Option<String>,
}

impl SendBody {
    fn request(&self, slug: &str) -> SendRequest {
        SendRequest {
            slug: slug.to_string(),
            areas: self.areas.clone(),
            resend: self.resend_reason.as_ref().map(|r| r.trim().to_string()),
            force: self.force,
            idempotency_key: None,
        }
    }
}

/// Residents one area would reach.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AreaAudience {
    pub area: String,
    pub residents: i64,
}

/// The count before a send, and the token that confirms it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SendPlanView {
    pub slug: String,
    pub title: String,
    /// The areas the send reaches.
    pub areas: Vec<String>,
    /// Residents it would reach (by e-mail now, or in their round-up).
    pub residents: i64,
    /// The same by each resident's first area.
    pub by_area: Vec<AreaAudience>,
    /// Residents left out: they had this content within the repeat window.
    pub already_had_it: i64,
    /// This campaign's runs in the last 7 days, newest first.
    pub recent_runs: Vec<RunSummary>,
    /// Why it needs `force` (paused, out of season); sending without it is refused.
    pub needs_force: Option<String>,
    /// When its e-mail would go, if quiet hours hold it now.
    pub held_until: Option<DateTime<Utc>>,
    /// Send this back, with the same request, to send it.
    pub confirm: String,
    /// When `confirm` stops working.
    pub confirm_expires: DateTime<Utc>,
}

/// A send that was made.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SentView {
    pub run_id: i64,
    /// Where to follow it.
    pub run: String,
}

/// The text a `confirm` token binds: the whole request, when it expires, and its nonce.
fn bound(req: &SendRequest, expires: i64, nonce: &str) -> String {
    format!(
        "send|{}|{}|{}|{}|{expires}|{nonce}",
        req.slug,
        req.areas.join(","),
        req.resend.as_deref().unwrap_or(""),
        req.force
    )
}

fn not_valid(why: &str) -> Error {
    Error::BadRequest(Explain::new(
        "That confirmation is not valid for this send",
        format!(
            "{why} Ask again without `confirm` for a fresh count and token, then send that token with the same request."
        ),
    ))
}

/// The nonce of a valid token for `req`.
fn check(
    state: &AppState,
    req: &SendRequest,
    token: &str,
    now: DateTime<Utc>,
) -> crate::web::Result<String> {
    let mut parts = token.splitn(3, '.');
    let (Some(expires), Some(nonce), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(not_valid("It is not a token we gave."));
    };
    let expires_at: i64 = expires
        .parse()
        .map_err(|_| not_valid("It is not a token we gave."))?;
    if !state
        .signer
        .tag_matches(&bound(req, expires_at, nonce), tag)
    {
        return Err(not_valid(
            "It was given for a different request, or not by us.",
        ));
    }
    if now.timestamp() > expires_at {
        return Err(not_valid("It has expired."));
    }
    Ok(nonce.to_string())
}

#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{slug}/send",
    operation_id = "sendCampaign",
    tag = "campaigns",
    params(("slug" = String, Path, description = "The campaign's slug")),
    request_body = SendBody,
    responses(
        (status = 200, description = "Without `confirm`: the count, and the token that confirms it; nothing is sent", body = SendPlanView),
        (status = 202, description = "With a valid `confirm`: sent, queued for delivery", body = SentView),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Json(body): Json<SendBody>,
) -> crate::web::Result<Response> {
    let mut req = body.request(&slug);
    if req.resend.as_deref().is_some_and(str::is_empty) {
        return Err(crate::scheduler::SendNowError::ReasonNeeded.into());
    }
    let now = Utc::now();
    let Some(token) = &body.confirm else {
        let plan = state.scheduler.plan_send(&req, now).await?;
        let expires = now + Duration::minutes(CONFIRM_MINUTES);
        let nonce = random_id();
        let tag = state.signer.tag(&bound(&req, expires.timestamp(), &nonce));
        return Ok(Json(SendPlanView {
            residents: plan.audience.residents(),
            by_area: plan
                .audience
                .by_area
                .iter()
                .map(|(area, residents)| AreaAudience {
                    area: area.clone(),
                    residents: *residents,
                })
                .collect(),
            already_had_it: plan.audience.already_had_it,
            slug: plan.slug,
            title: plan.title,
            areas: plan.areas,
            recent_runs: plan.recent,
            needs_force: plan.needs_force,
            held_until: plan.held_until,
            confirm: format!("{}.{nonce}.{tag}", expires.timestamp()),
            confirm_expires: expires,
        })
        .into_response());
    };
    let nonce = check(&state, &req, token, now)?;
    req.idempotency_key = Some(format!("api:{nonce}"));
    let Some(run_id) = state.scheduler.send(&req, now).await? else {
        return Err(Error::Conflict(Explain::new(
            "Already sent",
            "This confirmation was used already: that send was made once. Ask for a new count to send again.",
        )));
    };
    audit_send(&state, &staff, &req, run_id).await;
    let run = format!("{}/api/v1/runs/{run_id}", state.base_url());
    Ok((StatusCode::ACCEPTED, Json(SentView { run_id, run })).into_response())
}
