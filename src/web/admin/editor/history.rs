//! A campaign's history in the console: every version with who, when and why, what each
//! changed (a line diff), restoring an older version, and an admin's approval or rejection of
//! an editor's held change. Also the list of drafts and of changes waiting for approval.

use super::super::{AppState, Chrome, Staff};
use super::publish::{self, Change, Outcome, Record};
use super::view::in_words;
use crate::domain::Role;
use crate::store::{Revision, RevisionState};
use crate::web::{Error, Explain};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum_extra::extract::Form;
use chrono::Utc;

/// A version as the history table shows it.
pub struct Row {
    pub id: i64,
    pub when: String,
    pub who: String,
    pub what: String,
    pub reason: String,
    pub current: bool,
}

fn state_words(r: &Revision) -> String {
    match r.state {
        RevisionState::Saved => "Saved in the console".into(),
        RevisionState::Server => "Edited on the server".into(),
        RevisionState::Pending => "Waiting for approval".into(),
        RevisionState::Approved => format!(
            "Approved by {}",
            r.decided_by.as_deref().unwrap_or("an admin")
        ),
        RevisionState::Rejected => format!(
            "Not approved by {}",
            r.decided_by.as_deref().unwrap_or("an admin")
        ),
        RevisionState::Superseded => "Replaced by a later change before approval".into(),
    }
}

#[derive(askama::Template)]
#[template(path = "admin/editor_history.html")]
struct HistoryPage {
    chrome: Chrome,
    slug: String,
    title: String,
    rows: Vec<Row>,
}

/// `GET /admin/editor/{slug}/history`.
pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
) -> crate::web::Result {
    let revisions = state.store.revisions(&slug, 200).await?;
    let cal = state.calendar.get();
    let Some(first) = revisions.first() else {
        return Err(Error::NotFound);
    };
    let disk = publish::current_text(&state, &slug)?.map(|t| crate::calendar::editing::hash(&t));
    let title = cal
        .campaign_or_draft(&slug)
        .map_or_else(|| first.slug.clone(), |(c, _)| c.title.clone());
    let mut marked = false;
    let rows = revisions
        .iter()
        .map(|r| {
            let current = !marked && r.state.on_disk() && disk.as_deref() == Some(&r.content_hash);
            marked |= current;
            Row {
                id: r.revision_id,
                when: in_words(r.created_at),
                who: r.author.clone(),
                what: state_words(r),
                reason: r.reason.clone(),
                current,
            }
        })
        .collect();
    Ok(super::super::render(&HistoryPage {
        chrome: Chrome::new(&staff, "calendar"),
        slug,
        title,
        rows,
    }))
}

/// One line of a diff.
pub struct DiffLine {
    /// `added`, `removed` or `same`.
    pub kind: &'static str,
    pub text: String,
}

#[derive(askama::Template)]
#[template(path = "admin/editor_diff.html")]
struct DiffPage {
    chrome: Chrome,
    slug: String,
    id: i64,
    heading: String,
    against: String,
    lines: Vec<DiffLine>,
    can_restore: bool,
    can_decide: bool,
    base_hash: String,
}

fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            out.push(DiffLine {
                kind: "gap",
                text: "…".into(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    similar::ChangeTag::Delete => "removed",
                    similar::ChangeTag::Insert => "added",
                    similar::ChangeTag::Equal => "same",
                };
                out.push(DiffLine {
                    kind,
                    text: change.value().trim_end_matches('\n').to_string(),
                });
            }
        }
    }
    out
}

