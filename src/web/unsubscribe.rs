//! `/unsubscribe/{token}`: GET shows one button and changes nothing (link scanners follow GETs);
//! POST unsubscribes, including RFC 8058 one-click posts straight from the mail client.

use super::{AppState, pages};
use crate::auth::token::Purpose;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Utc;

pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(show).post(act))
}

#[derive(askama::Template)]
#[template(path = "pages/unsubscribe.html")]
struct UnsubscribePage {
    done: bool,
    action: String,
}

fn invalid() -> Response {
    pages::problem(
        StatusCode::NOT_FOUND,
        "This unsubscribe link is not valid",
        "The link may be incomplete: try copying the whole link from the e-mail. If you still get e-mails you do not want, use the link in the newest one.",
    )
}

fn gone() -> Response {
    pages::problem(
        StatusCode::GONE,
        "This link no longer works",
        "Since we sent it you asked for a new link, or asked us to delete your details. Use the link in the newest e-mail from us.",
    )
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Ok(c) = state
        .signer
        .verify(&token, Purpose::Unsubscribe, Utc::now())
    else {
        return invalid();
    };
    match state.store.link_is_live(c.subscriber_id, c.version).await {
        Ok(true) => {}
        Ok(false) => return gone(),
        Err(e) => {
            tracing::error!(error = %e, "link check failed");
            return pages::unavailable();
        }
    }
    pages::render(
        StatusCode::OK,
        &UnsubscribePage {
            done: false,
            action: format!("/unsubscribe/{token}"),
        },
    )
}

async fn act(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Ok(claims) = state
        .signer
        .verify(&token, Purpose::Unsubscribe, Utc::now())
    else {
        return invalid();
    };
    match state
        .store
        .unsubscribe(claims.subscriber_id, claims.version, Utc::now())
        .await
    {
        Ok(true) => {
            tracing::info!(subscriber_id = claims.subscriber_id, "unsubscribed");
            pages::render(
                StatusCode::OK,
                &UnsubscribePage {
                    done: true,
                    action: String::new(),
                },
            )
        }
        Ok(false) => gone(),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe failed");
            pages::unavailable()
        }
    }
}
