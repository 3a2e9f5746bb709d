//! Saving a campaign from the console: the version check ("changed by X since you opened it"),
//! the loader's check of the whole calendar with the change in place, the atomic write of
//! `campaigns/<slug>.md`, its history entry, and the reload this and every other `serve`
//! process picks up. Under `calendar.require_approval`, an editor's change is held instead:
//! recorded as pending, the file (and so what sends) unchanged until an admin approves.

use super::super::{AppState, Staff};
use crate::calendar::editing::{self, FieldProblems, hash, write::write_atomic};
use crate::store::{NewRevision, RevisionState};
use crate::web::Error;
use chrono::Utc;
use std::path::PathBuf;

/// One save at a time in this process, so the version check and the write cannot interleave.
static SAVING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A change to write.
pub struct Change<'a> {
    pub slug: &'a str,
    pub text: &'a str,
    /// The file's hash when the change was begun; `""` for a new campaign.
    pub base_hash: &'a str,
    pub reason: &'a str,
}

/// How the change is recorded.
#[derive(Debug, Clone, Copy)]
pub enum Record {
    /// A new history entry in this state (`Saved`, or `Pending` to hold it for approval).
    New(RevisionState),
    /// A pending change an admin approved.
    Approve(i64),
}

/// What became of a change the checks accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Written,
    Held,
}

/// How a save by `staff` is recorded: under `calendar.require_approval`, an editor's change
/// that can send (anything but a draft) is held for an admin; everything else is written.
pub fn record_for(state: &AppState, staff: &Staff, draft: bool) -> Record {
    let hold =
        state.config.calendar.require_approval && !staff.can(crate::domain::Role::Admin) && !draft;
    Record::New(if hold {
        RevisionState::Pending
    } else {
        RevisionState::Saved
    })
}

/// Where a campaign's file is (or would be).
pub fn file_of(state: &AppState, slug: &str) -> PathBuf {
    let cal = state.calendar.get();
    cal.files
        .get(slug)
        .cloned()
        .unwrap_or_else(|| cal.dir.join(format!("{slug}.md")))
}

/// The file's text now, if it exists (and `slug` is one: never a path of someone's choosing).
pub fn current_text(state: &AppState, slug: &str) -> Result<Option<String>, Error> {
    if !editing::is_slug(slug) {
        return Ok(None);
    }
    match std::fs::read_to_string(file_of(state, slug)) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::internal(e)),
    }
}

async fn stale(
    state: &AppState,
    c: &Change<'_>,
    now: Option<&str>,
) -> Result<FieldProblems, Error> {
    let Some(now) = now else {
        return Ok(vec![(
            "form",
            "This campaign was deleted since you opened it; nothing was saved.".into(),
        )]);
    };
    if c.base_hash.is_empty() {
        return Ok(vec![(
            "slug",
            format!(
                "A campaign with the address `{}` already exists; choose another",
                c.slug
            ),
        )]);
    }
    let who = match state.store.last_on_disk(c.slug).await? {
        Some(r) if r.content_hash == hash(now) => r.author,
        _ => "someone on the server".into(),
    };
    Ok(vec![(
        "form",
        format!(
            "This campaign was changed by {who} since you opened it. Nothing was saved: open it again to see their changes, then make yours."
        ),
    )])
}

/// Checks and writes (or holds) a change; `Ok(Err(problems))` when it is refused.
pub async fn save(
    state: &AppState,
    staff: &Staff,
    c: &Change<'_>,
    record: Record,
) -> Result<Result<Outcome, FieldProblems>, Error> {
    if !editing::is_slug(c.slug) {
        return Ok(Err(vec![(
            "slug",
            "Enter a short name of lower-case letters, digits and hyphens".into(),
        )]));
    }
    let _one_at_a_time = SAVING.lock().await;
    let path = file_of(state, c.slug);
    let on_disk = current_text(state, c.slug)?;
    let disk_hash = on_disk.as_deref().map(hash).unwrap_or_default();
    if disk_hash != c.base_hash {
        return Ok(Err(stale(state, c, on_disk.as_deref()).await?));
    }
    let dir = state.calendar.get().dir.clone();
    let checked = match editing::check(&dir, &path, c.text) {
        Ok(checked) => checked,
        Err(problems) => return Ok(Err(problems)),
    };
    let now = Utc::now();
    let new_hash = hash(c.text);
    let entry = |st| NewRevision {
        slug: c.slug,
        content: c.text,
        content_hash: &new_hash,
        base_hash: c.base_hash,
        state: st,
        author: &staff.actor,
        user_id: staff.user_id,
        reason: c.reason,
    };
    if let Record::New(RevisionState::Pending) = record {
        state
            .store
            .add_revision(&entry(RevisionState::Pending), now)
            .await?;
        staff
            .audit(
                state,
                "campaign.change_held",
                Some(&format!("{}: {}", c.slug, c.reason)),
            )
            .await;
        return Ok(Ok(Outcome::Held));
    }
    write_atomic(&path, c.text).map_err(Error::internal)?;
    match record {
        Record::New(st) => {
            state.store.add_revision(&entry(st), now).await?;
        }
        Record::Approve(id) => {
            state
                .store
                .decide_revision(id, RevisionState::Approved, &staff.actor, now)
                .await?;
        }
    }
    let action = match record {
        Record::Approve(_) => "campaign.approve",
        Record::New(_) => "campaign.save",
    };
    staff
        .audit(state, action, Some(&format!("{}: {}", c.slug, c.reason)))
        .await;
    reload(state, checked.calendar).await?;
    Ok(Ok(Outcome::Written))
}

/// Puts the new calendar in place here and asks every other `serve` to reload, as
/// `beacon reload` does.
pub async fn reload(state: &AppState, cal: crate::calendar::Calendar) -> Result<(), Error> {
    let now = Utc::now();
    let files = editing::file_texts(&cal);
    state
        .store
        .sync_calendar(&cal.areas, &cal.campaigns, &files, now)
        .await?;
    state.calendar.replace(cal);
    state.store.request_calendar_reload(now).await?;
    Ok(())
}
