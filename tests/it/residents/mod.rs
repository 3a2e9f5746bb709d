//! A resident's journey over real HTTP, with a real SMTP server: sign up, confirm, manage,
//! export, erase; what the form reveals (nothing); expired and forged links; abuse limits.

use crate::app::{Options, TestApp, spawn_app, spawn_app_with};
use crate::smtp::{Received, SmtpSink, decoded, header};
use crate::support::{TestDb, sqlite};
use beacon::auth::token::{Claims, Purpose};
use chrono::{Duration, Utc};
use std::time::Duration as StdDuration;

mod digest;
mod form;
mod journey;
mod limits;
mod links;

const WAIT: StdDuration = StdDuration::from_secs(10);

fn form<'a>(email: &'a str, postcode: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("email", email),
        ("postcode", postcode),
        ("topics", "burglary-vehicle"),
        ("topics", "fear-of-crime"),
        ("frequency", "immediate"),
        ("consent", "yes"),
        ("source", "chesham-fair"),
        ("website", ""),
    ]
}

/// The first link in a mail to `{base}/{path}/…`.
fn link(app: &TestApp, mail: &Received, path: &str) -> String {
    let text = decoded(&mail.data);
    let prefix = format!("{}/{path}/", app.base);
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no /{path}/ link in {text}"));
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect()
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
}

fn to(mails: &[Received], addr: &str) -> Vec<Received> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .cloned()
        .collect()
}
