//! No mail server can wipe the list: replies read by their enhanced status code, a circuit
//! breaker per channel, reversible suppression, a pool that never re-asks a refusing server, and
//! a campaign written just after its send time. Real SMTP server, both TestDb, injected clocks.

use crate::app::{Options, TestApp, spawn_app, spawn_app_with};
use crate::smtp::{Received, Script, SmtpSink};
use crate::support::{TestDb, repo_path};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

pub const BURGLARY: &str = "burglary-vehicle";

pub fn to_counts(msgs: &[Received]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for msg in msgs {
        for to in &msg.to {
            *m.entry(to.clone()).or_default() += 1;
        }
    }
    m
}

/// `n` confirmed residents in Chesham following burglary, as `r{i}@example.com`.
pub async fn residents(app: &TestApp, n: usize) {
    app.residents_in(n, "chesham", BURGLARY).await;
}

pub async fn send(app: &TestApp, at: DateTime<Utc>) {
    app.services
        .scheduler
        .send_now("winter-burglary", &[], at, None)
        .await
        .unwrap()
        .unwrap();
}

pub async fn bounced(app: &TestApp) -> i64 {
    let counts = app
        .services
        .store
        .subscriber_counts(Utc::now())
        .await
        .unwrap();
    counts
        .by_status
        .iter()
        .find(|(s, _)| s == "bounced")
        .map_or(0, |x| x.1)
}

pub async fn email_channel(app: &TestApp, at: DateTime<Utc>) -> beacon::store::ChannelReport {
    let stats = app.services.store.stats(at).await.unwrap();
    stats
        .channels
        .into_iter()
        .find(|c| c.channel == "email")
        .expect("the email channel is reported")
}

async fn a_relay_refusing_every_recipient_with_5_7_1_suppresses_nobody_and_trips_the_breaker(
    db: TestDb,
) {
    let sink = SmtpSink::start_with(Script {
        reject_every_rcpt: Some((550, "5.7.1 Relaying denied")),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, 80).await;
    let t0 = Utc::now();
    send(&app, t0).await;
    let r = app.drain(t0).await;
    let name = app.db.name;
    assert_eq!(r.sent, 0, "{name}");
    assert_eq!(
        bounced(&app).await,
        0,
        "{name}: a relay refusal judges nobody"
    );
    let email = email_channel(&app, t0).await;
    let paused = email.paused.as_ref().expect("the breaker paused email");
    assert!(paused.reason.contains("5.7.1"), "{name}: {}", paused.reason);
    // The breaker trips at 50 attempts; what was on the wire then waits too.
    assert!(r.failed <= 50, "{name}: {r:?}");
    let waiting = email.pending + email.retrying;
    assert_eq!(waiting + r.failed as i64, 80, "{name}: {email:?}");
    assert!(waiting >= 28, "{name}: the rest stay queued: {email:?}");

    // A probe a minute later meets the same refusal: still paused, one more RCPT only.
    let refused = sink.refused();
    let probe = app.drain(t0 + Duration::minutes(2)).await;
    assert_eq!(probe.claimed, 1, "{name}: one probe");
    assert_eq!(sink.refused(), refused + 1);
    assert!(email_channel(&app, t0).await.paused.is_some());

    // The relay is fixed: the next probe goes through and the channel resumes by itself.
    sink.refuse_every_rcpt(None);
    let after = app.drain(t0 + Duration::minutes(4)).await;
    assert_eq!(after.sent as i64, waiting, "{name}: {after:?}");
    assert!(email_channel(&app, t0).await.paused.is_none());
    let counts = to_counts(&sink.wait_for(waiting as usize, StdDuration::from_secs(20)));
    assert_eq!(counts.len() as i64, waiting);
    assert!(counts.values().all(|n| *n == 1), "{name}: {counts:?}");
    assert_eq!(bounced(&app).await, 0);
    app.finish().await;
}
each_engine!(a_relay_refusing_every_recipient_with_5_7_1_suppresses_nobody_and_trips_the_breaker);

async fn a_dead_mailbox_is_suppressed_with_its_reply_and_an_admin_can_lift_it(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.com".into()],
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("gone@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    send(&app, t0).await;
    assert_eq!(app.drain(t0).await.failed, 1);
    assert_eq!(bounced(&app).await, 1, "{}: 5.1.1 suppresses", app.db.name);
    let lifted = app
        .services
        .store
        .unsuppress("gone@example.com", t0)
        .await
        .unwrap()
        .expect("it was suppressed");
    assert!(
        lifted.reason.as_deref().unwrap_or("").contains("5.1.1"),
        "{lifted:?}"
    );
    assert_eq!(bounced(&app).await, 0);
    assert!(
        app.services
            .store
            .unsuppress("gone@example.com", t0)
            .await
            .unwrap()
            .is_none(),
        "lifting twice changes nothing"
    );
    app.finish().await;
}
each_engine!(a_dead_mailbox_is_suppressed_with_its_reply_and_an_admin_can_lift_it);

async fn a_refused_recipient_is_asked_once_per_attempt_never_again_at_once(db: TestDb) {
    let refused: Vec<String> = (0..10).map(|i| format!("r{i}@example.com")).collect();
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: refused.clone(),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, 20).await;
    let t0 = Utc::now();
    send(&app, t0).await;
    let r = app.drain(t0).await;
    assert_eq!((r.sent, r.failed), (10, 10), "{}", app.db.name);
    assert_eq!(
        sink.refused(),
        10,
        "{}: one RCPT per refused address",
        app.db.name
    );
    app.finish().await;
}
each_engine!(a_refused_recipient_is_asked_once_per_attempt_never_again_at_once);

async fn a_throttling_server_is_left_alone_until_its_hold_passes(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        reject_every_rcpt: Some((450, "4.7.1 Too many messages, slow down")),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, 20).await;
    let t0 = Utc::now();
    send(&app, t0).await;
    let r = app.drain(t0).await;
    // The pool has two connections: at most the two messages already on their way meet
    // the refusal; the rest wait without being tried.
    assert!(
        sink.refused() <= 2,
        "{}: {} refusals",
        app.db.name,
        sink.refused()
    );
    assert_eq!(r.retried, sink.refused());
    assert_eq!(r.deferred + r.retried, 20, "{r:?}");
    assert_eq!(bounced(&app).await, 0);
    sink.refuse_every_rcpt(None);
    let later = app.drain(t0 + Duration::minutes(10)).await;
    assert_eq!(later.sent, 20, "{}: {later:?}", app.db.name);
    app.finish().await;
}
each_engine!(a_throttling_server_is_left_alone_until_its_hold_passes);

