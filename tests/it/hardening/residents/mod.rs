//! Residents: addresses SMTP can carry, erasure that leaves no trace, the message archive,
//! links that can be retired, and a sign-up that looks the same for every address.

use crate::app::{Options, spawn_app, spawn_app_with};
use crate::console::{page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use chrono::Utc;

mod addresses;
mod erasure;
mod links;

/// A resident's signed link of `purpose` at their current link version.
async fn resident_link(
    app: &crate::app::TestApp,
    email: &str,
    purpose: beacon::auth::token::Purpose,
) -> String {
    let (id, version) = app
        .services
        .store
        .subscriber_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let path = match purpose {
        beacon::auth::token::Purpose::Manage => "manage",
        beacon::auth::token::Purpose::Unsubscribe => "unsubscribe",
        beacon::auth::token::Purpose::Confirm | beacon::auth::token::Purpose::ConfirmRequest => {
            "confirm"
        }
    };
    let token = app.state.signer.sign(beacon::auth::token::Claims {
        purpose,
        subscriber_id: id,
        version,
        expires: 0,
    });
    format!("/{path}/{token}")
}
