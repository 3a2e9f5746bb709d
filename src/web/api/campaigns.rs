//! `GET /api/v1/campaigns`, `GET /api/v1/campaigns/{slug}`, and pausing and resuming one.

use super::page::{PageQuery, slice};
use crate::domain::Campaign;
use crate::domain::schedule_words::describe_schedule;
use crate::web::admin::{Staff, set_paused_audited};
use crate::web::{AppState, Error};
use axum::extract::{Path, State};
use axum::{Extension, Json};
use axum_extra::extract::Query;
use chrono::{DateTime, Utc};

/// How many coming sends a campaign lists.
const NEXT_SENDS: usize = 5;
/// How far ahead they are looked for.
const HORIZON_DAYS: i64 = 400;

/// When a campaign fires, as written and in words.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    /// The cron expression, read in UK time (Europe/London).
    #[schema(example = "0 18 1-7 11,12,1,2 FRI")]
    pub cron: String,
    /// The same in words.
    #[schema(
        example = "18:00 on the first Friday of November, December, January and February (UK time)"
    )]
    pub words: String,
}

/// A campaign as the calendar holds it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    pub slug: String,
    pub title: String,
    /// The plan priority it serves (topic slug).
    pub priority: String,
    /// The partner that leads it.
    pub lead: String,
    pub schedule: ScheduleView,
    /// The part of each year it may fire in ("1 Nov to 28 Feb"); absent for all year.
    pub season: Option<String>,
    /// The first day it may fire.
    pub starts: Option<chrono::NaiveDate>,
    /// The last day it may fire.
    pub ends: Option<chrono::NaiveDate>,
    /// Areas as written: `all`, a district, or area slugs.
    pub areas: Vec<String>,
    /// `email`, `feed`, `webhook`.
    pub channels: Vec<String>,
    /// Paused in the console or by the API: scheduled fires are skipped.
    pub paused: bool,
    /// A live warning: not held by quiet hours nor folded into round-ups.
    pub urgent: bool,
    /// The next scheduled sends within a year (paused or not), earliest first.
    pub next_sends: Vec<DateTime<Utc>>,
}

/// A page of campaigns, by slug.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CampaignPage {
    pub items: Vec<CampaignView>,
    /// The `cursor` for the next page; absent on the last.
    pub next: Option<String>,
}

fn view(c: &Campaign, paused: bool, now: DateTime<Utc>) -> CampaignView {
    CampaignView {
        slug: c.slug.clone(),
        title: c.title.clone(),
        priority: c.priority.slug().to_string(),
        lead: c.lead.clone(),
        schedule: ScheduleView {
            cron: c.schedule.source().to_string(),
            words: describe_schedule(c.schedule.source()).unwrap_or_else(|| {
                format!(
                    "at the times of the cron schedule `{}`",
                    c.schedule.source()
                )
            }),
        },
        season: c.season.map(|s| s.to_string()),
        starts: c.starts,
        ends: c.ends,
        areas: c.areas.iter().map(|a| a.slug().to_string()).collect(),
        channels: c.channels.iter().map(ToString::to_string).collect(),
        paused,
        urgent: c.urgent,
        next_sends: c
            .fires_between(now, now + chrono::Duration::days(HORIZON_DAYS))
            .take(NEXT_SENDS)
            .collect(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/campaigns",
    operation_id = "listCampaigns",
    tag = "campaigns",
    params(PageQuery),
    responses((status = 200, description = "Campaigns, by slug", body = CampaignPage))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> crate::web::Result<Json<CampaignPage>> {
    let paused = state.store.paused_campaigns().await?;
    let now = Utc::now();
    let mut all: Vec<CampaignView> = state
        .calendar
        .get()
        .campaigns
        .iter()
        .map(|c| view(c, paused.contains(&c.slug), now))
        .collect();
    all.sort_by(|a, b| a.slug.cmp(&b.slug));
    let (items, next) = slice(all, |c| c.slug.clone(), &q)?;
    Ok(Json(CampaignPage { items, next }))
}

#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{slug}",
    operation_id = "getCampaign",
    tag = "campaigns",
    params(("slug" = String, Path, description = "The campaign's slug")),
    responses((status = 200, description = "The campaign", body = CampaignView))
)]
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> crate::web::Result<Json<CampaignView>> {
    let cal = state.calendar.get();
    let c = cal.campaign(&slug).ok_or(Error::NotFound)?;
    let paused = state.store.paused_campaigns().await?.contains(&c.slug);
    Ok(Json(view(c, paused, Utc::now())))
}

async fn set_paused(
    state: AppState,
    staff: Staff,
    slug: String,
    paused: bool,
) -> crate::web::Result<Json<CampaignView>> {
    let cal = state.calendar.get();
    let c = cal.campaign(&slug).ok_or(Error::NotFound)?;
    set_paused_audited(&state, &staff, &slug, paused).await?;
    Ok(Json(view(c, paused, Utc::now())))
}

#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{slug}/pause",
    operation_id = "pauseCampaign",
    tag = "campaigns",
    params(("slug" = String, Path, description = "The campaign's slug")),
    responses((status = 200, description = "Paused (again, if it was): its scheduled fires are skipped until resumed", body = CampaignView))
)]
pub async fn pause(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result<Json<CampaignView>> {
    set_paused(state, staff, slug, true).await
}

#[utoipa::path(
    post,
    path = "/api/v1/campaigns/{slug}/resume",
    operation_id = "resumeCampaign",
    tag = "campaigns",
    params(("slug" = String, Path, description = "The campaign's slug")),
    responses((status = 200, description = "Resumed: it fires on its schedule again", body = CampaignView))
)]
pub async fn resume(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result<Json<CampaignView>> {
    set_paused(state, staff, slug, false).await
}
