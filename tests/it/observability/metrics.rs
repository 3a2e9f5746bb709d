//! `/metrics`: parsed by Prometheus's own client library, moving when a campaign is sent, and
//! on an address of its own when `metrics.listen` says so.

use super::*;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

const BURGLARY: &str = "burglary-vehicle";

async fn metrics_parse_and_move_when_a_campaign_is_sent(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let url = app.url("/metrics");
    app.residents_in(3, "chesham", BURGLARY).await;

    let (before, _) = scrape(&url).await;
    let depth = |s: &[Sample], status| {
        value(
            s,
            "beacon_outbox_depth",
            &[("channel", "email"), ("status", status)],
        )
    };
    assert_eq!(depth(&before, "pending"), 0.0, "{}", app.db.name);
    let sent = |s: &[Sample]| {
        value(
            s,
            "beacon_sends_total",
            &[("channel", "email"), ("outcome", "sent")],
        )
    };
    let timed = |s: &[Sample]| {
        value(
            s,
            "beacon_send_duration_seconds_count",
            &[("channel", "email")],
        )
    };

    // Queued two minutes ago and not yet sent: three rows wait, the oldest for two minutes.
    let queued_at = Utc::now() - chrono::Duration::minutes(2);
    app.services
        .scheduler
        .send_now("winter-burglary", &[], queued_at, None)
        .await
        .unwrap()
        .unwrap();
    let (queued, _) = scrape(&url).await;
    assert_eq!(depth(&queued, "pending"), 3.0, "{}", app.db.name);
    let oldest = value(&queued, "beacon_outbox_oldest_due_age_seconds", &[]);
    assert!((115.0..600.0).contains(&oldest), "oldest due age {oldest}");
    assert!(value(&queued, "beacon_runs", &[("state", "queued")]) >= 1.0);

    let report = app.drain(Utc::now()).await;
    assert_eq!(report.sent, 3, "{report:?}");
    sink.wait_for(3, Duration::from_secs(10));
    let (after, types) = scrape(&url).await;
    assert_eq!(depth(&after, "pending"), 0.0);
    assert_eq!(depth(&after, "sending"), 0.0);
    assert_eq!(
        value(&after, "beacon_outbox_oldest_due_age_seconds", &[]),
        0.0
    );
    // The counters are process-wide and other tests send too: at least ours were counted.
    assert!(
        sent(&after) - sent(&before) >= 3.0,
        "{} → {}",
        sent(&before),
        sent(&after)
    );
    assert!(timed(&after) - timed(&before) >= 3.0);
    assert_eq!(types["beacon_send_duration_seconds"], "histogram");
    assert_eq!(types["beacon_sends"], "counter");
    assert!(value(&after, "beacon_runs", &[("state", "sent")]) >= 1.0);
    let max = value(&after, "beacon_db_pool_connections", &[("state", "max")]);
    let in_use = value(&after, "beacon_db_pool_connections", &[("state", "in_use")]);
    assert!(max >= 1.0 && in_use <= max, "pool {in_use}/{max}");
    app.finish().await;
}
each_engine!(metrics_parse_and_move_when_a_campaign_is_sent);

#[tokio::test]
async fn http_requests_are_counted_by_route_not_by_url_and_feeds_count_their_304s() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let url = app.url("/metrics");
    let (before, _) = scrape(&url).await;
    let feed = app.get("/feeds/chesham/atom.xml").await;
    let etag = feed.headers()["etag"].to_str().unwrap().to_string();
    let again = app
        .request("GET", "/feeds/chesham/atom.xml")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/no/such/page-12345").await.status(), 404);
    let (after, _) = scrape(&url).await;
    let route = |s: &[Sample], r: &str, status: &str| {
        value(
            s,
            "beacon_http_requests_total",
            &[("route", r), ("method", "GET"), ("status", status)],
        )
    };
    assert!(
        route(&after, "/feeds/{area}/{file}", "200")
            > route(&before, "/feeds/{area}/{file}", "200")
    );
    assert!(
        route(&after, "/feeds/{area}/{file}", "304")
            > route(&before, "/feeds/{area}/{file}", "304")
    );
    assert!(route(&after, "unmatched", "404") > route(&before, "unmatched", "404"));
    assert!(
        !after.iter().any(|s| s
            .labels
            .get("route")
            .is_some_and(|r| r.contains("chesham") || r.contains("12345"))),
        "a raw URL became a label"
    );
    let n = |s: &[Sample], name| value(s, name, &[("kind", "atom")]);
    assert!(
        n(&after, "beacon_feed_requests_total") - n(&before, "beacon_feed_requests_total") >= 2.0
    );
    assert!(
        n(&after, "beacon_feed_not_modified_total") - n(&before, "beacon_feed_not_modified_total")
            >= 1.0
    );
    app.finish().await;
}

