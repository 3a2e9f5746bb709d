//! `/feedback/{token}` and `/survey/{token}`: answers from residents' e-mails. The token names
//! the run, the area and the resident's pseudonym; its receipt refuses a second answer.

use super::{
    AnswerForm, Chosen, already_answered, choose_answer, feedback_page, refused, survey_page,
    thanks,
};
use crate::auth::answer::{AnswerClaims, AnswerKind};
use crate::auth::token::TokenError;
use crate::domain::survey::{Helpful, Question, quarter};
use crate::store::{FeedbackAnswer, Receipt, Recorded, Run, SurveyAnswer};
use crate::web::{AppState, Error, Explain, pages};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum_extra::extract::Form;
use chrono::Utc;

fn invalid() -> Error {
    Error::InvalidLink(Explain::new(
        "This answer link is not valid",
        "The link may be incomplete: try copying the whole link from the e-mail.",
    ))
}

fn closed() -> Error {
    Error::Gone(Explain::new(
        "This question has closed",
        "We take answers for four weeks after a message is sent. Thank you for wanting to tell us: there will be another chance with our next message.",
    ))
}

/// The claims and the run they answer, if the link is ours, open, and of the right kind.
async fn open(
    state: &AppState,
    token: &str,
    kind: AnswerKind,
) -> crate::web::Result<(AnswerClaims, Run)> {
    let claims = state
        .signer
        .verify_answer(token, kind, Utc::now())
        .map_err(|e| match e {
            TokenError::Expired => closed(),
            TokenError::Invalid => invalid(),
        })?;
    let run = state.store.run(claims.run_id).await?.ok_or_else(invalid)?;
    let known_area = state
        .store
        .area_slugs()
        .await?
        .contains_key(&claims.area_id);
    if !known_area || run.survey_question.is_some() != (kind == AnswerKind::Survey) {
        return Err(invalid());
    }
    Ok((claims, run))
}

fn survey_question(run: &Run) -> crate::web::Result<Question> {
    run.survey_question
        .as_deref()
        .and_then(Question::parse)
        .ok_or_else(invalid)
}

pub(super) async fn show_feedback(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(chosen): Query<Chosen>,
) -> crate::web::Result {
    let (_, run) = open(&state, &token, AnswerKind::Feedback).await?;
    let form = AnswerForm {
        answer: chosen.answer,
        ..AnswerForm::default()
    };
    Ok(pages::render(
        StatusCode::OK,
        &feedback_page(&run.title, format!("/feedback/{token}"), &form, Vec::new()),
    ))
}

pub(super) async fn record_feedback(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> crate::web::Result {
    let (claims, run) = open(&state, &token, AnswerKind::Feedback).await?;
    let mut errors = Vec::new();
    let answer = Helpful::parse(&form.answer);
    if answer.is_none() {
        errors.push(choose_answer());
    }
    let comment = super::comment_of(&form, &mut errors);
    let (Some(answer), Some(comment), true) = (answer, comment, errors.is_empty()) else {
        return Ok(refused(&feedback_page(
            &run.title,
            format!("/feedback/{token}"),
            &form,
            errors,
        )));
    };
    let receipt = state.signer.receipt(&claims);
    let outcome = state
        .store
        .record_feedback(
            &FeedbackAnswer {
                receipt: Some(Receipt {
                    receipt: &receipt,
                    resident: &claims.resident,
                }),
                run_id: claims.run_id,
                area_id: claims.area_id,
                answer: answer.slug(),
                comment: comment.as_deref(),
            },
            Utc::now(),
        )
        .await?;
    Ok(match outcome {
        Recorded::Counted => thanks(),
        Recorded::AlreadyAnswered => already_answered(),
    })
}

pub(super) async fn show_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(chosen): Query<Chosen>,
) -> crate::web::Result {
    let (_, run) = open(&state, &token, AnswerKind::Survey).await?;
    let q = survey_question(&run)?;
    let form = AnswerForm {
        answer: chosen.answer,
        ..AnswerForm::default()
    };
    Ok(pages::render(
        StatusCode::OK,
        &survey_page(q, format!("/survey/{token}"), &form, Vec::new()),
    ))
}

pub(super) async fn record_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> crate::web::Result {
    let (claims, run) = open(&state, &token, AnswerKind::Survey).await?;
    let q = survey_question(&run)?;
    if !q.has_answer(&form.answer) {
        return Ok(refused(&survey_page(
            q,
            format!("/survey/{token}"),
            &form,
            vec![choose_answer()],
        )));
    }
    let receipt = state.signer.receipt(&claims);
    let outcome = state
        .store
        .record_survey_answer(
            &SurveyAnswer {
                receipt: Receipt {
                    receipt: &receipt,
                    resident: &claims.resident,
                },
                question: q.slug(),
                area_id: claims.area_id,
                quarter: &quarter(run.fire_at),
                answer: &form.answer,
            },
            Utc::now(),
        )
        .await?;
    Ok(match outcome {
        Recorded::Counted => thanks(),
        Recorded::AlreadyAnswered => already_answered(),
    })
}
