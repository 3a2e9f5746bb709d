//! `GET /api/v1/report` (the reach report, as `beacon report --format json`) and
//! `GET /api/v1/outbox` (the queue, as `beacon outbox`).

use crate::reach::Report;
use crate::store::OutboxStats;
use crate::web::AppState;
use crate::web::admin::PeriodQuery;
use axum::Json;
use axum::extract::State;
use axum_extra::extract::Query;
use chrono::Utc;

#[utoipa::path(
    get,
    path = "/api/v1/report",
    operation_id = "getReport",
    tag = "reports",
    params(PeriodQuery),
    responses((status = 200, description = "The reach report; per-area counts under 10 are \"<10\"", body = Report))
)]
pub async fn report(
    State(state): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> crate::web::Result<Json<Report>> {
    Ok(Json(crate::web::admin::reach_report(&state, &q).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/outbox",
    operation_id = "getOutbox",
    tag = "reports",
    responses((status = 200, description = "The outbox: depth per status and channel, oldest due age, per-channel state", body = OutboxStats))
)]
pub async fn outbox(State(state): State<AppState>) -> crate::web::Result<Json<OutboxStats>> {
    Ok(Json(state.store.stats(Utc::now()).await?))
}
