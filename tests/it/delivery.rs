//! The delivery engine end to end: scheduler, outbox, workers, a real SMTP server, feeds.

use crate::app::{Options, spawn_app, spawn_app_with};
use crate::smtp::{Received, Script, SmtpSink, decoded, header};
use crate::support::{TestDb, postgres, repo_path};
use chrono::{DateTime, Duration, Utc};
use std::time::Duration as StdDuration;

const BURGLARY: &str = "burglary-vehicle";

fn to_counts(msgs: &[Received]) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for msg in msgs {
        for to in &msg.to {
            *m.entry(to.clone()).or_default() += 1;
        }
    }
    m
}

async fn a_campaign_reaches_each_matching_subscriber_once_with_headers_and_one_click_unsubscribe(
    db: TestDb,
) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident(
        "bob@example.com",
        &["burnham", "chesham"],
        &[BURGLARY, "fear-of-crime"],
    )
    .await;
    app.resident("cat@example.com", &["chesham"], &["fear-of-crime"])
        .await;

    let t0 = Utc::now();
    let run = app
        .services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap()
        .unwrap();
    let report = app.drain(t0).await;
    assert_eq!(report.sent, 2, "{}: {report:?}", app.db.name);
    let msgs = sink.wait_for(2, StdDuration::from_secs(10));
    let counts = to_counts(&msgs);
    assert_eq!(counts.get("ann@example.com"), Some(&1));
    assert_eq!(counts.get("bob@example.com"), Some(&1));
    assert_eq!(
        counts.get("cat@example.com"),
        None,
        "cat follows another topic"
    );

    let ann = msgs.iter().find(|m| m.to == ["ann@example.com"]).unwrap();
    let raw = &ann.data;
    assert_eq!(
        header(raw, "Subject").unwrap(),
        "The clocks have gone back: make your home look lived in"
    );
    assert!(
        header(raw, "From")
            .unwrap()
            .contains("Chiltern and South Bucks Community Safety")
    );
    assert!(header(raw, "Message-ID").unwrap().starts_with('<'));
    assert!(header(raw, "Date").is_some());
    assert!(header(raw, "List-Id").unwrap().contains("alerts."));
    assert_eq!(
        header(raw, "List-Unsubscribe-Post").unwrap(),
        "List-Unsubscribe=One-Click"
    );
    let unsub = header(raw, "List-Unsubscribe").unwrap();
    let unsub_url = unsub
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    assert!(
        unsub_url.starts_with(&format!("{}/unsubscribe/", app.base)),
        "{unsub_url}"
    );
    assert!(
        header(raw, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(raw.contains("Content-Type: text/plain") && raw.contains("Content-Type: text/html"));
    let body = decoded(raw);
    assert!(body.contains("alerts for Chesham"), "footer names the area");
    assert!(body.contains(&format!("Unsubscribe: {unsub_url}")));
    assert!(body.contains(&format!("{}/manage/", app.base)));
    assert!(body.contains(&format!("{}/messages/{run}", app.base)));

    // A link scanner's GET changes nothing; the mail client's one-click POST unsubscribes.
    let page = app.http.get(&unsub_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<button"));
    let res = app
        .http
        .post(&unsub_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tampered = format!("{}x", unsub_url);
    assert_eq!(
        app.http
            .post(&tampered)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let t1 = t0 + Duration::minutes(1);
    // Within the repeat window a second send is a deliberate repeat.
    app.services
        .scheduler
        .send(&resend("winter-burglary"), t1)
        .await
        .unwrap()
        .unwrap();
    app.drain(t1).await;
    let msgs = sink.wait_for(3, StdDuration::from_secs(10));
    let counts = to_counts(&msgs);
    assert_eq!(
        counts.get("ann@example.com"),
        Some(&1),
        "ann left: nothing more for her"
    );
    assert_eq!(counts.get("bob@example.com"), Some(&2));
    app.finish().await;
}
each_engine!(
    a_campaign_reaches_each_matching_subscriber_once_with_headers_and_one_click_unsubscribe
);

async fn a_server_that_answers_451_then_250_gets_the_message_delivered_once(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        temp_fail_first: 1,
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let first = app.drain(t0).await;
    assert_eq!((first.sent, first.retried), (0, 1), "{}", app.db.name);
    assert_eq!(sink.temp_failures(), 1);
    // Not due again until the backoff has passed.
    assert_eq!(app.drain(t0 + Duration::seconds(1)).await.claimed, 0);
    let later = app.drain(t0 + Duration::minutes(5)).await;
    assert_eq!(later.sent, 1);
    assert_eq!(
        to_counts(&sink.wait_for(1, StdDuration::from_secs(10))).get("ann@example.com"),
        Some(&1)
    );
    let stats = app.services.store.stats(t0).await.unwrap();
    assert!(stats.depth.iter().all(|d| d.status == "sent"), "{stats:?}");
    app.finish().await;
}
each_engine!(a_server_that_answers_451_then_250_gets_the_message_delivered_once);

async fn a_550_fails_the_row_and_suppresses_the_address_for_later_runs(db: TestDb) {
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.com".into()],
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("gone@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let r = app.drain(t0).await;
    assert_eq!((r.sent, r.failed, r.retried), (1, 1, 0), "{}", app.db.name);
    let t1 = t0 + Duration::minutes(1);
    // Within the repeat window a second send is a deliberate repeat.
    app.services
        .scheduler
        .send(&resend("winter-burglary"), t1)
        .await
        .unwrap();
    let r = app.drain(t1).await;
    assert_eq!(
        (r.claimed, r.sent),
        (1, 1),
        "the bounced address is not queued again"
    );
    let counts = to_counts(&sink.wait_for(2, StdDuration::from_secs(10)));
    assert_eq!(counts.get("gone@example.com"), None);
    assert_eq!(counts.get("ann@example.com"), Some(&2));
    app.finish().await;
}
each_engine!(a_550_fails_the_row_and_suppresses_the_address_for_later_runs);

fn resend(slug: &str) -> beacon::scheduler::SendRequest {
    beacon::scheduler::SendRequest {
        slug: slug.into(),
        resend: Some("a test of a second send".into()),
        force: true,
        ..Default::default()
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn re_ticking_the_scheduler_makes_one_run_and_one_message_each(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..5 {
        app.resident(&format!("r{i}@example.com"), &["amersham"], &[BURGLARY])
            .await;
    }
    // winter-burglary fires on Fridays at 18:00 in season; the next is after "now".
    let fire = app
        .services
        .calendar
        .get()
        .campaign("winter-burglary")
        .unwrap()
        .next_fire(Utc::now(), 400)
        .unwrap();
    let at = fire + Duration::minutes(2);
    let first = app.services.scheduler.tick(at).await.unwrap();
    let again = app
        .services
        .scheduler
        .tick(at + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(first.created.len(), 1, "{}", app.db.name);
    assert!(again.created.is_empty());
    app.drain(at).await;
    let msgs = sink.wait_for(5, StdDuration::from_secs(10));
    assert!(to_counts(&msgs).values().all(|n| *n == 1) && msgs.len() == 5);
    let runs = app
        .services
        .store
        .runs_of("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].fire_at, fire);
    app.finish().await;
}
each_engine!(re_ticking_the_scheduler_makes_one_run_and_one_message_each);

async fn a_fire_missed_beyond_its_grace_is_recorded_as_skipped_and_never_sent(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["amersham"], &[BURGLARY])
        .await;
    let fire = app
        .services
        .calendar
        .get()
        .campaign("winter-burglary")
        .unwrap()
        .next_fire(Utc::now(), 400)
        .unwrap();
    let report = app
        .services
        .scheduler
        .tick(fire + Duration::hours(7))
        .await
        .unwrap();
    // Other shipped campaigns may have missed fires in the same week: count this one's.
    assert!(report.created.is_empty(), "{}", app.db.name);
    let runs = app
        .services
        .store
        .runs_of("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status.as_str(), "skipped");
    assert!(runs[0].reason.as_deref().unwrap().contains("grace"));
    assert_eq!(app.drain(fire + Duration::hours(7)).await.claimed, 0);
    app.finish().await;
}
each_engine!(a_fire_missed_beyond_its_grace_is_recorded_as_skipped_and_never_sent);

async fn a_worker_killed_mid_batch_loses_nothing_once_its_lease_expires(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..6 {
        app.resident(&format!("r{i}@example.com"), &["chesham"], &[BURGLARY])
            .await;
    }
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    // A worker claims three rows and dies before sending them.
    let dead = app
        .services
        .store
        .claim(&["email"], 3, t0, t0 + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(dead.len(), 3);
    assert_eq!(
        app.drain(t0).await.sent,
        3,
        "{}: the leased rows wait",
        app.db.name
    );
    assert_eq!(
        app.drain(t0 + Duration::minutes(6)).await.sent,
        3,
        "expired leases return to the queue"
    );
    let msgs = sink.wait_for(6, StdDuration::from_secs(10));
    assert_eq!(msgs.len(), 6);
    assert!(to_counts(&msgs).values().all(|n| *n == 1));
    app.finish().await;
}
each_engine!(a_worker_killed_mid_batch_loses_nothing_once_its_lease_expires);

#[tokio::test]
async fn two_workers_on_one_postgresql_deliver_each_message_once() {
    let Some(db) = postgres().await else { return };
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let batch: Vec<_> = (0..300)
        .map(|i| beacon::store::ConfirmedSubscriber {
            email: format!("r{i}@example.com"),
            postcode: None,
            area_slugs: vec!["chesham".into()],
            priorities: vec![BURGLARY.into()],
            consent_version: "t".into(),
            consent_at: Utc::now(),
            source: "test".into(),
        })
        .collect();
    app.services
        .store
        .add_confirmed(&batch, Utc::now())
        .await
        .unwrap();
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let second = app.services.worker().await.unwrap();
    let (a, b) = tokio::join!(app.drain(t0), async {
        let mut sent = 0;
        loop {
            let r = second.run_once(t0).await.unwrap();
            sent += r.sent;
            if r.claimed == 0 {
                return sent;
            }
        }
    });
    assert_eq!(a.sent + b, 300);
    let msgs = sink.wait_for(300, StdDuration::from_secs(20));
    assert_eq!(msgs.len(), 300);
    assert!(to_counts(&msgs).values().all(|n| *n == 1));
    app.finish().await;
}

async fn nine_oclock_daily_fires_at_nine_local_on_both_sides_of_the_spring_change(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("tests/fixtures/campaigns/areas.toml"),
        dir.path().join("areas.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("daily.md"),
        "+++\ntitle = \"Daily\"\npriority = \"fear-of-crime\"\nlead = \"Thames Valley Police\"\nschedule = \"0 9 * * *\"\n\
         areas = [\"all\"]\nchannels = [\"feed\"]\nsubject = \"S\"\nsummary = \"S\"\n+++\nHello.\n",
    )
    .unwrap();
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        db,
        &sink,
        Options {
            calendar_dir: dir.path().to_path_buf(),
            // The calendar is first synced the day before: the test holds whatever today's date.
            now: Some(utc("2027-03-26T12:00:00Z")),
            ..Options::default()
        },
    )
    .await;
    // Sunday 28 March 2027: clocks go forward at 01:00 UTC.
    app.services
        .scheduler
        .tick(utc("2027-03-27T09:00:30Z"))
        .await
        .unwrap();
    app.services
        .scheduler
        .tick(utc("2027-03-28T08:00:30Z"))
        .await
        .unwrap();
    let runs = app.services.store.runs_of("daily", 10).await.unwrap();
    let mut fires: Vec<String> = runs
        .iter()
        .filter(|r| r.status.as_str() != "skipped")
        .map(|r| {
            r.fire_at
                .with_timezone(&beacon::domain::LONDON)
                .to_rfc3339()
        })
        .collect();
    fires.sort();
    assert_eq!(
        fires,
        ["2027-03-27T09:00:00+00:00", "2027-03-28T09:00:00+01:00"],
        "{}",
        app.db.name
    );
    app.finish().await;
}
each_engine!(nine_oclock_daily_fires_at_nine_local_on_both_sides_of_the_spring_change);

#[tokio::test]
async fn mail_is_dkim_signed_when_a_key_is_configured() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let pem = key.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("dkim.pem");
    std::fs::write(&key_file, pem.as_bytes()).unwrap();
    let sink = SmtpSink::start();
    let mut config = beacon::config::Config::default();
    config.mail.transport = sink.url();
    config.mail.dkim_selector = Some("beacon2026".into());
    config.mail.dkim_domain = Some("alerts.example.org".into());
    config.mail.dkim_key_file = Some(key_file.clone());
    let mailer = beacon::app::mailer(&config.mail).unwrap();
    let msg = mailer
        .build(&beacon::channels::email::Outgoing {
            to: "ann@example.com",
            subject: "Signed",
            text: "Hello".into(),
            html: None,
            list_id: None,
            unsubscribe_url: None,
        })
        .unwrap();
    mailer.send(msg).await.unwrap();
    let got = sink.wait_for(1, StdDuration::from_secs(10));
    let sig = header(&got[0].data, "DKIM-Signature").expect("signed");
    assert!(
        sig.contains("d=alerts.example.org") && sig.contains("s=beacon2026"),
        "{sig}"
    );
    assert!(sig.contains("b=") && sig.contains("a=rsa-sha256"), "{sig}");

    // A broken key gets a sentence that names the file and what it should hold.
    std::fs::write(
        &key_file,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let err = beacon::app::mailer(&config.mail).err().unwrap().to_string();
    assert!(err.contains("RSA key") && err.contains("dkim.pem"), "{err}");
}

#[tokio::test]
async fn an_hourly_rate_limit_holds_the_rest_back_in_the_queue_without_blocking_a_worker() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        crate::support::sqlite().await,
        &sink,
        Options {
            configure: |c| c.delivery.rate_per_hour = 2,
            ..Options::default()
        },
    )
    .await;
    for i in 0..5 {
        app.resident(&format!("r{i}@example.com"), &["chesham"], &[BURGLARY])
            .await;
    }
    let now = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], now, None)
        .await
        .unwrap();
    let report = app.drain(now).await;
    assert_eq!(report.sent, 2);
    assert_eq!(sink.wait_for(2, StdDuration::from_secs(10)).len(), 2);
    let stats = app.services.store.stats(Utc::now()).await.unwrap();
    let pending: i64 = stats
        .depth
        .iter()
        .filter(|d| d.status == "pending" && d.channel == "email")
        .map(|d| d.count)
        .sum();
    assert_eq!(pending, 3, "the rest wait for the window, untried");
    app.finish().await;
}
