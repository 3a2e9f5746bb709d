//! Fixtures for the safe-sending tests: campaign files written by the test (never the shipped
//! calendar), an app over them, and `beacon` run as a user runs it against the same database.

use crate::app::{Options, TestApp, spawn_app_with};
use crate::smtp::{SmtpSink, header};
use crate::support::repo_path;
use chrono::{DateTime, Utc};
use std::path::Path;

pub const BURGLARY: &str = "burglary-vehicle";
pub const SCAMS: &str = "vulnerability-safeguarding";

/// A campaign file; `extra` adds front-matter lines.
pub fn campaign_file(slug: &str, priority: &str, schedule: &str, extra: &str) -> String {
    format!(
        "+++\ntitle = \"Fixture {slug}\"\npriority = \"{priority}\"\nlead = \"Thames Valley Police\"\n\
         schedule = \"{schedule}\"\nareas = [\"all\"]\nchannels = [\"email\"]\nsubject = \"Subject of {slug}\"\n\
         summary = \"Summary of {slug}\"\n{extra}\n+++\nAdvice from {slug}.\n"
    )
}

/// A calendar directory with the repository's areas and these campaign files.
pub fn fixture_calendar(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("tests/fixtures/campaigns/areas.toml"),
        dir.path().join("areas.toml"),
    )
    .unwrap();
    for (slug, text) in files {
        std::fs::write(dir.path().join(format!("{slug}.md")), text).unwrap();
    }
    dir
}

pub async fn app_on(db: crate::support::TestDb, sink: &SmtpSink, cal: &Path) -> TestApp {
    app_with(db, sink, cal, |_| {}).await
}

pub async fn app_with(
    db: crate::support::TestDb,
    sink: &SmtpSink,
    cal: &Path,
    configure: fn(&mut beacon::config::Config),
) -> TestApp {
    spawn_app_with(
        db,
        sink,
        Options {
            calendar_dir: cal.to_path_buf(),
            configure,
            ..Options::default()
        },
    )
    .await
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn subjects_to(sink: &SmtpSink, to: &str) -> Vec<String> {
    sink.messages()
        .iter()
        .filter(|m| m.to == [to])
        .map(|m| header(&m.data, "Subject").unwrap_or_default())
        .collect()
}

/// `beacon` as a user runs it, on the test's database, calendar and SMTP server.
pub async fn beacon_cli(
    app: &TestApp,
    cal: &Path,
    sink: &SmtpSink,
    args: &[&str],
) -> std::process::Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_beacon"));
    cmd.args(args)
        .env_remove("BEACON_CONFIG")
        .env("BEACON_DATABASE__URL", &app.db.url)
        .env("BEACON_CALENDAR__DIR", cal)
        .env("BEACON_MAIL__TRANSPORT", sink.url())
        // Quiet hours follow the real clock here; the injected-clock tests cover them.
        .env("BEACON_DELIVERY__QUIET_HOURS", "");
    cmd.output().await.unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
