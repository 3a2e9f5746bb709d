//! `/unsubscribe/{token}`: GET shows one button and changes nothing (link scanners follow GETs);
//! POST unsubscribes, including RFC 8058 one-click posts straight from the mail client.

use super::{AppState, Error, Explain, pages};
use crate::auth::token::Purpose;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    /// The resident's manage page, offered instead of leaving ("pause or change topics").
    manage_url: String,
}

fn invalid() -> Error {
    Error::InvalidLink(Explain::new(
        "This unsubscribe link is not valid",
        "The link may be incomplete: try copying the whole link from the email. If you still get emails you do not want, use the link in the newest one.",
    ))
}

fn gone() -> Error {
    Error::Gone(Explain::new(
        "This link no longer works",
        "Since we sent it you asked for a new link, or asked us to delete your details. Use the link in the newest email from us.",
    ))
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let c = state
        .signer
        .verify(&token, Purpose::Unsubscribe, Utc::now())
        .map_err(|_| invalid())?;
    if !state.store.link_is_live(c.subscriber_id, c.version).await? {
        return Err(gone());
    }
    // The mail that carried this link carried the manage link too: offering it here gives the
    // holder nothing they did not have.
    let manage = state.signer.sign(crate::auth::token::Claims {
        purpose: Purpose::Manage,
        subscriber_id: c.subscriber_id,
        version: c.version,
        expires: 0,
    });
    Ok(pages::render(
        StatusCode::OK,
        &UnsubscribePage {
            done: false,
            action: format!("/unsubscribe/{token}"),
            manage_url: format!("/manage/{manage}"),
        },
    ))
}

async fn act(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let claims = state
        .signer
        .verify(&token, Purpose::Unsubscribe, Utc::now())
        .map_err(|_| invalid())?;
    if !state
        .store
        .unsubscribe(claims.subscriber_id, claims.version, Utc::now())
        .await?
    {
        return Err(gone());
    }
    tracing::info!(subscriber_id = claims.subscriber_id, "unsubscribed");
    Ok(pages::render(
        StatusCode::OK,
        &UnsubscribePage {
            done: true,
            action: String::new(),
            manage_url: String::new(),
        },
    ))
}
