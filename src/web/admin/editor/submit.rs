//! What the editor's form posts: the form's own checks, then the loader's, then a preview,
//! the HTML e-mail on its own, or a save (see `publish`).

use super::publish::{self, Change, Outcome};
use super::{AppState, Frame, Staff, page};
use crate::calendar::editing::when::{self, WhenForm};
use crate::calendar::editing::{self, CampaignForm};
use crate::web::Error;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::Form;

/// Everything the editor's form posts.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EditorPost {
    original: String,
    copy_of: String,
    slug: String,
    base_hash: String,
    reason: String,
    action: String,
    preview_area: String,
    title: String,
    priority: String,
    lead: String,
    areas: Vec<String>,
    channels: Vec<String>,
    subject: String,
    summary: String,
    body: String,
    repeat: String,
    date: String,
    time: String,
    weekdays: Vec<String>,
    day_of_month: String,
    cron: String,
    season_from_day: String,
    season_from_month: String,
    season_to_day: String,
    season_to_month: String,
    starts: String,
    ends: String,
}

impl EditorPost {
    fn split(self) -> (CampaignForm, WhenForm) {
        (
            CampaignForm {
                title: self.title,
                priority: self.priority,
                lead: self.lead,
                areas: self.areas,
                channels: self.channels,
                subject: self.subject,
                summary: self.summary,
                body: self.body,
            },
            WhenForm {
                repeat: self.repeat,
                date: self.date,
                time: self.time,
                weekdays: self.weekdays,
                day_of_month: self.day_of_month,
                cron: self.cron,
                season_from_day: self.season_from_day,
                season_from_month: self.season_from_month,
                season_to_day: self.season_to_day,
                season_to_month: self.season_to_month,
                starts: self.starts,
                ends: self.ends,
            },
        )
    }
}

/// A new campaign's short name: a slug the editor's own addresses do not use.
fn is_slug(s: &str) -> bool {
    editing::is_slug(s) && s.len() <= 80 && !matches!(s, "new" | "email")
}

/// The form's own checks, before the loader's: what is missing, in plain words.
fn required(form: &CampaignForm) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (field, value, message) in [
        ("title", &form.title, "Enter a title"),
        ("priority", &form.priority, "Choose the topic it belongs to"),
        ("lead", &form.lead, "Enter the partner that leads it"),
        ("subject", &form.subject, "Enter the e-mail subject"),
        ("summary", &form.summary, "Enter a one-line summary"),
        ("body", &form.body, "Write the message residents will read"),
    ] {
        if value.trim().is_empty() {
            out.push((field, message.to_string()));
        }
    }
    if form.areas.is_empty() {
        out.push(("areas", "Choose at least one area".into()));
    }
    if form.channels.is_empty() {
        out.push(("channels", "Choose at least one way to send it".into()));
    }
    out
}

/// `POST /admin/editor/email`: the unsaved change's HTML e-mail, as residents will see it.
pub async fn email(
    State(state): State<AppState>,
    Form(post): Form<EditorPost>,
) -> crate::web::Result {
    let slug = if post.original.trim().is_empty() {
        post.slug.trim().to_string()
    } else {
        post.original.trim().to_string()
    };
    let area = post.preview_area.clone();
    let existing = publish::current_text(&state, &slug)?;
    let (form, when_form) = post.split();
    let mut problems = required(&form);
    let text = match when::to_file(&when_form) {
        Ok(w) if problems.is_empty() => {
            editing::compose(existing.as_deref(), false, &form, &w, false)
        }
        Ok(_) => String::new(),
        Err(e) => {
            problems.extend(e);
            String::new()
        }
    };
    let cal = state.calendar.get();
    let checked = if problems.is_empty() {
        editing::check(&cal.dir, &publish::file_of(&state, &slug), &text)
            .map_err(|p| problems.extend(p))
            .ok()
    } else {
        None
    };
    let Some((_, c)) = checked.as_ref().and_then(|k| {
        k.calendar
            .campaign_or_draft(&slug)
            .map(|(c, _)| (&k.calendar, c))
    }) else {
        let detail = problems
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join(" ");
        return Err(Error::Unprocessable(crate::web::Explain::new(
            "Fix the campaign before previewing it",
            detail,
        )));
    };
    let (_, _, name) = super::super::campaign::areas_of(&state, c, &area);
    let body = super::super::campaign::render_email(&state, c, &name).map_err(Error::internal)?;
    Ok(super::super::campaign::email_page(body.html))
}