/// `GET /admin/editor/{slug}/history/{id}`: what a version changed, against the version on
/// disk before it (a held change: against the file now).
pub async fn diff(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path((slug, id)): Path<(String, i64)>,
) -> crate::web::Result {
    let r = state
        .store
        .revision(id)
        .await?
        .filter(|r| r.slug == slug)
        .ok_or(Error::NotFound)?;
    let disk = publish::current_text(&state, &slug)?;
    let (old, against) = if r.state == RevisionState::Pending {
        (
            disk.clone().unwrap_or_default(),
            "the campaign as it is now".to_string(),
        )
    } else {
        let before = state
            .store
            .revisions(&slug, 500)
            .await?
            .into_iter()
            .find(|p| p.revision_id < id && p.state.on_disk());
        match before {
            Some(p) => (
                p.content,
                format!("the version of {}", in_words(p.created_at)),
            ),
            None => (String::new(), "nothing (the first version)".into()),
        }
    };
    let disk_hash = disk
        .as_deref()
        .map(crate::calendar::editing::hash)
        .unwrap_or_default();
    Ok(super::super::render(&DiffPage {
        can_restore: staff.can(Role::Editor)
            && r.state != RevisionState::Pending
            && r.content_hash != disk_hash,
        can_decide: staff.can(Role::Admin) && r.state == RevisionState::Pending,
        chrome: Chrome::new(&staff, "calendar"),
        heading: format!(
            "{} by {}, {}",
            state_words(&r),
            r.author,
            in_words(r.created_at)
        ),
        against,
        lines: diff_lines(&old, &r.content),
        slug,
        id,
        base_hash: disk_hash,
    }))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RevisionForm {
    revision_id: i64,
    base_hash: String,
    reason: String,
}

fn refused(problems: crate::calendar::editing::FieldProblems) -> Error {
    let detail = problems
        .into_iter()
        .map(|(_, m)| m)
        .collect::<Vec<_>>()
        .join(" ");
    Error::Conflict(Explain::new("That change was not made", detail))
}

/// The version `id` of `slug` (only if still held, with `held`).
async fn version(state: &AppState, slug: &str, id: i64, held: bool) -> Result<Revision, Error> {
    state
        .store
        .revision(id)
        .await?
        .filter(|r| r.slug == slug && (!held || r.state == RevisionState::Pending))
        .ok_or(Error::NotFound)
}

/// Writes (or holds) a version's text, then goes back to the form with `done`.
async fn write_back(
    state: &AppState,
    staff: &Staff,
    change: &Change<'_>,
    record: Record,
    done: &str,
) -> crate::web::Result {
    let slug = change.slug;
    match publish::save(state, staff, change, record).await? {
        Ok(Outcome::Held) => Ok(Redirect::to("/admin/editor?done=held").into_response()),
        Ok(Outcome::Written) => {
            Ok(Redirect::to(&format!("/admin/editor/{slug}?done={done}")).into_response())
        }
        Err(p) => Err(refused(p)),
    }
}

/// `POST /admin/editor/{slug}/restore`: writes an older version back, as a new save (held for
/// approval like any editor's change when approval is on).
pub async fn restore(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(f): Form<RevisionForm>,
) -> crate::web::Result {
    let r = version(&state, &slug, f.revision_id, false).await?;
    let reason = if f.reason.trim().is_empty() {
        format!("restored the version of {}", in_words(r.created_at))
    } else {
        f.reason.trim().to_string()
    };
    let record = publish::record_for(
        &state,
        &staff,
        crate::calendar::editing::is_draft(&r.content),
    );
    let change = Change {
        slug: &slug,
        text: &r.content,
        base_hash: &f.base_hash,
        reason: &reason,
    };
    write_back(&state, &staff, &change, record, "restored").await
}

/// `POST /admin/editor/{slug}/approve`: an admin writes a held change to the file.
pub async fn approve(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(f): Form<RevisionForm>,
) -> crate::web::Result {
    let r = version(&state, &slug, f.revision_id, true).await?;
    let reason = format!("approved: {}", r.reason);
    let change = Change {
        slug: &slug,
        text: &r.content,
        base_hash: &r.base_hash,
        reason: &reason,
    };
    write_back(
        &state,
        &staff,
        &change,
        Record::Approve(r.revision_id),
        "approved",
    )
    .await
}

/// `POST /admin/editor/{slug}/reject`: an admin turns a held change down; the file stays.
pub async fn reject(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(slug): Path<String>,
    Form(f): Form<RevisionForm>,
) -> crate::web::Result {
    if !state
        .store
        .decide_revision(
            f.revision_id,
            RevisionState::Rejected,
            &staff.actor,
            Utc::now(),
        )
        .await?
    {
        return Err(Error::NotFound);
    }
    staff
        .audit(
            &state,
            "campaign.reject",
            Some(&format!("{slug}: revision {}", f.revision_id)),
        )
        .await;
    Ok(Redirect::to(&format!("/admin/editor/{slug}/history")).into_response())
}

/// A draft or held change in the list.
pub struct Item {
    pub slug: String,
    pub title: String,
    pub note: String,
    pub link: String,
}

#[derive(askama::Template)]
#[template(path = "admin/editor_list.html")]
struct ListPage {
    chrome: Chrome,
    drafts: Vec<Item>,
    pending: Vec<Item>,
    done: String,
}

/// `GET /admin/editor`: drafts, and changes waiting for approval.
pub async fn list(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<super::Done>,
) -> crate::web::Result {
    let cal = state.calendar.get();
    let drafts = cal
        .drafts
        .iter()
        .map(|c| Item {
            slug: c.slug.clone(),
            title: c.title.clone(),
            note: String::new(),
            link: format!("/admin/editor/{}", c.slug),
        })
        .collect();
    let pending = state
        .store
        .pending_revisions()
        .await?
        .into_iter()
        .map(|r| Item {
            title: cal
                .campaign_or_draft(&r.slug)
                .map_or_else(|| r.slug.clone(), |(c, _)| c.title.clone()),
            note: format!("by {}, {}: {}", r.author, in_words(r.created_at), r.reason),
            link: format!("/admin/editor/{}/history/{}", r.slug, r.revision_id),
            slug: r.slug,
        })
        .collect();
    Ok(super::super::render(&ListPage {
        chrome: Chrome::new(&staff, "calendar"),
        drafts,
        pending,
        done: q.done,
    }))
}
