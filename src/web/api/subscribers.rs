//! `GET /api/v1/subscribers/counts` (residents per area × topic × status, small cells
//! suppressed) and `POST /api/v1/subscribers/import` (a CSV, by the CLI's own import).

use super::page::{PageQuery, slice};
use crate::reach::{Cell, protect_group};
use crate::web::admin::{Staff, audit_import};
use crate::web::{AppState, Error, Explain};
use axum::body::Bytes;
use axum::extract::State;
use axum::{Extension, Json};
use axum_extra::extract::Query;
use chrono::{Duration, Utc};

/// Residents following one topic in one area, in one status.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SubscriberCountView {
    pub area: String,
    /// The topic (priority slug).
    pub topic: String,
    /// `pending`, `confirmed`, `unsubscribed`, `bounced`.
    pub status: String,
    /// The count; `"<10"` under 10, and `"hidden"` where it would give a small one away.
    pub count: Cell,
}

/// A page of counts, by area, topic and status.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SubscriberCountPage {
    pub items: Vec<SubscriberCountView>,
    /// The `cursor` for the next page; absent on the last.
    pub next: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/subscribers/counts",
    operation_id = "subscriberCounts",
    tag = "subscribers",
    params(PageQuery),
    responses((status = 200, description = "Residents per area, topic and status; small cells suppressed", body = SubscriberCountPage))
)]
pub async fn counts(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> crate::web::Result<Json<SubscriberCountPage>> {
    // As on the console: a sign-up still pending counts only after an hour, so one person's
    // sign-up cannot be watched moving a figure.
    let cells = state
        .store
        .subscriber_cells(Utc::now() - Duration::hours(1))
        .await?;
    let mut views: Vec<SubscriberCountView> = cells
        .into_iter()
        .map(|c| SubscriberCountView {
            count: Cell::of(c.count),
            area: c.area,
            topic: c.topic,
            status: c.status,
        })
        .collect();
    // One area's residents in one status, across topics: protected together.
    let mut start = 0;
    while start < views.len() {
        let end = start
            + views[start..]
                .iter()
                .take_while(|v| v.area == views[start].area && v.status == views[start].status)
                .count();
        let mut group: Vec<Cell> = views[start..end].iter().map(|v| v.count).collect();
        protect_group(&mut group);
        for (v, c) in views[start..end].iter_mut().zip(group) {
            v.count = c;
        }
        start = end;
    }
    views.sort_by(|a, b| (&a.area, &a.topic, &a.status).cmp(&(&b.area, &b.topic, &b.status)));
    let (items, next) = slice(
        views,
        |v| format!("{}\u{1f}{}\u{1f}{}", v.area, v.topic, v.status),
        &q,
    )?;
    Ok(Json(SubscriberCountPage { items, next }))
}

/// Where an import's residents came from.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// A name for the list (letters, digits, `-_.`), recorded as `import:<source>`; `api` when absent.
    pub source: Option<String>,
}

/// One row that was skipped, and why.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    pub reason: String,
}

/// What an import did: the CLI's report, and each skipped row.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    #[serde(flatten)]
    pub report: crate::bulk::ImportReport,
    pub problems: Vec<ImportProblem>,
}

#[utoipa::path(
    post,
    path = "/api/v1/subscribers/import",
    operation_id = "importSubscribers",
    tag = "subscribers",
    params(ImportQuery),
    request_body(
        content = String,
        content_type = "text/csv",
        description = "`email,postcode[,topics][,consent_at]` with a header row, as `beacon subscribers import` takes; up to 4 MB"
    ),
    responses((status = 200, description = "Imported: rows added, already known, and skipped with why; importing again changes nothing", body = ImportResult))
)]
pub async fn import(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> crate::web::Result<Json<ImportResult>> {
    let source = crate::domain::signup::clean_source(q.source.as_deref().unwrap_or("api"));
    let cal = state.calendar.get();
    let mut problems = Vec::new();
    let report = crate::bulk::import(
        state.store.as_ref(),
        &cal.areas,
        body.as_ref(),
        "the CSV",
        &source,
        |line, why| {
            problems.push(ImportProblem {
                line,
                reason: why.to_string(),
            })
        },
    )
    .await
    .map_err(|e| match e.downcast::<crate::store::StoreError>() {
        Ok(store) => Error::from(store),
        Err(e) => Error::Unprocessable(Explain::new("Nothing was imported", format!("{e:#}"))),
    })?;
    audit_import(&state, &staff, &source, &report).await;
    Ok(Json(ImportResult { report, problems }))
}
