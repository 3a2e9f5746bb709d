//! `crime.fetch`: the data.police.uk API, played by a stand-in on loopback that speaks its
//! documented JSON (https://data.police.uk/docs/method/crime-street/), stores what the CSV does.

use super::*;
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use axum::Json;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The stand-in answers 503 above this many crimes, as the API does above 10,000.
const LIMIT: usize = 4;

/// The fixture file's located crimes as the API lists them.
fn crimes() -> Vec<Value> {
    let mut r = csv::Reader::from_path(fixture()).unwrap();
    r.records()
        .enumerate()
        .filter_map(|(i, rec)| {
            let rec = rec.unwrap();
            if rec.get(5).unwrap().is_empty() {
                return None; // the API leaves out crimes it cannot place
            }
            let category = match rec.get(9).unwrap() {
                "Anti-social behaviour" => "anti-social-behaviour",
                "Violence and sexual offences" => "violent-crime",
                "Criminal damage and arson" => "criminal-damage-arson",
                "Vehicle crime" => "vehicle-crime",
                "Other theft" => "other-theft",
                other => return Some((i, other.to_lowercase(), rec)),
            };
            Some((i, category.to_string(), rec))
        })
        .map(|(i, category, rec)| {
            json!({
                "category": category,
                "location_type": "Force",
                "location": {
                    "latitude": rec.get(5).unwrap(),
                    "longitude": rec.get(4).unwrap(),
                    "street": {"id": 1_000_000 + i, "name": rec.get(6).unwrap()}
                },
                "context": "",
                "outcome_status": if rec.get(10).unwrap().is_empty() { Value::Null } else {
                    json!({"category": rec.get(10).unwrap(), "date": "2026-09"})
                },
                "persistent_id": rec.get(0).unwrap(),
                "id": 54_164_419 + i as i64,
                "location_subtype": "",
                "month": rec.get(1).unwrap()
            })
        })
        .collect()
}

/// `lat,lng:lat,lng:…` → the box around it.
fn bounds(poly: &str) -> Option<(f64, f64, f64, f64)> {
    let pts: Vec<(f64, f64)> = poly
        .split(':')
        .map(|p| {
            let (a, b) = p.split_once(',')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect::<Option<_>>()?;
    let f = |g: fn(&(f64, f64)) -> f64, max: bool| {
        pts.iter()
            .map(g)
            .fold(if max { f64::MIN } else { f64::MAX }, |a, b| {
                if max { a.max(b) } else { a.min(b) }
            })
    };
    Some((
        f(|p| p.0, false),
        f(|p| p.1, false),
        f(|p| p.0, true),
        f(|p| p.1, true),
    ))
}

async fn street(Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(poly), Some(date)) = (q.get("poly"), q.get("date")) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Some((s, w, n, e)) = bounds(poly) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let inside: Vec<Value> = crimes()
        .into_iter()
        .filter(|c| c["month"] == date.as_str())
        .filter(|c| {
            let lat: f64 = c["location"]["latitude"].as_str().unwrap().parse().unwrap();
            let lon: f64 = c["location"]["longitude"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            (s..=n).contains(&lat) && (w..=e).contains(&lon)
        })
        .collect();
    if inside.len() > LIMIT {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(inside).into_response()
}

async fn stand_in() -> String {
    let app = axum::Router::new()
        .route(
            "/api/crime-last-updated",
            get(|| async { Json(json!({"date": "2026-09-01"})) }),
        )
        .route("/api/crimes-street/all-crime", get(street));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/api")
}

async fn the_api_fetch_stores_what_the_csv_import_stores(db: TestDb) {
    let base = stand_in().await;
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let mut config = app.services.config.clone();
    config.crime.fetch = true;
    config.crime.api_base = base;
    let services = beacon::app::Services::build(config).await.unwrap();
    let months = beacon::app::crime_fetch::fetch_once(&services)
        .await
        .unwrap();
    // Fourteen months back, so a year-on-year comparison has its months, and the latest.
    assert_eq!(months.len(), 15);
    assert_eq!(months.last().unwrap().to_string(), "2026-09");
    let fetched = counts(&app.services.store, "2026-09").await;
    assert_eq!(
        fetched.0,
        by_hand(&[("amersham", 4), ("chesham", 5), ("gerrards-cross", 3)]),
        "{}",
        app.db.name
    );

    // The CSV of the same month replaces it with the same figures.
    let out = beacon_at(&app.db, &["crime", "import", fixture().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(counts(&app.services.store, "2026-09").await, fetched);

    // A second fetch asks again only for the latest month (police.uk revises it).
    let again = beacon::app::crime_fetch::fetch_once(&services)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["2026-09"]
    );
    assert_eq!(counts(&app.services.store, "2026-09").await, fetched);
    services.store.close().await;
    app.finish().await;
}
each_engine!(the_api_fetch_stores_what_the_csv_import_stores);
