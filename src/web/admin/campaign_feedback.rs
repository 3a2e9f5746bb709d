//! The campaign page's "Did this message help you feel safer?" part: answers per area, each
//! count under 10 shown as "<10" (and no totals, so none can be recovered by subtraction), and
//! for editors the "What would help?" comments with a "hide" action that is audited.

use super::{AppState, Staff};
use crate::domain::Role;
use crate::domain::survey::Helpful;
use crate::store::FeedbackCounts;
use crate::web::Error;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};

/// Counts under this are shown as "<10".
const SMALL_CELL: i64 = 10;
/// Comments shown at once, newest first.
const COMMENTS_SHOWN: i64 = 100;

/// One area's answers as shown.
pub struct AreaAnswers {
    pub area: String,
    pub yes: String,
    pub no: String,
    pub not_sure: String,
}

/// One comment as editors see it.
pub struct CommentView {
    pub id: i64,
    pub area: String,
    pub answer: &'static str,
    pub when: String,
    pub body: String,
    pub hidden: bool,
}

/// What `admin/campaign_feedback.html` shows.
#[derive(Default)]
pub struct FeedbackView {
    pub areas: Vec<AreaAnswers>,
    /// `None` for viewers: comments are for editors and above.
    pub comments: Option<Vec<CommentView>>,
}

fn cell(n: i64) -> String {
    if n < SMALL_CELL {
        "<10".into()
    } else {
        n.to_string()
    }
}

/// The part of the campaign page about its answers.
pub async fn view(
    state: &AppState,
    staff: &Staff,
    slug: &str,
) -> crate::web::Result<FeedbackView, Error> {
    let cal = state.calendar.get();
    let name = |slug: &str| {
        cal.areas
            .get(slug)
            .map_or(slug.to_string(), |a| a.name.clone())
    };
    let areas = state
        .store
        .feedback_by_area(slug)
        .await?
        .into_iter()
        .map(|c: FeedbackCounts| AreaAnswers {
            area: name(&c.area),
            yes: cell(c.yes),
            no: cell(c.no),
            not_sure: cell(c.not_sure),
        })
        .collect();
    let comments = if staff.can(Role::Editor) {
        let list = state.store.feedback_comments(slug, COMMENTS_SHOWN).await?;
        Some(
            list.into_iter()
                .map(|c| CommentView {
                    id: c.comment_id,
                    area: name(&c.area),
                    answer: Helpful::parse(&c.answer).map_or("", Helpful::label),
                    when: c
                        .created_at
                        .with_timezone(&crate::domain::LONDON)
                        .format("%-d %b %Y")
                        .to_string(),
                    body: c.body,
                    hidden: c.hidden,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(FeedbackView { areas, comments })
}

/// Hides an abusive comment from the console (it goes with the rest after 12 months).
pub async fn hide(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path((slug, id)): Path<(String, i64)>,
) -> crate::web::Result {
    if !state.store.hide_comment(&slug, id).await? {
        return Err(Error::NotFound);
    }
    staff
        .audit(
            &state,
            "feedback.hide",
            Some(&format!("{slug} comment {id}")),
        )
        .await;
    Ok(Redirect::to(&format!("/admin/campaigns/{slug}#feedback")).into_response())
}
