//! Reach in the console, as CSV, as the board's HTML report, and as JSON for partners' scripts.

use super::{AppState, Chrome, Staff};
use crate::reach::{self, Period, PeriodError, Report, charts, format};
use crate::web::pages;
use axum::Extension;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl PeriodQuery {
    /// The period asked for: the last 90 days unless told otherwise, within the limits.
    fn period(&self) -> Result<Period, PeriodError> {
        Period::asked(self.from, self.to, 90, Utc::now().date_naive())
    }

    fn query_string(p: &Period) -> String {
        format!("from={}&to={}", p.from, p.to)
    }
}

async fn report(state: &AppState, q: &PeriodQuery) -> Result<Report, Response> {
    let cal = state.calendar.get();
    let period = q.period().map_err(|e| {
        pages::problem(
            StatusCode::BAD_REQUEST,
            "This period cannot be reported",
            &format!("{e}. Choose dates from 2000 to 2099, at most five years apart."),
        )
    })?;
    reach::gather(
        state.store.as_ref(),
        &cal.areas,
        &cal.outcomes,
        period,
        Utc::now(),
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reach failed");
        pages::unavailable()
    })
}

#[derive(askama::Template)]
#[template(path = "admin/reach.html")]
struct ReachPage {
    chrome: Chrome,
    r: Report,
    qs: String,
    audience_chart: String,
    penetration_chart: String,
    sources_chart: String,
}

impl ReachPage {
    fn fmt(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let r = match report(&state, &q).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    super::render(&ReachPage {
        chrome: Chrome::new(&staff, "reach"),
        audience_chart: charts::audience(&r.series),
        penetration_chart: charts::penetration(&r.areas),
        sources_chart: charts::sources(&r.sources),
        qs: PeriodQuery::query_string(&r.period),
        r,
    })
}

pub async fn csv(State(state): State<AppState>, Query(q): Query<PeriodQuery>) -> Response {
    let r = match report(&state, &q).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    match format::csv(&r) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"beacon-reach.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "csv failed");
            pages::unavailable()
        }
    }
}

/// The self-contained board report; its own inline styles are allowed, nothing else.
pub async fn board(State(state): State<AppState>, Query(q): Query<PeriodQuery>) -> Response {
    let r = match report(&state, &q).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    match format::html(&r) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "board report failed");
            pages::unavailable()
        }
    }
}

pub async fn api_report(State(state): State<AppState>, Query(q): Query<PeriodQuery>) -> Response {
    if let Err(e) = q.period() {
        let error =
            format!("{e}; dates run from 2000-01-01 to 2099-12-31, at most five years apart");
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response();
    }
    match report(&state, &q).await {
        Ok(r) => Json(r).into_response(),
        Err(resp) => resp,
    }
}
