//! The dashboard: audience and its 90-day change, the next sends, queue health, recent failures;
//! and the audit log for admins.

use super::campaign::run_status;
use super::{AppState, Chrome, Staff};
use crate::calendar::upcoming::upcoming;
use crate::reach::{self, Period};
use crate::render::words::{self, filters};
use crate::store::{AuditEntry, ChannelWeek, OutboxStats, RecentFailure, RunSummary};

use axum::Extension;
use axum::extract::State;
use chrono::{Duration, Utc};

pub struct NextSend {
    pub campaign: String,
    pub title: String,
    pub at: String,
    pub paused: bool,
}

/// A recent run with its campaign's title.
pub struct RecentRun {
    pub title: String,
    /// Given up on, bounces included.
    pub failed: i64,
    pub run: RunSummary,
}

/// An outbox channel as staff read it.
pub fn channel_name(channel: &str) -> &'static str {
    match channel {
        "email" => "E-mail",
        "webhook" => "Partners' webhooks",
        "digest" => "Round-ups",
        _ => "Other",
    }
}

/// One channel's last 7 days, as GOV.UK Notify heads its dashboard.
pub struct WeekLine {
    pub channel: &'static str,
    pub delivered: i64,
    pub failed: i64,
    /// Failed as a share of everything settled: "2.5%".
    pub failure_rate: String,
}

/// Per channel, with the failure rate: failed ÷ (delivered + failed).
pub fn week_lines(settled: &[ChannelWeek]) -> Vec<WeekLine> {
    settled
        .iter()
        .map(|w| WeekLine {
            channel: channel_name(&w.channel),
            delivered: w.delivered,
            failed: w.failed,
            failure_rate: words::percent(w.failed, w.delivered + w.failed),
        })
        .collect()
}

#[derive(askama::Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    week: Vec<WeekLine>,
    audience: i64,
    subscribers: i64,
    change: i64,
    growth: String,
    next: Vec<NextSend>,
    runs: Vec<RecentRun>,
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

/// A campaign's title, or its slug if it has left the calendar.
fn title_of(cal: &crate::calendar::Calendar, slug: &str) -> String {
    cal.campaign(slug)
        .map_or_else(|| slug.to_string(), |c| c.title.clone())
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
            at: words::when(u.instant),
            paused: u.paused,
            campaign: u.campaign,
        })
        .collect();
    let week = week_lines(
        &state
            .store
            .settled_by_channel(now - Duration::days(7))
            .await?,
    );
    let runs = runs
        .into_iter()
        .map(|run| RecentRun {
            title: title_of(&cal, &run.campaign),
            failed: run.failed + run.bounced,
            run,
        })
        .collect();
    let t = &report.totals;
    Ok(super::render(&DashboardPage {
        chrome: Chrome::new(&staff, "dashboard"),
        week,
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
                f.campaign = f.campaign.map(|slug| title_of(&cal, &slug));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_rate_is_failed_over_all_settled() {
        let settled = [
            ChannelWeek {
                channel: "email".into(),
                delivered: 1_170,
                failed: 30,
            },
            ChannelWeek {
                channel: "webhook".into(),
                delivered: 7,
                failed: 0,
            },
            ChannelWeek {
                channel: "email".into(),
                delivered: 0,
                failed: 0,
            },
        ];
        let lines = week_lines(&settled);
        // 30 ÷ 1,200 = 2.5%; 0 ÷ 7 = 0.0%; nothing settled: no rate.
        assert_eq!(lines[0].failure_rate, "2.5%");
        assert_eq!(lines[0].channel, "E-mail");
        assert_eq!(lines[1].failure_rate, "0.0%");
        assert_eq!(lines[2].failure_rate, "–");
    }
}
