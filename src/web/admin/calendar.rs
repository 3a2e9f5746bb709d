//! The calendar as the team plans it: the coming months as a grid and a list, pause and resume,
//! and an iCalendar feed of upcoming sends for their own calendars.

use super::{AppState, Chrome, Staff, describe};
use crate::calendar::upcoming::upcoming;
use crate::domain::LONDON;
use crate::render::words;
use crate::web::Error;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use icalendar::{Component, EventLike};

pub struct Send {
    pub campaign: String,
    pub title: String,
    pub time: String,
    pub paused: bool,
}

pub struct Day {
    pub number: u32,
    pub sends: Vec<Send>,
    /// Before today (UK): greyed out.
    pub past: bool,
    pub today: bool,
    /// "Friday 27 November", for screen readers.
    pub label: String,
}

pub struct Month {
    pub title: String,
    /// Weeks from Monday; `None` pads days outside the month.
    pub weeks: Vec<Vec<Option<Day>>>,
}

pub struct Row {
    pub slug: String,
    pub title: String,
    pub priority: String,
    pub season: String,
    /// In words, or the cron text with the next sends.
    pub schedule: String,
    pub areas: String,
    pub channels: String,
    pub last: String,
    pub next: String,
    pub paused: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    campaign: String,
}

#[derive(askama::Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    months: Vec<Month>,
    rows: Vec<Row>,
    /// E-mails per month for a resident following every topic, in the busiest area.
    forecast: Vec<crate::calendar::forecast::MonthForecast>,
    max_per_week: u32,
    /// The banner after pause or resume: (heading, text).
    banner: Option<(String, String)>,
    feed: super::calendar_feed::FeedPanel,
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    first_of_month(first_of_month(d) + Duration::days(32))
}

fn london_midnight(d: NaiveDate) -> chrono::DateTime<Utc> {
    crate::domain::schedule::london_instant(d.and_time(chrono::NaiveTime::MIN))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<Done>,
) -> crate::web::Result {
    let feed = super::calendar_feed::FeedPanel::of(&state, &staff, None).await?;
    page(state, staff, q, feed).await
}

/// The calendar page, with the calendar-address panel as it stands (or just made).
pub async fn page(
    state: AppState,
    staff: Staff,
    q: Done,
    feed: super::calendar_feed::FeedPanel,
) -> crate::web::Result {
    let now = Utc::now();
    let today = now.with_timezone(&LONDON).date_naive();
    let cal = state.calendar.get();
    let stored = state.store.campaigns().await?;
    let paused: Vec<String> = stored
        .iter()
        .filter(|s| s.paused)
        .map(|s| s.slug.clone())
        .collect();
    let mut months = Vec::new();
    let mut start = first_of_month(now.with_timezone(&LONDON).date_naive());
    for _ in 0..3 {
        let end = next_month(start);
        let sends = upcoming(
            &cal,
            london_midnight(start),
            london_midnight(end),
            None,
            &paused,
        );
        let mut weeks: Vec<Vec<Option<Day>>> = vec![Vec::new()];
        for _ in 0..start.weekday().num_days_from_monday() {
            weeks[0].push(None);
        }
        let mut d = start;
        while d < end {
            if weeks.last().is_some_and(|w| w.len() == 7) {
                weeks.push(Vec::new());
            }
            let day_sends = sends
                .iter()
                .filter(|u| u.instant.with_timezone(&LONDON).date_naive() == d)
                .map(|u| Send {
                    title: cal
                        .campaign(&u.campaign)
                        .map_or_else(|| u.campaign.clone(), |c| c.title.clone()),
                    campaign: u.campaign.clone(),
                    time: words::clock(u.instant),
                    paused: u.paused,
                })
                .collect();
            if let Some(w) = weeks.last_mut() {
                w.push(Some(Day {
                    number: d.day(),
                    sends: day_sends,
                    past: d < today,
                    today: d == today,
                    label: d.format("%A %-d %B").to_string(),
                }));
            }
            d += Duration::days(1);
        }
        if let Some(w) = weeks.last_mut() {
            while w.len() < 7 {
                w.push(None);
            }
        }
        months.push(Month {
            title: start.format("%B %Y").to_string(),
            weeks,
        });
        start = end;
    }
    let mut rows = Vec::new();
    for c in &cal.campaigns {
        let last = state.store.last_fire(&c.slug).await.ok().flatten();
        rows.push(Row {
            slug: c.slug.clone(),
            title: c.title.clone(),
            priority: c.priority.resident_label().into(),
            season: describe::season(c),
            schedule: describe::schedule_or_cron(c, now, false),
            areas: describe::area_names(&cal.areas, &c.areas),
            channels: describe::channel_names(&c.channels),
            last: last.map_or_else(|| "Never".into(), words::when_dated),
            next: c
                .next_fire(now, 400)
                .map_or_else(|| "None in the next year".into(), words::when),
            paused: stored.iter().any(|s| s.slug == c.slug && s.paused),
        });
    }
    let mut forecast = crate::calendar::forecast::worst_area(
        &cal,
        now,
        12,
        &state.scheduler.rules,
        state.scheduler.digest.as_ref(),
        &paused,
    );
    // Names, not slugs: "December 2026" and "Chesham".
    for f in &mut forecast {
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{}-01", f.month), "%Y-%m-%d") {
            f.month = d.format("%B %Y").to_string();
        }
        if let Some(a) = cal.areas.get(&f.area) {
            f.area = a.name.clone();
        }
    }
    Ok(super::render(&CalendarPage {
        chrome: Chrome::new(&staff, "calendar"),
        months,
        rows,
        forecast,
        max_per_week: state.scheduler.rules.max_per_week,
        banner: banner(&cal, &q),
        feed,
    }))
}

