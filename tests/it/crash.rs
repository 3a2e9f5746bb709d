//! kill -9 of a real `beacon serve` mid-delivery, then a restart with default settings: nothing
//! lost, at most the SMTP pool size repeated, everything delivered within 30 s of the restart.

use crate::app::spawn_app;
use crate::leases::until;
use crate::reliability::{residents, send, to_counts};
use crate::smtp::{Script, SmtpSink};
use crate::support::{TestDb, repo_path};
use chrono::Utc;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RESIDENTS: usize = 300;
const POOL: usize = 4;

fn serve(db_url: &str, smtp: &str, base: &str, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["serve", "--no-scheduler", "--listen", "127.0.0.1:0"])
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env("BEACON_DATABASE__URL", db_url)
        .env("BEACON_MAIL__TRANSPORT", smtp)
        .env("BEACON_MAIL__POOL_SIZE", POOL.to_string())
        .env("BEACON_SERVER__BASE_URL", base)
        .env("RUST_LOG", "beacon=info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start beacon serve")
}

async fn kill_9_at_a_third_repeats_at_most_the_pool_size_and_recovers_within_30_seconds(
    db: TestDb,
) {
    let sink = SmtpSink::start_with(Script {
        delay_per_message: Duration::from_millis(10),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, RESIDENTS).await;
    send(&app, Utc::now()).await;
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("serve.log");
    let mut first = serve(&app.db.url, &sink.url(), &app.base, &log);
    until("a third delivered", || async {
        sink.count() >= RESIDENTS / 3
    })
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = sink.count();

    let restarted = Instant::now();
    let mut second = serve(&app.db.url, &sink.url(), &app.base, &log);
    until("everyone reached after the restart", || async {
        to_counts(&sink.messages()).len() == RESIDENTS
    })
    .await;
    let recovery = restarted.elapsed();
    // Anything still on its way arrives before the queue is empty.
    until("the queue is empty", || crate::leases::queue_done(&app)).await;
    let _ = second.kill();
    let _ = second.wait();

    let total = sink.count();
    let duplicates = total - RESIDENTS;
    eprintln!(
        "{}: killed at {at_kill}/{RESIDENTS}; duplicates {duplicates} (pool {POOL}); recovered in {:.1} s",
        app.db.name,
        recovery.as_secs_f64()
    );
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(at_kill < RESIDENTS, "the kill struck mid-delivery");
    assert!(
        duplicates <= POOL,
        "{}: {duplicates} duplicates, more than the pool of {POOL}\n{log_text}",
        app.db.name
    );
    assert!(
        recovery < Duration::from_secs(30),
        "{}: recovery took {recovery:?}\n{log_text}",
        app.db.name
    );
    app.finish().await;
}
each_engine!(kill_9_at_a_third_repeats_at_most_the_pool_size_and_recovers_within_30_seconds);
