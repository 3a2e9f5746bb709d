//! `/confirm/{token}`: GET shows a button and changes nothing (mail scanners follow links);
//! POST confirms. An expired link offers a fresh one; a forged one says so plainly.

use super::{AppState, pages};
use crate::auth::token::{Claims, Purpose, TokenError};
use crate::store::ConfirmOutcome;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Utc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/confirm/{token}", get(show).post(act))
        .route("/confirm/{token}/resend", post(resend))
}

#[derive(askama::Template)]
#[template(path = "pages/confirm.html")]
struct ConfirmPage {
    state: &'static str,
    action: String,
    manage_url: String,
    /// What the resident now gets; only on "done".
    choices: Option<super::summary::Choices>,
    valid_days: i64,
}

fn page(status: StatusCode, state: &'static str, action: String, manage_url: String) -> Response {
    pages::render(
        status,
        &ConfirmPage {
            state,
            action,
            manage_url,
            choices: None,
            valid_days: crate::store::CONFIRM_VALID_DAYS,
        },
    )
}

fn forged() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "invalid",
        String::new(),
        String::new(),
    )
}

/// The claims of a confirm link (of a first sign-up, or of a request for an address already on
/// file), allowing expired ones (their page offers a new link).
fn claims(state: &AppState, token: &str) -> Result<(Claims, bool), ()> {
    let now = Utc::now();
    for purpose in [Purpose::Confirm, Purpose::ConfirmRequest] {
        match state.signer.verify(token, purpose, now) {
            Ok(c) => return Ok((c, false)),
            Err(TokenError::Expired) => {
                return state
                    .signer
                    .verify_ignoring_expiry(token, purpose)
                    .map(|c| (c, true))
                    .map_err(|_| ());
            }
            Err(TokenError::Invalid) => {}
        }
    }
    Err(())
}

/// Whether the resident a confirm link is for still holds links of its version (not erased,
/// no new links asked for since).
async fn live(state: &AppState, c: &Claims) -> Result<bool, crate::store::StoreError> {
    let subscriber_id = match c.purpose {
        Purpose::ConfirmRequest => match state.store.signup_request(c.subscriber_id).await? {
            Some(q) => q.subscriber_id,
            None => return Ok(false),
        },
        _ => c.subscriber_id,
    };
    state.store.link_is_live(subscriber_id, c.version).await
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    Ok(match claims(&state, &token) {
        Err(()) => forged(),
        Ok((_, true)) => page(
            StatusCode::GONE,
            "expired",
            format!("/confirm/{token}/resend"),
            String::new(),
        ),
        Ok((c, false)) => match live(&state, &c).await? {
            true => page(
                StatusCode::OK,
                "ask",
                format!("/confirm/{token}"),
                String::new(),
            ),
            false => page(StatusCode::GONE, "gone", String::new(), String::new()),
        },
    })
}

async fn act(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let Ok((c, expired)) = claims(&state, &token) else {
        return Ok(forged());
    };
    if expired {
        return Ok(page(
            StatusCode::GONE,
            "expired",
            format!("/confirm/{token}/resend"),
            String::new(),
        ));
    }
    let outcome = match c.purpose {
        Purpose::ConfirmRequest => {
            state
                .store
                .confirm_request(c.subscriber_id, c.version, Utc::now())
                .await
        }
        _ => state
            .store
            .confirm(c.subscriber_id, c.version, Utc::now())
            .await
            .map(|o| (o, c.subscriber_id)),
    };
    Ok(match outcome? {
        // Only the first use hands out the manage link: a replayed (forwarded, leaked) confirm
        // link must not become a key to the resident's settings.
        (ConfirmOutcome::AlreadyConfirmed, _) => {
            page(StatusCode::OK, "already", String::new(), String::new())
        }
        (ConfirmOutcome::Confirmed, subscriber_id) => {
            tracing::info!(subscriber_id, "confirmed");
            metrics::counter!("beacon_confirmations_total").increment(1);
            let manage = state.signer.sign(Claims {
                purpose: Purpose::Manage,
                subscriber_id,
                version: c.version,
                expires: 0,
            });
            let prefs = state.store.preferences(subscriber_id, c.version).await?;
            let cal = state.calendar.get();
            pages::render(
                StatusCode::OK,
                &ConfirmPage {
                    state: "done",
                    action: String::new(),
                    manage_url: format!("/manage/{manage}"),
                    choices: prefs.map(|p| super::summary::Choices::of(&cal.areas, &p)),
                    valid_days: crate::store::CONFIRM_VALID_DAYS,
                },
            )
        }
        (ConfirmOutcome::Gone, _) => page(StatusCode::GONE, "gone", String::new(), String::new()),
    })
}

async fn resend(
    State(state): State<AppState>,
    peer: super::guard::Peer,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> super::Result {
    let Ok((c, _)) = claims(&state, &token) else {
        return Ok(forged());
    };
    if !state.signup_limit.check(state.client_ip(&headers, &peer)) {
        return Err(super::guard::too_many());
    }
    let resent = match c.purpose {
        Purpose::ConfirmRequest => {
            state
                .store
                .resend_request(c.subscriber_id, Utc::now())
                .await
        }
        _ => {
            state
                .store
                .resend_confirmation(c.subscriber_id, Utc::now())
                .await
        }
    };
    resent?;
    // Same page whether or not a mail went (already confirmed, daily cap): nothing to learn here.
    Ok(page(StatusCode::OK, "resent", String::new(), String::new()))
}