/// What the banner says after pause or resume, naming the campaign.
fn banner(cal: &crate::calendar::Calendar, q: &Done) -> Option<(String, String)> {
    if q.done == "feed-stopped" {
        return Some((
            "Your calendar address is stopped".into(),
            "Calendars that used it no longer update. Make a new address to subscribe again."
                .into(),
        ));
    }
    let title = cal.campaign(&q.campaign)?.title.clone();
    match q.done.as_str() {
        "paused" => Some((
            format!("{title} is paused"),
            "It will not be sent, by the schedule or round-ups, until it is resumed.".into(),
        )),
        "resumed" => Some((
            format!("{title} is running again"),
            "Its next sends below go out as scheduled.".into(),
        )),
        _ => None,
    }
}

/// Pauses or resumes a campaign and audits it: the console's buttons and the API's calls.
pub async fn set_paused_audited(
    state: &AppState,
    staff: &Staff,
    slug: &str,
    paused: bool,
) -> crate::web::Result<()> {
    if !state.store.set_campaign_paused(slug, paused).await? {
        return Err(Error::NotFound);
    }
    let action = if paused {
        "campaign.pause"
    } else {
        "campaign.resume"
    };
    staff.audit(state, action, Some(slug)).await;
    Ok(())
}

async fn set_paused(
    state: AppState,
    staff: Staff,
    slug: String,
    paused: bool,
) -> crate::web::Result {
    set_paused_audited(&state, &staff, &slug, paused).await?;
    let done = if paused { "paused" } else { "resumed" };
    Ok(Redirect::to(&format!(
        "/admin/calendar?done={done}&campaign={slug}#banner"
    ))
    .into_response())
}

pub async fn pause(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result {
    set_paused(state, staff, slug, true).await
}

pub async fn resume(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result {
    set_paused(state, staff, slug, false).await
}

/// Upcoming sends for the next 120 days as iCalendar, for the team's own calendars. Paused
/// campaigns are left out: they will not be sent.
pub async fn ics(State(state): State<AppState>) -> crate::web::Result {
    ics_response(&state).await
}

/// The iCalendar of upcoming sends, for a signed-in request or a secret calendar address.
pub async fn ics_response(state: &AppState) -> crate::web::Result {
    let now = Utc::now();
    let cal = state.calendar.get();
    let paused = state.store.paused_campaigns().await?;
    let mut ical = icalendar::Calendar::new();
    ical.name("Beacon: community safety sends");
    for u in upcoming(&cal, now, now + Duration::days(120), None, &paused)
        .into_iter()
        .filter(|u| !u.paused)
    {
        let Some(c) = cal.campaign(&u.campaign) else {
            continue;
        };
        let start = Utc.from_utc_datetime(&u.instant.naive_utc());
        ical.push(
            icalendar::Event::new()
                .uid(&format!("{}-{}@beacon", c.slug, u.instant.timestamp()))
                .summary(&format!("Send: {}", c.title))
                .description(&format!(
                    "{}\nAreas: {}\nChannels: {}\n{}/admin/campaigns/{}",
                    c.subject,
                    describe::area_names(&cal.areas, &c.areas),
                    describe::channel_names(&u.channels),
                    state.base_url(),
                    c.slug
                ))
                .starts(start)
                .ends(start + Duration::minutes(15))
                .done(),
        );
    }
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ical.done().to_string(),
    )
        .into_response())
}