/// A campaign file the calendar sync first sees `written_after` its 09:00 fire (the clock at
/// start is injected, as if the file had been written then): one run within the grace, none after.
async fn written_after_its_send_time(db: TestDb, written_after: Duration, expected_runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("tests/fixtures/campaigns/areas.toml"),
        dir.path().join("areas.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("late-notice.md"),
        "+++\ntitle = \"Late notice\"\npriority = \"burglary-vehicle\"\nlead = \"Thames Valley Police\"\nschedule = \"0 9 * * *\"\nareas = [\"chesham\"]\nchannels = [\"email\"]\nsubject = \"Late notice\"\nsummary = \"A notice.\"\n+++\nBody.\n",
    )
    .unwrap();
    // A fire years from today's date: nothing depends on when this runs.
    let fire = utc("2031-03-03T09:00:00Z");
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        db,
        &sink,
        Options {
            calendar_dir: dir.path().to_path_buf(),
            now: Some(fire + written_after),
            ..Default::default()
        },
    )
    .await;
    let now = fire + written_after + Duration::minutes(1);
    let first = app.services.scheduler.tick(now).await.unwrap();
    let again = app
        .services
        .scheduler
        .tick(now + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        (first.created.len(), again.created.len()),
        (expected_runs, 0),
        "{}: file written {written_after} after the send time",
        app.db.name
    );
    app.finish().await;
}

async fn a_campaign_file_written_ten_minutes_after_its_send_time_goes_out_once_within_its_grace(
    db: TestDb,
) {
    written_after_its_send_time(db, Duration::minutes(10), 1).await;
}
each_engine!(
    a_campaign_file_written_ten_minutes_after_its_send_time_goes_out_once_within_its_grace
);

async fn a_campaign_file_written_seven_hours_after_its_send_time_never_goes_out(db: TestDb) {
    written_after_its_send_time(db, Duration::hours(7), 0).await;
}
each_engine!(a_campaign_file_written_seven_hours_after_its_send_time_never_goes_out);

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
