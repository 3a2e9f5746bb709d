//! The dashboard: audience and its 90-day change, the next sends, queue health, recent failures;
//! and the audit log for admins.

use super::{AppState, Chrome, Staff};
use crate::calendar::upcoming::upcoming;
use crate::domain::LONDON;
use crate::reach::{self, Period};
use crate::store::{AuditEntry, OutboxStats, RecentFailure, RunSummary};

use axum::Extension;
use axum::extract::State;
use chrono::{Duration, Utc};

pub struct NextSend {
    pub campaign: String,
    pub title: String,
    pub at: String,
    pub paused: bool,
}

#[derive(askama::Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    audience: i64,
    subscribers: i64,
    change: i64,
    growth: String,
    next: Vec<NextSend>,
    runs: Vec<RunSummary>,
    queue: OutboxStats,
    failures: Vec<RecentFailure>,
}

/// Mail servers quote addresses in their refusals; the dashboard shows no one's address.
pub fn mask_addresses(text: &str) -> String {
    text.split(' ')
        .map(|w| if w.contains('@') { "[address]" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    let now = Utc::now();
    let cal = state.calendar.get();
    let report = reach::gather(
        state.store.as_ref(),
        &cal.areas,
        &cal.outcomes,
        Period::last(90, now.date_naive()),
        now,
    )
    .await?;
    let queue = state.store.stats(now).await?;
    let failures = state.store.recent_failures(10).await?;
    let runs = state.store.recent_runs(8).await?;
    let paused = state.store.paused_campaigns().await?;
    let next = upcoming(&cal, now, now + Duration::days(60), None, &paused)
        .into_iter()
        .take(8)
        .map(|u| NextSend {
            title: cal
                .campaign(&u.campaign)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            at: u
                .instant
                .with_timezone(&LONDON)
                .format("%a %-d %b %Y, %H:%M")
                .to_string(),
            paused: u.paused,
            campaign: u.campaign,
        })
        .collect();
    let t = &report.totals;
    Ok(super::render(&DashboardPage {
        chrome: Chrome::new(&staff, "dashboard"),
        audience: t.audience,
        subscribers: t.subscribers,
        change: t.subscribers - t.baseline_subscribers,
        growth: t
            .growth_pct
            .map_or_else(|| "no baseline yet".into(), |g| format!("{g:+.1}%")),
        next,
        runs,
        queue: OutboxStats {
            channels: queue
                .channels
                .into_iter()
                .map(|mut c| {
                    c.last_error = c.last_error.map(|e| mask_addresses(&e));
                    c
                })
                .collect(),
            ..queue
        },
        failures: failures
            .into_iter()
            .map(|mut f| {
                f.error = mask_addresses(&f.error);
                f
            })
            .collect(),
    }))
}

#[derive(askama::Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    entries: Vec<AuditEntry>,
}

pub async fn audit(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    let entries = state.store.recent_audit(200).await?;
    Ok(super::render(&AuditPage {
        chrome: Chrome::new(&staff, "audit"),
        entries,
    }))
}