/// `POST /admin/editor`: preview, save as a draft, or save and schedule.
pub async fn submit(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(post): Form<EditorPost>,
) -> crate::web::Result {
    let original = post.original.trim().to_string();
    let copy_of = post.copy_of.trim().to_string();
    let slug = if original.is_empty() {
        post.slug.trim().to_string()
    } else {
        original.clone()
    };
    let action = post.action.clone();
    let draft = action == "draft";
    let reason = post.reason.trim().to_string();
    let base_hash = post.base_hash.clone();
    let area = post.preview_area.clone();
    let (form, when_form) = post.split();
    if !original.is_empty() && !editing::is_slug(&original) {
        return Err(Error::NotFound);
    }
    let mut problems = Vec::new();
    if original.is_empty() && !is_slug(&slug) {
        problems.push((
            "slug",
            "Enter a web address name of lower-case letters, digits and hyphens, like courier-fraud-chesham".into(),
        ));
    }
    problems.extend(required(&form));
    let when_file = when::to_file(&when_form)
        .map_err(|e| problems.extend(e))
        .ok();
    let cal = state.calendar.get();
    let existing = match (original.is_empty(), copy_of.is_empty()) {
        (false, _) => publish::current_text(&state, &original)?,
        (true, false) => publish::current_text(&state, &copy_of)?,
        (true, true) => None,
    };
    let mut checked = None;
    let mut text = String::new();
    if let (true, Some(w)) = (problems.is_empty(), &when_file) {
        text = editing::compose(existing.as_deref(), original.is_empty(), &form, w, draft);
        match editing::check(&cal.dir, &publish::file_of(&state, &slug), &text) {
            Ok(c) => checked = Some(c.calendar),
            Err(p) => problems.extend(p),
        }
    }
    let frame = |done: &str| Frame {
        heading: if original.is_empty() {
            "New campaign".into()
        } else {
            format!("Change “{}”", form.title)
        },
        original: original.clone(),
        copy_of: copy_of.clone(),
        slug: slug.clone(),
        base_hash: base_hash.clone(),
        draft,
        reason: reason.clone(),
        done: done.into(),
        area: area.clone(),
    };
    if problems.is_empty() && matches!(action.as_str(), "draft" | "schedule") {
        let record = publish::record_for(&state, &staff, draft);
        let default_reason = if original.is_empty() {
            "created"
        } else {
            "changed"
        };
        let change = Change {
            slug: &slug,
            text: &text,
            base_hash: if original.is_empty() { "" } else { &base_hash },
            reason: if reason.is_empty() {
                default_reason
            } else {
                &reason
            },
        };
        match publish::save(&state, &staff, &change, record).await? {
            Ok(outcome) => {
                let to = match (outcome, draft) {
                    // A held new campaign has no file yet, so no form to come back to.
                    (Outcome::Held, _) => "/admin/editor?done=held".to_string(),
                    (Outcome::Written, true) => format!("/admin/editor/{slug}?done=draft"),
                    (Outcome::Written, false) => format!("/admin/editor/{slug}?done=scheduled"),
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(p) => problems.extend(p),
        }
    }
    let candidate = checked
        .as_ref()
        .and_then(|cal| cal.campaign_or_draft(&slug).map(|(c, _)| (cal, c)));
    page(
        &state,
        &staff,
        frame(""),
        form,
        when_form,
        problems,
        candidate,
    )
    .await
}
