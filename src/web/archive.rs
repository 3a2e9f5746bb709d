//! `GET /messages/{id}`: the public archive residents use to check a message is genuine.

use super::{AppState, Error, pages};
use crate::domain::LONDON;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/messages/{id}", get(message))
}

#[derive(askama::Template)]
#[template(path = "pages/message.html")]
struct MessagePage<'a> {
    /// The archive id, for the feedback question's links (`pages/feedback_question.html`).
    id: &'a str,
    /// A survey's own page does not ask whether it helped.
    ask_feedback: bool,
    title: &'a str,
    lead: &'a str,
    sent: String,
    areas: String,
    body_html: String,
}

/// A message the public may see by this id: a signed id, or a plain one for what feeds published.
pub(super) async fn published_run(
    state: &AppState,
    id: &str,
) -> super::Result<crate::store::Run, Error> {
    let (id, signed) = state.signer.archive_run(id).ok_or(Error::NotFound)?;
    state
        .store
        .run(id)
        .await?
        // A plain number shows only what feeds published anyway; e-mail-only messages need
        // the signed id their mails carry.
        .filter(|r| {
            r.status != crate::domain::RunStatus::Skipped
                && (signed || r.channels.iter().any(|c| c == "feed"))
        })
        .ok_or(Error::NotFound)
}

async fn message(State(state): State<AppState>, Path(id): Path<String>) -> super::Result {
    let run = published_run(&state, &id).await?;
    let cal = state.calendar.get();
    let names: Vec<&str> = run
        .areas
        .iter()
        .map(|s| cal.areas.get(s).map_or(s.as_str(), |a| a.name.as_str()))
        .collect();
    let areas = if names.len() == cal.areas.len() {
        format!("all of {}", super::site::settings().organisation.area)
    } else {
        names.join(", ")
    };
    let one_area = match run.areas.as_slice() {
        [one] => cal.areas.get(one),
        _ => None,
    };
    let body = super::crime_figures::fill(&state, &run.body, one_area).await?;
    Ok(pages::render(
        StatusCode::OK,
        &MessagePage {
            id: &id,
            ask_feedback: run.survey_question.is_none(),
            title: &run.title,
            lead: &run.lead,
            sent: run
                .fire_at
                .with_timezone(&LONDON)
                .format("%-d %B %Y at %H:%M")
                .to_string(),
            areas,
            body_html: crate::render::markdown::to_html(&body),
        },
    ))
}
