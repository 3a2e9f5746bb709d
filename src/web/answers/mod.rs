//! Residents' answers: "Did this message help you feel safer?" from a campaign e-mail, a digest
//! or the public message page, and the feel-safe pulse from a survey e-mail. A link's GET only
//! shows the question with its answer chosen (mail scanners follow links); the page's button
//! POSTs, and only that is counted.

mod public;
mod resident;

pub use public::PublicAnswerLimit;

use super::form_view::{Choice, ErrorSummary, anchored};
use super::pages;
use crate::domain::signup::FieldError;
use crate::domain::survey::{COMMENT_LABEL, FEEDBACK_QUESTION, Helpful, MAX_COMMENT, Question};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<super::AppState> {
    Router::new()
        .route(
            "/feedback/{token}",
            get(resident::show_feedback).post(resident::record_feedback),
        )
        .route(
            "/survey/{token}",
            get(resident::show_survey).post(resident::record_survey),
        )
        .route(
            "/messages/{id}/feedback",
            get(public::show).post(public::record),
        )
}

/// What an answer form posts.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct AnswerForm {
    answer: String,
    comment: String,
    /// On the public page: the area the answer counts for.
    area: String,
}

/// The chosen answer in a link (`?answer=yes`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Chosen {
    answer: String,
}

/// One of the message's areas, on the public page (residents' links carry theirs).
struct AreaOption {
    slug: String,
    name: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "pages/feedback.html")]
struct AnswerPage {
    errors: ErrorSummary,
    /// The question, as the page's heading.
    question: &'static str,
    /// The message or survey it is about.
    about: String,
    action: String,
    answers: Vec<Choice>,
    /// Feedback asks "What would help?"; a survey does not.
    with_comment: bool,
    comment: String,
    areas: Vec<AreaOption>,
}

impl AnswerPage {
    fn comment_label(&self) -> &'static str {
        COMMENT_LABEL
    }

    fn max_comment(&self) -> usize {
        MAX_COMMENT
    }
}

fn feedback_choices(chosen: &str) -> Vec<Choice> {
    anchored(
        Helpful::ALL
            .iter()
            .map(|a| Choice::new("answer", a.slug(), a.label(), a.slug() == chosen))
            .collect(),
    )
}

fn feedback_page(
    about: &str,
    action: String,
    form: &AnswerForm,
    errors: Vec<FieldError>,
) -> AnswerPage {
    AnswerPage {
        errors: ErrorSummary::new(errors),
        question: FEEDBACK_QUESTION,
        about: about.into(),
        action,
        answers: feedback_choices(&form.answer),
        with_comment: true,
        comment: form.comment.clone(),
        areas: Vec::new(),
    }
}

fn survey_page(
    q: Question,
    action: String,
    form: &AnswerForm,
    errors: Vec<FieldError>,
) -> AnswerPage {
    AnswerPage {
        errors: ErrorSummary::new(errors),
        question: q.text(),
        about: String::new(),
        action,
        answers: anchored(
            q.answers()
                .iter()
                .map(|(slug, label)| Choice::new("answer", slug, label, form.answer == *slug))
                .collect(),
        ),
        with_comment: false,
        comment: String::new(),
        areas: Vec::new(),
    }
}

/// The comment as kept, or `None` with its message added to `errors`.
fn comment_of(form: &AnswerForm, errors: &mut Vec<FieldError>) -> Option<Option<String>> {
    crate::domain::survey::clean_comment(&form.comment)
        .map_err(|message| {
            errors.push(FieldError {
                field: "comment",
                message,
            })
        })
        .ok()
}

fn choose_answer() -> FieldError {
    FieldError {
        field: "answer",
        message: "Choose an answer".into(),
    }
}

/// The form again, with what was wrong beside each field; nothing was counted.
fn refused(page: &AnswerPage) -> Response {
    pages::render(StatusCode::UNPROCESSABLE_ENTITY, page)
}

fn thanks() -> Response {
    pages::notice(
        "Thank you for your answer",
        "We have counted it. Answers are added up for each area and never linked to who gave them.",
    )
}

/// A second answer from the same resident: said kindly, and nothing changes.
fn already_answered() -> Response {
    pages::render(
        StatusCode::CONFLICT,
        &pages::Problem {
            heading: "You have already answered",
            message: "Thank you: we counted your first answer to this question, and each person's answer counts once. Nothing has changed.",
        },
    )
}
