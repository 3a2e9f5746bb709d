//! Repeats bounded by the wire: leases that live as long as the work, a dead process's rows
//! taken back in seconds, outcomes kept and recorded through a database outage or a database
//! that refuses writes. Real SMTP server; faults injected by the test.

use crate::app::{TestApp, spawn_app};
use crate::reliability::{residents, send, to_counts};
use crate::smtp::{Script, SmtpSink};
use crate::support::TestDb;
use beacon::delivery::Worker;
use chrono::{Duration, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

/// Polls `cond` every 20 ms; panics with `what` after a generous bound.
pub async fn until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !cond().await {
        assert!(
            start.elapsed() < StdDuration::from_secs(120),
            "gave up waiting: {what}"
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// Runs `worker` on the real clock, as `beacon serve` does, until `stop` is set; errors (the
/// database is down) are retried after a short pause.
pub fn keep_delivering(worker: Arc<Worker>, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(Ordering::Relaxed) {
            match worker.run_once(Utc::now()).await {
                Ok(r) if r.claimed > 0 => {}
                _ => tokio::time::sleep(StdDuration::from_millis(50)).await,
            }
        }
    })
}

/// Every one of `n` residents got exactly one message.
pub fn each_once(sink: &SmtpSink, n: usize, name: &str) {
    let counts = to_counts(&sink.messages());
    assert_eq!(counts.len(), n, "{name}: lost messages");
    let repeated: Vec<_> = counts.iter().filter(|(_, c)| **c > 1).collect();
    assert!(repeated.is_empty(), "{name}: duplicates {repeated:?}");
}

async fn a_dead_sessions_rows_are_taken_back_within_seconds_not_after_its_lease(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    residents(&app, 6).await;
    let t0 = Utc::now();
    send(&app, t0).await;
    let store = &app.services.store;
    // A process claims three rows for five minutes, then is killed.
    let dead = store.register_worker("gone", 1, t0).await.unwrap();
    let held = store
        .claim_for(dead, &["email"], 3, t0, t0 + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(held.len(), 3);
    let name = app.db.name;
    assert_eq!(
        app.drain(t0 + Duration::seconds(5)).await.sent,
        3,
        "{name}: still alive 5 s on"
    );
    // Silent for longer than `dead_after` (15 s): its rows come back long before the lease.
    assert_eq!(
        app.drain(t0 + Duration::seconds(20)).await.sent,
        3,
        "{name}"
    );
    each_once(&sink, 6, name);
    app.finish().await;
}
each_engine!(a_dead_sessions_rows_are_taken_back_within_seconds_not_after_its_lease);

async fn a_slow_server_and_a_short_lease_send_each_message_once(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        delay_per_message: StdDuration::from_millis(100),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, 30).await;
    send(&app, Utc::now()).await;
    // Two processes with a one-second lease; the batch takes about 1.5 s to send.
    let short = || async {
        let mut w = app.services.worker().await.unwrap();
        w.lease = Duration::seconds(1);
        w.reliability.heartbeat = StdDuration::from_millis(200);
        w.reliability.dead_after = Duration::seconds(2);
        Arc::new(w)
    };
    let stop = Arc::new(AtomicBool::new(false));
    let a = keep_delivering(short().await, stop.clone());
    let b = keep_delivering(short().await, stop.clone());
    until("all 30 delivered", || async {
        to_counts(&sink.messages()).len() == 30
    })
    .await;
    // Whatever either process would still send arrives before both are idle.
    until("the queue is empty", || queue_done(&app)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::join!(a, b);
    each_once(&sink, 30, app.db.name);
    app.finish().await;
}
each_engine!(a_slow_server_and_a_short_lease_send_each_message_once);

/// No row waits or is in a worker's hands.
pub async fn queue_done(app: &TestApp) -> bool {
    let stats = app.services.store.stats(Utc::now()).await;
    stats.is_ok_and(|s| {
        s.depth
            .iter()
            .all(|d| d.status != "pending" && d.status != "sending")
    })
}
