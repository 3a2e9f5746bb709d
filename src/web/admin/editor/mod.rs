//! Writing campaigns in the console: create, edit and copy a campaign in words, preview it as
//! residents will see it, and save it as a draft or scheduled. The files stay the calendar:
//! every save is checked by the loader and written to `campaigns/<slug>.md` (see `publish`);
//! the history, diffs, restores and approvals are in `history`.

mod history;
mod publish;
mod submit;
mod view;

pub use history::{approve, diff, list, reject, restore, show as history};
pub use submit::{email, submit};

use super::{AppState, Chrome, Staff};
use crate::calendar::editing::when::{self, WhenForm};
use crate::calendar::editing::{self, CampaignForm};
use crate::domain::{Campaign, Role};
use crate::web::Error;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use chrono::Utc;
use view::{EditorPage, PendingNote};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn form_of(c: &Campaign) -> CampaignForm {
    CampaignForm {
        title: c.title.clone(),
        priority: c.priority.slug().into(),
        lead: c.lead.clone(),
        areas: c.areas.iter().map(|a| a.slug().to_string()).collect(),
        channels: c.channels.iter().map(|c| c.as_str().to_string()).collect(),
        subject: c.subject.clone(),
        summary: c.summary.clone(),
        body: c.body.clone(),
    }
}

/// What a page is about, besides the values.
struct Frame {
    heading: String,
    original: String,
    copy_of: String,
    slug: String,
    base_hash: String,
    draft: bool,
    reason: String,
    done: String,
    /// The area the preview is for.
    area: String,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    frame: Frame,
    form: CampaignForm,
    when: WhenForm,
    problems: Vec<(&'static str, String)>,
    candidate: Option<(&crate::calendar::Calendar, &Campaign)>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let blank = view::choices(&cal, &form, &when);
    let paused: Vec<String> = state
        .store
        .campaigns()
        .await?
        .into_iter()
        .filter(|s| s.paused)
        .map(|s| s.slug)
        .collect();
    let preview = match candidate {
        Some((with, c)) => Some(
            view::preview(state, with, c, &frame.area, &paused, Utc::now())
                .map_err(Error::internal)?,
        ),
        None => None,
    };
    let pending = if frame.original.is_empty() {
        None
    } else {
        state
            .store
            .pending_revisions()
            .await?
            .into_iter()
            .rfind(|r| r.slug == frame.original)
            .map(|r| PendingNote {
                revision_id: r.revision_id,
                author: r.author,
                when: view::in_words(r.created_at),
            })
    };
    Ok(super::render(&EditorPage {
        chrome: Chrome::new(staff, "calendar"),
        errors: view::summary(problems),
        heading: frame.heading,
        original: frame.original,
        copy_of: frame.copy_of,
        slug: frame.slug,
        base_hash: frame.base_hash,
        form,
        when,
        draft: frame.draft,
        reason: frame.reason,
        priorities: blank.priorities,
        area_choices: blank.area_choices,
        channel_choices: blank.channel_choices,
        repeat_choices: blank.repeat_choices,
        weekday_choices: blank.weekday_choices,
        months: blank.months,
        preview,
        pending,
        held_for_approval: state.config.calendar.require_approval && !staff.can(Role::Admin),
        done: frame.done,
    })
    .into_response())
}

/// `GET /admin/editor/new`: a blank campaign, sent once at 09:00 by e-mail and feed.
pub async fn new(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    let form = CampaignForm {
        channels: vec!["email".into(), "feed".into()],
        ..CampaignForm::default()
    };
    let when = WhenForm {
        repeat: "once".into(),
        time: "09:00".into(),
        ..WhenForm::default()
    };
    let frame = Frame {
        heading: "New campaign".into(),
        original: String::new(),
        copy_of: String::new(),
        slug: String::new(),
        base_hash: String::new(),
        draft: true,
        reason: String::new(),
        done: String::new(),
        area: String::new(),
    };
    page(&state, &staff, frame, form, when, vec![], None).await
}

/// The calendar as the files are now: a file changed by hand since the last load is picked
/// up (and so recorded in its history as edited on the server) before anyone edits it.
async fn fresh(
    state: &AppState,
    slug: &str,
) -> Result<std::sync::Arc<crate::calendar::Calendar>, Error> {
    let cal = state.calendar.get();
    let loaded = cal
        .campaign_or_draft(slug)
        .map(|(c, _)| c.content_hash.clone());
    let on_disk = publish::current_text(state, slug)?.map(|t| editing::hash(&t));
    if on_disk.is_some()
        && loaded != on_disk
        && let Ok(new) = crate::calendar::load(&cal.dir)
    {
        publish::reload(state, new).await?;
    }
    Ok(state.calendar.get())
}

/// `GET /admin/editor/{slug}`: the campaign's form, with its preview.
pub async fn edit(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Query(q): Query<Done>,
) -> crate::web::Result {
    let cal = fresh(&state, &slug).await?;
    let (c, draft) = cal.campaign_or_draft(&slug).ok_or(Error::NotFound)?;
    let frame = Frame {
        heading: format!("Change “{}”", c.title),
        original: slug.clone(),
        copy_of: String::new(),
        slug: slug.clone(),
        base_hash: c.content_hash.clone(),
        draft,
        reason: String::new(),
        done: q.done,
        area: String::new(),
    };
    page(
        &state,
        &staff,
        frame,
        form_of(c),
        when::from_campaign(c),
        vec![],
        Some((&cal, c)),
    )
    .await
}

/// `GET /admin/editor/{slug}/duplicate`: a new campaign starting as a copy, saved as a draft.
pub async fn duplicate(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let (c, _) = cal.campaign_or_draft(&slug).ok_or(Error::NotFound)?;
    let mut form = form_of(c);
    form.title = format!("Copy of {}", c.title);
    let frame = Frame {
        heading: format!("Copy “{}”", c.title),
        original: String::new(),
        copy_of: slug.clone(),
        slug: format!("{slug}-copy"),
        base_hash: String::new(),
        draft: true,
        reason: String::new(),
        done: String::new(),
        area: String::new(),
    };
    page(
        &state,
        &staff,
        frame,
        form,
        when::from_campaign(c),
        vec![],
        None,
    )
    .await
}