/// The port `metrics.listen` gets in the test below (settings hooks cannot capture).
static METRICS_PORT: AtomicU16 = AtomicU16::new(0);

#[tokio::test]
async fn metrics_listen_serves_them_on_their_own_address_and_not_on_the_main_one() {
    METRICS_PORT.store(free_port(), Ordering::SeqCst);
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.metrics.listen = format!("127.0.0.1:{}", METRICS_PORT.load(Ordering::SeqCst));
            },
            ..Options::default()
        },
    )
    .await;
    let own = format!("http://127.0.0.1:{}", METRICS_PORT.load(Ordering::SeqCst));
    // The server binds it as it starts: wait for it.
    let mut up = false;
    for _ in 0..100 {
        if reqwest::get(format!("{own}/metrics")).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "nothing listens on {own}");
    let (samples, _) = scrape(&format!("{own}/metrics")).await;
    assert!(samples.iter().any(|s| s.name == "beacon_outbox_depth"));
    assert_eq!(app.get("/metrics").await.status(), 404);
    assert_eq!(reqwest::get(format!("{own}/")).await.unwrap().status(), 404);
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.finish().await;
}

/// The first `{base}/confirm/…` link in a mail.
fn confirm_link(base: &str, raw: &str) -> String {
    let text = crate::smtp::decoded(raw);
    let prefix = format!("{base}/confirm/");
    let start = text.find(&prefix).expect("a confirm link");
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect()
}

#[tokio::test]
async fn sign_ups_confirmations_and_the_schedulers_lag_are_counted() {
    // Campaigns known from 17:00; "winter-burglary" fires at 18:00 (first Friday of November).
    let fire = chrono::DateTime::parse_from_rfc3339("2026-11-06T18:00:00Z")
        .unwrap()
        .to_utc();
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            now: Some(fire - chrono::Duration::hours(1)),
            ..Options::default()
        },
    )
    .await;
    let url = app.url("/metrics");
    let (before, _) = scrape(&url).await;

    let signed_up = app
        .post_form(
            "/subscribe",
            &[
                ("email", "metrics@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", BURGLARY),
                ("frequency", "immediate"),
                ("consent", "yes"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200, "the check-your-email page");
    app.drain(Utc::now()).await;
    let mail = sink.wait_for(1, Duration::from_secs(10));
    let link = confirm_link(&app.base, &mail[0].data);
    let confirmed = app.post_form(&link, &[]).await;
    assert_eq!(confirmed.status(), 200);

    // Ten minutes late: the run's lag is 600 s.
    let report = app
        .services
        .scheduler
        .tick(fire + chrono::Duration::minutes(10))
        .await
        .unwrap();
    assert!(!report.created.is_empty(), "{report:?}");

    let (after, types) = scrape(&url).await;
    let delta = |name: &str| value(&after, name, &[]) - value(&before, name, &[]);
    assert!(delta("beacon_signups_total") >= 1.0);
    assert!(delta("beacon_confirmations_total") >= 1.0);
    assert!(delta("beacon_scheduler_lag_seconds_count") >= 1.0);
    assert!(delta("beacon_scheduler_lag_seconds_sum") >= 600.0);
    assert_eq!(types["beacon_scheduler_lag_seconds"], "histogram");
    assert!(
        value(
            &after,
            "beacon_scheduler_fires_total",
            &[("result", "created")]
        ) > value(
            &before,
            "beacon_scheduler_fires_total",
            &[("result", "created")]
        )
    );
    app.finish().await;
}
