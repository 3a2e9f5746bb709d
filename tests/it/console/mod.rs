//! The community-safety team's console and the reporting API, over real HTTP with a real SMTP
//! server: who may do what, sign-in and lock-out, CSRF, send-once, test sends, reach reports.

use crate::app::{TestApp, spawn_app};
use crate::smtp::{SmtpSink, header};
use crate::support::{TestDb, sqlite};
use beacon::auth::password;
use beacon::auth::token::secret_hash;
use beacon::web::admin::ROUTES;
use chrono::Utc;
use std::time::Duration;

mod access_matrix;
mod accounts;
mod browser;
mod calendar_address;
mod plain_words;
mod reach;
mod sending;
mod subscriber_actions;

/// Adds a member of staff and signs them in; returns their session cookie.
pub(crate) async fn sign_in(app: &TestApp, email: &str, role: &str) -> String {
    let hash = password::hash("a long enough passphrase").unwrap();
    app.services
        .store
        .add_user(email, &hash, role, Utc::now())
        .await
        .unwrap();
    let r = app
        .http
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", email), ("password", "a long enough passphrase")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in for {email}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie.split(';').next().unwrap().to_string()
}

pub(crate) async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app
        .request("GET", path)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of a hidden input on a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}
