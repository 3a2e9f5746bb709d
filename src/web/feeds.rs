//! Per-area alert feeds (Atom, RSS, a CAP index) and CAP 1.2 alerts, with conditional GETs.

use super::feed_cache::CachedFeed;
use super::{AppState, pages};
use crate::render::cap::{CapAlert, CapArea};
use crate::render::feeds::{self, FeedSite};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};

const FEED_LENGTH: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feeds/{area}/{file}", get(feed))
        .route("/alerts/{id}/cap.xml", get(cap_alert))
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn authority(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "beacon.invalid".into())
}

/// 304 when the client's copy is current, else the body with validators.
fn respond(headers: &HeaderMap, feed: &CachedFeed, content_type: &'static str) -> Response {
    let etag_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == feed.etag || t.trim() == "*")
        });
    let not_modified_since = !headers.contains_key(header::IF_NONE_MATCH)
        && matches!(
            (headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()), &feed.last_modified),
            (Some(since), Some(lm)) if since == lm
        );
    let mut res = if etag_match || not_modified_since {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], feed.body.clone()).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = feed.etag.parse() {
        h.insert(header::ETAG, v);
    }
    if let Some(v) = feed.last_modified.as_deref().and_then(|lm| lm.parse().ok()) {
        h.insert(header::LAST_MODIFIED, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=300"),
    );
    res
}

async fn feed(
    State(state): State<AppState>,
    Path((area, file)): Path<(String, String)>,
    peer: super::guard::Peer,
    headers: HeaderMap,
) -> Response {
    let content_type = match file.as_str() {
        "atom.xml" | "cap.xml" => "application/atom+xml; charset=utf-8",
        "rss.xml" => "application/rss+xml; charset=utf-8",
        _ => return pages::not_found(),
    };
    let households = {
        let cal = state.calendar.get();
        if area == "all" {
            let all: u64 = cal
                .areas
                .iter()
                .filter_map(|a| a.households)
                .map(u64::from)
                .sum();
            Some(Some(all).filter(|h| *h > 0))
        } else {
            cal.areas.get(&area).map(|a| a.households.map(u64::from))
        }
    };
    if let Some(households) = households {
        let ua = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ip = state.client_ip(&headers, &peer);
        state.readers.seen(
            (area != "all").then_some(area.as_str()),
            households,
            ip,
            ua,
            Utc::now(),
        );
    }
    let key = format!("{area}/{file}");
    if let Some(cached) = state.feeds.get(&key) {
        return respond(&headers, &cached, content_type);
    }
    let cal = state.calendar.get();
    let area_name = match area.as_str() {
        "all" => "Chiltern and South Bucks".to_string(),
        slug => match cal.areas.get(slug) {
            Some(a) => a.name.clone(),
            None => return pages::not_found(),
        },
    };
    let items = match state.store.feed_items(&area, FEED_LENGTH).await {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, "feed query failed");
            return pages::unavailable();
        }
    };
    let host = authority(state.base_url());
    let site = FeedSite {
        base_url: state.base_url(),
        authority: &host,
    };
    let body = match file.as_str() {
        "rss.xml" => feeds::rss(&site, &area, &area_name, &items),
        "cap.xml" => feeds::atom(&site, &area, &area_name, &items, true),
        _ => feeds::atom(&site, &area, &area_name, &items, false),
    };
    let last_modified = items.iter().map(|i| i.published).max().map(http_date);
    let cached = state.feeds.put(&key, body, last_modified);
    respond(&headers, &cached, content_type)
}

async fn cap_alert(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let key = format!("alert/{id}");
    if let Some(cached) = state.feeds.get(&key) {
        return respond(&headers, &cached, "application/cap+xml; charset=utf-8");
    }
    let run = match state.store.run(id).await {
        Ok(Some(r))
            if r.status != crate::domain::RunStatus::Skipped
                && r.channels.iter().any(|c| c == "feed") =>
        {
            r
        }
        Ok(_) => return pages::not_found(),
        Err(e) => {
            tracing::error!(error = %e, "alert query failed");
            return pages::unavailable();
        }
    };
    let cal = state.calendar.get();
    let areas: Vec<CapArea> = run
        .areas
        .iter()
        .filter_map(|slug| cal.areas.get(slug))
        .map(|a| CapArea {
            name: a.name.clone(),
            postcodes: a.postcodes.iter().map(|p| p.to_string()).collect(),
        })
        .collect();
    let host = authority(state.base_url());
    let identifier = format!("{host}-message-{}", run.run_id);
    let sender = format!("alerts@{host}");
    let web = format!("{}/messages/{}", state.base_url(), run.run_id);
    let description = crate::render::markdown::to_text(&run.body);
    let doc = crate::render::cap::render(&CapAlert {
        identifier: &identifier,
        sender: &sender,
        sent: run.fire_at,
        expires: run.fire_at + Duration::days(30),
        priority: &run.priority,
        event: &run.title,
        sender_name: &run.lead,
        headline: &run.subject,
        description: &description,
        instruction: &run.summary,
        web: &web,
        areas: &areas,
    });
    match doc {
        Ok(body) => {
            let cached = state.feeds.put(&key, body, Some(http_date(run.fire_at)));
            respond(&headers, &cached, "application/cap+xml; charset=utf-8")
        }
        Err(e) => {
            tracing::error!(error = %e, "CAP template failed");
            pages::unavailable()
        }
    }
}
