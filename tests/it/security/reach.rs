//! Reach under attack: hostile aggregator claims, unbounded periods, counts that move with one
//! sign-up.

use super::{api, chesham, page, staff};
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::{TestDb, repo_path, sqlite};
use beacon::auth::token::secret_hash;
use beacon::web::feed_readers::FeedReaders;
use chrono::Utc;

async fn hostile_subscriber_claims_in_feed_user_agents_neither_inflate_nor_break_reach(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let households = i64::from(
        app.services
            .calendar
            .get()
            .areas
            .get("chesham")
            .unwrap()
            .households
            .unwrap(),
    );
    let fetch = |ua: &'static str| {
        app.http
            .get(format!("{}/feeds/chesham/atom.xml", app.base))
            .header("user-agent", ua)
            .send()
    };
    // Not an aggregator we know: one reader, whatever it says.
    fetch("EvilBot/1.0 (1000000 subscribers)").await.unwrap();
    // A known aggregator's claim, absurd and repeated: capped at the area's households.
    for _ in 0..3 {
        fetch("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 9223372036854775807 subscribers)")
            .await
            .unwrap();
    }
    app.state
        .readers
        .flush(app.services.store.as_ref(), Utc::now())
        .await;
    // A second process hears the same claim: still one claim for the day.
    let other = FeedReaders::default();
    other.seen(
        Some("chesham"),
        Some(households as u64),
        None,
        "Feedly/1.0 (9223372036854775807 subscribers)",
        Utc::now(),
    );
    other.flush(app.services.store.as_ref(), Utc::now()).await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_sec"), "t", "viewer", Utc::now())
        .await
        .unwrap();
    let (status, r) = api(&app, "/api/v1/report").await;
    assert_eq!(status, 200, "{r}");
    let cap = households.min(i64::from(
        beacon::config::FeedsConfig::default().max_claimed_readers,
    ));
    assert_eq!(chesham(&r)["feed_readers"], cap + 1);
    assert_eq!(r["totals"]["feed_readers"], cap + 1);

    // Rows as the old code wrote them (huge, several per day) still make a report.
    for instance in ["old-a", "old-b", "old-c"] {
        app.services
            .store
            .record_feed_readers(
                Utc::now().timestamp() / 86_400,
                Some("chesham"),
                instance,
                i64::MAX,
                Utc::now(),
            )
            .await
            .unwrap();
    }
    let (status, r) = api(&app, "/api/v1/report").await;
    assert_eq!(status, 200, "{r}");
    assert!(r["totals"]["audience"].as_i64().unwrap() >= 0, "{r}");
    let viewer = staff(
        &app,
        "viewer@example.org",
        "viewer",
        "a long enough passphrase",
    )
    .await;
    for path in [
        "/admin",
        "/admin/reach",
        "/admin/reach.csv",
        "/admin/reach.html",
    ] {
        let (status, body) = page(&app, &viewer, path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["report", "--format", "json"])
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env("BEACON_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "beacon report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.finish().await;
}
each_engine!(hostile_subscriber_claims_in_feed_user_agents_neither_inflate_nor_break_reach);

#[tokio::test]
async fn a_report_period_is_bounded_and_extreme_dates_get_a_400_not_a_panic() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_sec"), "t", "viewer", Utc::now())
        .await
        .unwrap();
    for q in [
        "from=0001-01-01&to=9999-12-31",
        "from=2020-01-01&to=2026-01-02",
        "to=%2B262142-12-31",
        "from=%2B262142-12-31&to=%2B262142-12-31",
        "from=-262143-01-01",
        "to=-262143-01-01",
    ] {
        let (status, body) = api(&app, &format!("/api/v1/report?{q}")).await;
        assert_eq!(status, 400, "{q}: {body}");
        let why = body["error"].as_str().unwrap_or_default();
        assert!(
            why.contains("five years") || why.contains("between"),
            "{q}: {why}"
        );
    }
    let (status, _) = api(&app, "/api/v1/report?from=2021-01-01&to=2025-12-31").await;
    assert_eq!(status, 200, "five years is allowed");
    let viewer = staff(
        &app,
        "viewer@example.org",
        "viewer",
        "a long enough passphrase",
    )
    .await;
    let (status, body) = page(&app, &viewer, "/admin/reach?to=%2B262142-12-31").await;
    assert_eq!(status, 400);
    assert!(body.contains("five years"), "{body}");
    let (status, _) = page(
        &app,
        &viewer,
        "/admin/reach.csv?from=0001-01-01&to=9999-12-31",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = page(&app, &viewer, "/admin/reach").await;
    assert_eq!(status, 200, "the server is still up");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["report", "--from", "0001-01-01", "--to", "9999-12-31"])
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env("BEACON_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("five years"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.finish().await;
}

async fn a_viewer_cannot_tell_from_the_counts_that_one_address_signed_up(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let viewer = staff(
        &app,
        "viewer@example.org",
        "viewer",
        "a long enough passphrase",
    )
    .await;
    let (_, before) = page(&app, &viewer, "/admin/subscribers").await;
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "probe@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", "burglary-vehicle"),
                ("frequency", "immediate"),
                ("consent", "yes"),
                ("website", ""),
            ],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    let (_, after) = page(&app, &viewer, "/admin/subscribers").await;
    assert_eq!(before, after, "the page moved with one sign-up");
    let (_, dashboard) = page(&app, &viewer, "/admin").await;
    assert!(!dashboard.contains("probe@"));
    app.finish().await;
}
each_engine!(a_viewer_cannot_tell_from_the_counts_that_one_address_signed_up);
