//! What partners read: areas with their feeds, campaigns in words and cron, counts with small
//! cells suppressed, and lists that page with a cursor.

use super::{call, token};
use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::Utc;
use serde_json::Value;

/// Every item of a list, page by page, `limit` at a time.
async fn all_pages(app: &TestApp, token: &str, path: &str, limit: u32) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let (status, _, page) = call(app, "GET", &url, token, None).await;
        assert_eq!(status, 200, "{url}: {page}");
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        items.extend(got.iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (items, pages),
        }
    }
}

async fn lists_page_with_a_cursor_without_gaps_or_repeats(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let viewer = token(&app, "viewer").await;
    for path in ["/api/v1/areas", "/api/v1/campaigns"] {
        let (_, _, whole) = call(&app, "GET", path, &viewer, None).await;
        let whole = whole["items"].as_array().unwrap().clone();
        assert!(whole.len() > 3, "{path}");
        let (paged, pages) = all_pages(&app, &viewer, path, 3).await;
        assert_eq!(paged, whole, "{path}");
        assert_eq!(pages, whole.len().div_ceil(3), "{path}");
    }
    let editor = token(&app, "editor").await;
    app.residents_in(12, "chesham", "burglary-vehicle").await;
    let mut sent = Vec::new();
    for _ in 0..5 {
        sent.push(super::send_once(&app, &editor).await);
    }
    let (runs, _) = all_pages(&app, &viewer, "/api/v1/campaigns/winter-burglary/runs", 2).await;
    let ids: Vec<i64> = runs.iter().map(|r| r["run_id"].as_i64().unwrap()).collect();
    sent.reverse();
    assert_eq!(ids, sent, "newest first, each once");
    app.finish().await;
}
each_engine!(lists_page_with_a_cursor_without_gaps_or_repeats);

async fn areas_and_campaigns_say_what_partners_need(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let viewer = token(&app, "viewer").await;
    let (_, _, areas) = call(&app, "GET", "/api/v1/areas?limit=200", &viewer, None).await;
    let chesham = areas["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "chesham")
        .unwrap()
        .clone();
    assert_eq!(chesham["name"], "Chesham");
    assert_eq!(chesham["district"], "chiltern");
    assert!(!chesham["postcodes"].as_array().unwrap().is_empty());
    let atom = chesham["feeds"]["atom"].as_str().unwrap();
    assert_eq!(atom, format!("{}/feeds/chesham/atom.xml", app.base));
    assert_eq!(app.get(atom).await.status(), 200, "the feed URL works");
    let (_, _, c) = call(
        &app,
        "GET",
        "/api/v1/campaigns/winter-burglary",
        &viewer,
        None,
    )
    .await;
    assert_eq!(c["schedule"]["cron"], "0 18 1-7 11,12,1,2 FRI");
    assert_eq!(
        c["schedule"]["words"],
        "The first Friday of November, December, January and February at 6pm"
    );
    assert_eq!(c["paused"], false);
    assert_eq!(
        c["channels"],
        serde_json::json!(["email", "feed", "webhook"])
    );
    let next: Vec<chrono::DateTime<Utc>> = serde_json::from_value(c["next_sends"].clone()).unwrap();
    // First Fridays of November to February at 18:00 UK time within the API's 400 days, at most
    // five: counted here by walking the calendar, not by Beacon's schedule code.
    let now = Utc::now();
    let london = chrono_tz::Europe::London;
    let due = (0..=400)
        .filter_map(|d| {
            let day = now.with_timezone(&london).date_naive() + chrono::Duration::days(d);
            let first_friday = chrono::Datelike::weekday(&day) == chrono::Weekday::Fri
                && chrono::Datelike::day(&day) <= 7
                && [11, 12, 1, 2].contains(&chrono::Datelike::month(&day));
            let at = day
                .and_hms_opt(18, 0, 0)?
                .and_local_timezone(london)
                .single()?;
            (first_friday && at > now && at <= now + chrono::Duration::days(400)).then_some(at)
        })
        .count();
    assert_eq!(next.len(), due.min(5));
    assert!(
        next.len() >= 4,
        "any 400 days hold at least four first Fridays of winter"
    );
    assert!(next.windows(2).all(|w| w[0] < w[1]) && next[0] > Utc::now());
    for t in &next {
        let local = t.with_timezone(&chrono_tz::Europe::London);
        assert_eq!(
            (
                local.format("%a %H:%M").to_string(),
                chrono::Datelike::day(&local) <= 7
            ),
            ("Fri 18:00".to_string(), true)
        );
    }
    app.finish().await;
}
each_engine!(areas_and_campaigns_say_what_partners_need);

async fn subscriber_counts_hide_small_cells_and_the_cell_that_would_give_one_away(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_as(
        "chesham-burglary-vehicle-",
        12,
        "chesham",
        "burglary-vehicle",
    )
    .await;
    app.residents_as("chesham-fear-of-crime-", 25, "chesham", "fear-of-crime")
        .await;
    app.residents_as(
        "chesham-community-resilience-",
        3,
        "chesham",
        "community-resilience",
    )
    .await;
    app.residents_as(
        "amersham-burglary-vehicle-",
        11,
        "amersham",
        "burglary-vehicle",
    )
    .await;
    let viewer = token(&app, "viewer").await;
    let (status, _, page) = call(&app, "GET", "/api/v1/subscribers/counts", &viewer, None).await;
    assert_eq!(status, 200, "{page}");
    let cell = |area: &str, topic: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["area"] == area && c["topic"] == topic && c["status"] == "confirmed")
            .map(|c| c["count"].clone())
    };
    assert_eq!(cell("chesham", "community-resilience"), Some("<10".into()));
    // 12 could be recovered from the area's total less 25 and so give the 3 away: hidden too.
    assert_eq!(cell("chesham", "burglary-vehicle"), Some("hidden".into()));
    assert_eq!(cell("chesham", "fear-of-crime"), Some(25.into()));
    assert_eq!(cell("amersham", "burglary-vehicle"), Some(11.into()));
    app.finish().await;
}
each_engine!(subscriber_counts_hide_small_cells_and_the_cell_that_would_give_one_away);
