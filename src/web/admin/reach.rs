//! Reach in the console, as CSV, as the board's HTML report, and as JSON for partners' scripts.

use super::{AppState, Chrome, Staff};
use crate::reach::{self, Period, PeriodError, Report, charts, format};
use crate::web::{Error, Explain};
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{NaiveDate, Utc};

/// The period a report covers.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day (UTC); 90 days before `to` when absent.
    from: Option<NaiveDate>,
    /// The last day (UTC), inclusive; today when absent.
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

/// The report for the period asked for; a period out of range is a 400 that says why.
pub async fn report(state: &AppState, q: &PeriodQuery) -> crate::web::Result<Report> {
    let cal = state.calendar.get();
    let period = q.period().map_err(|e| {
        Error::BadRequest(Explain::new(
            "This period cannot be reported",
            format!("{e}. Choose dates from 2000 to 2099, at most five years apart."),
        ))
    })?;
    Ok(reach::gather(
        state.store.as_ref(),
        &cal.areas,
        &cal.outcomes,
        period,
        Utc::now(),
    )
    .await?)
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
    gap_chart: String,
}

impl ReachPage {
    fn fmt(&self, v: &Option<f64>) -> String {
        v.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
    }

    fn share(&self, v: &Option<f64>, answers: &crate::reach::Cell) -> String {
        reach::fear_format::share(*v, *answers)
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<PeriodQuery>,
) -> crate::web::Result {
    let r = report(&state, &q).await?;
    Ok(super::render(&ReachPage {
        chrome: Chrome::new(&staff, "reach"),
        audience_chart: charts::audience(&r.series),
        penetration_chart: charts::penetration(&r.areas),
        sources_chart: charts::sources(&r.sources),
        gap_chart: reach::gap_chart::svg(&reach::gap_chart::rows(&r)),
        qs: PeriodQuery::query_string(&r.period),
        r,
    }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SectionQuery {
    section: reach::fear_format::Section,
}

pub async fn csv(
    State(state): State<AppState>,
    Query(q): Query<PeriodQuery>,
    Query(s): Query<SectionQuery>,
) -> crate::web::Result {
    let r = report(&state, &q).await?;
    let body = reach::fear_format::csv(&r, s.section).map_err(Error::internal)?;
    Ok((
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
        .into_response())
}

/// The self-contained board report; its own inline styles are allowed, nothing else.
pub async fn board(
    State(state): State<AppState>,
    Query(q): Query<PeriodQuery>,
) -> crate::web::Result {
    let mut r = report(&state, &q).await?;
    let cal = state.calendar.get();
    if let Some(before) = r.period.before() {
        let earlier = reach::gather(
            state.store.as_ref(),
            &cal.areas,
            &cal.outcomes,
            before,
            Utc::now(),
        )
        .await?;
        reach::compare(&mut r, &earlier);
    }
    let body = format::html(&r, cal.outcomes.amber_margin_pct).map_err(Error::internal)?;
    Ok((
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
        .into_response())
}
