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
    title: &'a str,
    lead: &'a str,
    sent: String,
    areas: String,
    body_html: String,
}

async fn message(State(state): State<AppState>, Path(id): Path<String>) -> super::Result {
    let (id, signed) = state.signer.archive_run(&id).ok_or(Error::NotFound)?;
    let run = state
        .store
        .run(id)
        .await?
        // A plain number shows only what feeds published anyway; e-mail-only messages need
        // the signed id their mails carry.
        .filter(|r| {
            r.status != crate::domain::RunStatus::Skipped
                && (signed || r.channels.iter().any(|c| c == "feed"))
        })
        .ok_or(Error::NotFound)?;
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
    Ok(pages::render(
        StatusCode::OK,
        &MessagePage {
            title: &run.title,
            lead: &run.lead,
            sent: run
                .fire_at
                .with_timezone(&LONDON)
                .format("%-d %B %Y at %H:%M")
                .to_string(),
            areas,
            body_html: crate::render::markdown::to_html(&run.body),
        },
    ))
}
