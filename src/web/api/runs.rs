//! `GET /api/v1/campaigns/{slug}/runs` and `GET /api/v1/runs/{id}`: what each send did.

use super::page::{PageQuery, encode};
use crate::store::RunSummary;
use crate::web::{AppState, Error, Explain};
use axum::Json;
use axum::extract::{Path, State};
use axum_extra::extract::Query;
use chrono::{DateTime, Utc};

/// A page of one campaign's runs, newest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RunPage {
    pub items: Vec<RunSummary>,
    /// The `cursor` for the next (older) page; absent on the last.
    pub next: Option<String>,
}

/// The position after a run in newest-first order: its fire time and id.
fn key(r: &RunSummary) -> String {
    format!("{}:{}", r.fire_at.timestamp_millis(), r.run_id)
}

fn parse_key(key: &str) -> crate::web::Result<(DateTime<Utc>, i64)> {
    key.split_once(':')
        .and_then(|(t, id)| {
            let t = DateTime::from_timestamp_millis(t.parse().ok()?)?;
            Some((t, id.parse().ok()?))
        })
        .ok_or_else(|| {
            Error::BadRequest(Explain::new(
                "That cursor is not one we gave",
                "Use the `next` value of a previous page as `cursor`, unchanged.",
            ))
        })
}

#[utoipa::path(
    get,
    path = "/api/v1/campaigns/{slug}/runs",
    operation_id = "listCampaignRuns",
    tag = "runs",
    params(("slug" = String, Path, description = "The campaign's slug"), PageQuery),
    responses((status = 200, description = "The campaign's runs, newest first, with counts by outcome", body = RunPage))
)]
pub async fn of_campaign(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> crate::web::Result<Json<RunPage>> {
    let known = state.calendar.get().campaign(&slug).is_some()
        || state
            .store
            .campaigns()
            .await?
            .iter()
            .any(|c| c.slug == slug);
    if !known {
        return Err(Error::NotFound);
    }
    let limit = q.limit()?;
    let before = q.after()?.as_deref().map(parse_key).transpose()?;
    let mut items = state
        .store
        .campaign_runs_before(&slug, before, limit as i64 + 1)
        .await?;
    let next = (items.len() > limit).then(|| encode(&key(&items[limit - 1])));
    items.truncate(limit);
    Ok(Json(RunPage { items, next }))
}

#[utoipa::path(
    get,
    path = "/api/v1/runs/{id}",
    operation_id = "getRun",
    tag = "runs",
    params(("id" = i64, Path, description = "The run's id", minimum = 1)),
    responses((status = 200, description = "The run: status, counts by outcome, times", body = RunSummary))
)]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> crate::web::Result<Json<RunSummary>> {
    Ok(Json(
        state.store.run_summary(id).await?.ok_or(Error::NotFound)?,
    ))
}
