//! The public site a resident meets first (issue 15): who runs it, the privacy notice and
//! accessibility statement, the message archive, error pages with a body, and the HTML of the
//! mails checked by validators we did not write.

use crate::app::{Options, TestApp, spawn_app, spawn_app_with};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use chrono::Utc;

mod archive;
mod browser;
mod errors;
mod mail;
mod quick_start;
mod statements;

/// The page at `path`: its status and body.
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Publishes the fixture calendar's campaign `slug` now; its run id.
async fn publish(app: &TestApp, slug: &str) -> i64 {
    publish_at(app, slug, Utc::now()).await
}

/// Publishes `slug` as sent at `at`, so tests order messages without waiting on the clock.
async fn publish_at(app: &TestApp, slug: &str, at: chrono::DateTime<Utc>) -> i64 {
    app.services
        .scheduler
        .send_now(slug, &[], at, None)
        .await
        .unwrap()
        .unwrap()
}
