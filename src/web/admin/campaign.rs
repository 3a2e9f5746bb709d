//! One campaign: its e-mail and feed entry as residents of a chosen area will see them, a test
//! send to yourself, the way to "send now" (see `send`), and its history.

use super::{AppState, Chrome, Staff, describe};
use crate::auth::token::random_id;
use crate::domain::Campaign;
use crate::render::email::{CampaignContent, EmailTemplate};
use crate::render::words::{self, filters};
use crate::store::{RunSummary, Transactional};
use crate::web::{Error, Explain};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect};
use axum_extra::extract::Form;
use chrono::Utc;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AreaQuery {
    area: String,
    done: String,
}

pub struct AreaOption {
    pub slug: String,
    pub name: String,
    pub selected: bool,
}

#[derive(askama::Template)]
#[template(path = "admin/campaign.html")]
struct CampaignPage {
    chrome: Chrome,
    slug: String,
    title: String,
    subject: String,
    summary: String,
    topic: String,
    lead: String,
    /// The schedule in words, or its cron text with the next sends.
    schedule: String,
    season: String,
    /// The areas it covers, by name.
    area_names: String,
    channels: String,
    /// The next sends, UK time in words.
    next: Vec<String>,
    paused: bool,
    /// Residents a send now would reach (the fan-out's own count), and those it leaves out.
    reach: String,
    already_had_it: String,
    areas: Vec<AreaOption>,
    area: String,
    text_preview: String,
    feed_html: String,
    runs: Vec<RunSummary>,
    done: String,
    repeat_window: String,
    /// `admin/campaign_feedback.html`.
    feedback: super::campaign_feedback::FeedbackView,
}

/// How a run's status reads, and the tag's look: the true state, not the fan-out's stage.
pub fn run_status(state: &crate::domain::RunState) -> (&'static str, &'static str) {
    use crate::domain::RunState;
    match state {
        RunState::Queued => ("Queued", "tag--grey"),
        RunState::Sending => ("Sending", "tag--blue"),
        RunState::Sent => ("Sent", "tag--green"),
        RunState::SentWithFailures => ("Sent, some failed", "tag--red"),
        RunState::Skipped => ("Skipped", "tag--grey"),
    }
}

pub(super) fn render_email(
    state: &AppState,
    c: &Campaign,
    area_name: &str,
) -> Result<crate::render::email::EmailBody, askama::Error> {
    let template = EmailTemplate::render(&CampaignContent {
        subject: &c.subject,
        title: &c.title,
        body_markdown: &c.body,
        lead: &c.lead,
        archive_url: &format!("{}/messages/preview", state.base_url()),
        area_name,
        topic_label: c.priority.resident_label(),
        base_url: state.base_url(),
        survey: c.survey,
    })?;
    Ok(template.personalise(
        &format!("{}/manage/PREVIEW", state.base_url()),
        &format!("{}/unsubscribe/PREVIEW", state.base_url()),
        "PREVIEW",
    ))
}

/// The campaign's own areas, and the chosen one's name.
pub(super) fn areas_of(
    state: &AppState,
    c: &Campaign,
    chosen: &str,
) -> (Vec<AreaOption>, String, String) {
    let cal = state.calendar.get();
    let own = cal.areas.expand(&c.areas);
    let pick = own
        .iter()
        .find(|a| a.slug == chosen)
        .or(own.first())
        .map(|a| (a.slug.clone(), a.name.clone()))
        .unwrap_or_default();
    let options = own
        .iter()
        .map(|a| AreaOption {
            slug: a.slug.clone(),
            name: a.name.clone(),
            selected: a.slug == pick.0,
        })
        .collect();
    (options, pick.0, pick.1)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Query(q): Query<AreaQuery>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let c = cal.campaign(&slug).ok_or(Error::NotFound)?;
    let (areas, area, area_name) = areas_of(&state, c, &q.area);
    let body = render_email(&state, c, &area_name).map_err(Error::internal)?;
    let runs = state.store.campaign_runs(&slug, 20).await?;
    let now = Utc::now();
    let plan = state
        .scheduler
        .plan_send(
            &crate::scheduler::SendRequest {
                slug: slug.clone(),
                ..Default::default()
            },
            now,
        )
        .await?;
    let paused = state.store.paused_campaigns().await?.contains(&c.slug);
    Ok(super::render(&CampaignPage {
        chrome: Chrome::new(&staff, "calendar"),
        slug: c.slug.clone(),
        title: c.title.clone(),
        subject: c.subject.clone(),
        summary: c.summary.clone(),
        topic: c.priority.resident_label().into(),
        lead: c.lead.clone(),
        schedule: describe::schedule_or_cron(c, now, true),
        season: describe::season(c),
        area_names: describe::area_names(&cal.areas, &c.areas),
        channels: describe::channel_names(&c.channels),
        next: c
            .fires_between(now, now + chrono::Duration::days(400))
            .take(3)
            .map(words::when)
            .collect(),
        paused,
        reach: words::thousands(plan.audience.residents()),
        already_had_it: words::thousands(plan.audience.already_had_it),
        areas,
        area,
        text_preview: body.text,
        feed_html: crate::render::markdown::to_html(&c.body),
        runs,
        done: q.done,
        feedback: super::campaign_feedback::view(&state, &staff, &slug).await?,
        repeat_window: crate::domain::sending::describe(
            c.repeat_after
                .unwrap_or(state.scheduler.rules.repeat_window),
        ),
    }))
}

/// The e-mail's HTML as a resident will see it, on a page of its own.
pub async fn preview(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<AreaQuery>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let c = cal.campaign(&slug).ok_or(Error::NotFound)?;
    let (_, _, area_name) = areas_of(&state, c, &q.area);
    let b = render_email(&state, c, &area_name).map_err(Error::internal)?;
    Ok(email_page(b.html))
}

/// A rendered e-mail as a page of its own, allowed nothing but its own inline styles.
pub(super) fn email_page(html: String) -> axum::response::Response {
    let mut r = Html(html).into_response();
    // The e-mail's own inline styles, nothing else.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    r
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SendForm {
    area: String,
}

pub async fn test(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(form): Form<SendForm>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let c = cal.campaign(&slug).ok_or(Error::NotFound)?;
    let to = staff.email.clone().ok_or_else(|| {
        Error::BadRequest(Explain::new(
            "A test needs a person",
            "Sign in as yourself to send a test to your own address.",
        ))
    })?;
    let (_, area, area_name) = areas_of(&state, c, &form.area);
    let body = render_email(&state, c, &area_name).map_err(Error::internal)?;
    let msg = Transactional {
        dedupe_key: format!("test:{slug}:{}", random_id()),
        subscriber_id: None,
        kind: crate::domain::OutboxKind::Test,
        payload: serde_json::json!({
            "to": to,
            "subject": format!("[TEST] {}", c.subject),
            "text": body.text,
            "html": body.html,
        }),
    };
    state.store.enqueue(&msg, Utc::now()).await?;
    staff
        .audit(&state, "campaign.test", Some(&format!("{slug} for {area}")))
        .await;
    Ok(Redirect::to(&format!("/admin/campaigns/{slug}?area={area}&done=test")).into_response())
}
