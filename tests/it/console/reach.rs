//! Reach reports: the reach API's fields and small-area suppression, and feed-reader counts.

use super::*;

async fn the_reach_api_reports_the_documented_fields_and_suppresses_small_areas(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..12 {
        app.resident(
            &format!("c{i}@example.com"),
            &["chesham"],
            &["burglary-vehicle"],
        )
        .await;
    }
    for i in 0..3 {
        app.resident(
            &format!("a{i}@example.com"),
            &["amersham"],
            &["burglary-vehicle"],
        )
        .await;
    }
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    sink.wait_for(15, Duration::from_secs(10));
    app.services
        .store
        .add_api_token(&secret_hash("bcn_secret"), "board", "viewer", Utc::now())
        .await
        .unwrap();
    let get = || async {
        app.http
            .get(format!("{}/api/v1/report", app.base))
            .header("authorization", "Bearer bcn_secret")
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let r = get().await;
    for key in [
        "audience",
        "subscribers",
        "growth_pct",
        "delivered",
        "failed",
        "unsubscribed",
    ] {
        assert!(r["totals"].get(key).is_some(), "totals.{key}");
    }
    assert_eq!(
        r["totals"]["delivered"], 15,
        "one campaign's deliveries, across areas"
    );
    assert!(r["period"]["from"].is_string() && r["period"]["to"].is_string());
    let area = |slug: &str| {
        r["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["slug"] == slug)
            .unwrap()
            .clone()
    };
    let chesham = area("chesham");
    assert_eq!(chesham["subscribers"], 12);
    assert_eq!(chesham["name"], "Chesham");
    assert!(chesham["per_1000_households"].is_number());
    assert!(chesham.get("growth_pct").is_some());
    let amersham = area("amersham");
    assert_eq!(amersham["subscribers"], "<10");
    assert_eq!(amersham["audience"], "<10");
    assert!(amersham["per_1000_households"].is_null());
    assert!(amersham["growth_pct"].is_null());
    // Amersham's 3 cannot be recovered by subtraction: whatever the total less the areas shown
    // leaves is spread over more than one suppressed area.
    let areas = r["areas"].as_array().unwrap();
    let shown: i64 = areas.iter().filter_map(|a| a["subscribers"].as_i64()).sum();
    let hidden: Vec<&str> = areas
        .iter()
        .filter(|a| a["subscribers"] == "<10")
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert!(hidden.contains(&"amersham"), "{hidden:?}");
    assert!(
        r["totals"]["subscribers"].as_i64().unwrap() == shown || hidden.len() > 1,
        "the total less the areas shown gives a lone suppressed area away: {hidden:?}"
    );
    for a in areas {
        for field in ["audience", "subscribers", "feed_readers", "signups"] {
            let v = &a[field];
            assert!(
                v == "<10" || v.as_i64().is_some_and(|n| n >= 10),
                "{} {field} = {v}: a count under 10 is shown",
                a["slug"]
            );
        }
    }
    assert!(r["sources"].is_array());
    let campaign = &r["campaigns"][0];
    assert_eq!(campaign["slug"], "winter-burglary");
    assert_eq!(campaign["delivered"], 15);
    let outcomes = r["outcomes"].as_array().unwrap();
    assert!(!outcomes.is_empty());
    for o in outcomes {
        assert!(o["id"].is_string() && o["target"].is_number());
        assert!(["green", "amber", "red", "grey"].contains(&o["rag"].as_str().unwrap()));
    }

    // A resident who left and then asked to be erased changes no total.
    let (id, version) = app
        .services
        .store
        .subscriber_by_email("c0@example.com")
        .await
        .unwrap()
        .unwrap();
    app.services
        .store
        .unsubscribe(id, version, Utc::now())
        .await
        .unwrap();
    let before = get().await;
    assert_eq!(before["totals"]["subscribers"], 14);
    assert!(
        app.services
            .store
            .erase(id, version, Utc::now())
            .await
            .unwrap()
    );
    let after = get().await;
    assert_eq!(before["totals"], after["totals"]);
    assert_eq!(before["areas"], after["areas"]);

    let viewer = sign_in(&app, "partner@example.org", "viewer").await;
    let (status, csv) = page(&app, &viewer, "/admin/reach.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("area,name,district,households,audience,subscribers"));
    assert!(csv.contains("amersham,Amersham,chiltern,") && csv.contains(",<10,"));
    let (_, board) = page(&app, &viewer, "/admin/reach.html").await;
    assert_eq!(
        board.matches("<svg").count(),
        4,
        "four charts (with the perception gap), drawn on the server"
    );
    assert!(!board.contains("<script"));
    assert_eq!(
        board.matches("role=\"img\"").count(),
        4,
        "each chart is an image with words"
    );
    assert!(board.contains("Period before") && board.contains("messages reached residents"));
    assert!(board.find("Outcome targets") < board.find("id=\"appendix-title\""));
    let (_, ics) = page(&app, &viewer, "/admin/calendar.ics").await;
    assert!(ics.contains("BEGIN:VCALENDAR") && ics.contains("BEGIN:VEVENT"));
    app.finish().await;
}
each_engine!(the_reach_api_reports_the_documented_fields_and_suppresses_small_areas);

async fn feed_readers_are_counted_once_a_day_each_and_aggregators_by_what_they_report(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let fetch = |ua: &'static str| {
        app.http
            .get(format!("{}/feeds/chesham/atom.xml", app.base))
            .header("user-agent", ua)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(fetch("NetNewsWire/6").await.unwrap().status(), 200);
    }
    fetch("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 16 subscribers)")
        .await
        .unwrap();
    app.state
        .readers
        .flush(app.services.store.as_ref(), Utc::now())
        .await;
    // Flushing again replaces this process's count rather than adding to it.
    app.state
        .readers
        .flush(app.services.store.as_ref(), Utc::now())
        .await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_t"), "t", "viewer", Utc::now())
        .await
        .unwrap();
    let r: serde_json::Value = app
        .http
        .get(format!("{}/api/v1/report", app.base))
        .header("authorization", "Bearer bcn_t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["totals"]["feed_readers"], 17);
    assert_eq!(r["totals"]["audience"], 17);
    let chesham = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "chesham")
        .unwrap();
    assert_eq!(chesham["feed_readers"], 17);
    app.finish().await;
}
each_engine!(feed_readers_are_counted_once_a_day_each_and_aggregators_by_what_they_report);
