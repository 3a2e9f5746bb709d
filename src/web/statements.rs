//! The statements every UK public-sector site publishes: `/privacy` (UK GDPR Articles 13 and 14)
//! and `/accessibility` (the Public Sector Bodies Accessibility Regulations 2018). Both are
//! written from the settings and from the constants the code enforces, so what the notice
//! promises is what the software does.

use super::{AppState, pages};
use crate::config::Config;
use crate::domain::signup::CONSENT_TEXT;
use crate::scheduler::UNCONFIRMED_DAYS;
use crate::store::CONFIRM_VALID_DAYS;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy))
        .route("/accessibility", get(accessibility))
}

/// One line of the "how long we keep it" table.
pub struct Kept {
    pub what: &'static str,
    pub how_long: String,
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// How long each thing is kept, from the rules the code applies: the purge of unconfirmed
/// sign-ups (`scheduler::UNCONFIRMED_DAYS`), the life of a confirmation link
/// (`store::CONFIRM_VALID_DAYS`), erasure (`store::erasure`), the sign-up rate limit's window
/// and the feed-reader count's daily salt (`web::feed_readers`).
pub fn retention(config: &Config) -> Vec<Kept> {
    let mut kept = vec![
        Kept {
            what: "A sign-up that is never confirmed (email address, postcode, choices)",
            how_long: format!(
                "Deleted {} after sign-up. The confirmation link works for {}.",
                days(UNCONFIRMED_DAYS),
                days(CONFIRM_VALID_DAYS)
            ),
        },
        Kept {
            what: "A change asked for with an address we already have, and not confirmed",
            how_long: format!("Deleted after {}.", days(UNCONFIRMED_DAYS)),
        },
        Kept {
            what: "Your email address, postcode, areas, topics and how often you hear from us",
            how_long: "While you get alerts, and until you delete them on your \"manage your alerts\" page. They are deleted at once when you do.".into(),
        },
        Kept {
            what: "The record of your agreement (what you agreed to, when, and where you signed up)",
            how_long: "Until you delete your details, so that we can show you agreed. Unsubscribing keeps it, and stops all emails.".into(),
        },
        Kept {
            what: "Which alerts we emailed you and whether your email provider accepted them",
            how_long: "Until you delete your details. After that only anonymous counts remain, which cannot identify you.".into(),
        },
    ];
    if config.signup.per_ip_per_hour > 0 {
        kept.push(Kept {
            what: "Your internet (IP) address when you use the sign-up form",
            how_long: "Held in the server's memory for up to 1 hour to stop floods of sign-ups; never written to our database.".into(),
        });
    }
    kept.push(Kept {
        what: "Your internet (IP) address when your feed reader checks our alert feeds",
        how_long: "Mixed with a random value that changes every day and is never stored, to count readers; only the day's count is kept.".into(),
    });
    kept
}

#[derive(askama::Template)]
#[template(path = "pages/privacy.html")]
struct PrivacyPage<'a> {
    kept: Vec<Kept>,
    consent_text: &'static str,
    partners_sent_alerts: Vec<&'a str>,
}

async fn privacy(State(state): State<AppState>) -> Response {
    pages::render(
        StatusCode::OK,
        &PrivacyPage {
            kept: retention(&state.config),
            consent_text: CONSENT_TEXT,
            partners_sent_alerts: state
                .config
                .webhooks
                .iter()
                .map(|w| w.name.as_str())
                .collect(),
        },
    )
}

#[derive(askama::Template)]
#[template(path = "pages/accessibility.html")]
struct AccessibilityPage<'a> {
    site: &'a str,
}

async fn accessibility(State(state): State<AppState>) -> Response {
    pages::render(
        StatusCode::OK,
        &AccessibilityPage {
            site: state.base_url(),
        },
    )
}
