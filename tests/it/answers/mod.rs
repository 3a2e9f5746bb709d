//! "Did this message help you feel safer?" and the feel-safe pulse, end to end: the question
//! in real e-mails from a real SMTP server, GET pages that change nothing, POSTs counted once
//! per resident, the pulse reaching only residents who agreed to it, erasure and retention of
//! the receipts, and the console's view of the answers.

use crate::app::TestApp;
use crate::smtp::{Received, decoded};
use beacon::store::Pool;
use std::time::Duration as StdDuration;

mod browser;
mod console;
mod feedback;
mod retention;
mod survey;

const WAIT: StdDuration = StdDuration::from_secs(10);

/// One number from the database, on either engine.
async fn scalar(app: &TestApp, sql: &str) -> i64 {
    match app.services.store.pool() {
        Pool::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Pool::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Every feedback answer counted, for one answer slug.
async fn feedback_total(app: &TestApp, answer: &str) -> i64 {
    scalar(
        app,
        &format!(
            "select cast(coalesce(sum(count), 0) as bigint) from feedback_tally where answer = '{answer}'"
        ),
    )
    .await
}

/// A mail's plain-text and HTML parts, quoted-printable undone.
fn parts(mail: &Received) -> (String, String) {
    let raw = decoded(&mail.data);
    let at = raw.find("Content-Type: text/html").expect("an HTML part");
    (raw[..at].to_string(), raw[at..].to_string())
}

/// The answer links under `{base}/{path}/` in a text, in order, as written.
fn answer_links(text: &str, app: &TestApp, path: &str) -> Vec<String> {
    let prefix = format!("{}/{path}/", app.base);
    text.match_indices(&prefix)
        .map(|(i, _)| {
            text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "-_./:?=".contains(*c))
                .collect()
        })
        .collect()
}

/// A link without its `?answer=…`: where the form posts.
fn page_of(link: &str) -> &str {
    link.split('?').next().unwrap()
}
