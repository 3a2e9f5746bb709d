//! Per-area alert feeds (Atom, RSS, a CAP index) and CAP 1.2 alerts, with conditional GETs.

use super::feed_cache::CachedFeed;
use super::feed_page;
use super::{AppState, Error};
use crate::render::cap::{CapAlert, CapArea};
use crate::render::feeds::{self, FeedSite};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::headers::{HeaderMapExt, IfModifiedSince, IfNoneMatch, LastModified};
use chrono::{Duration, Utc};

const FEED_LENGTH: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(feeds::STYLESHEET, get(stylesheet))
        .route("/feeds/{area}/{file}", get(feed))
        .route("/alerts/{id}/cap.xml", get(cap_alert))
}

/// The XSLT that turns a feed into a page, for a client that asks for the feed as XML and then
/// runs the feed's `<?xml-stylesheet?>`; browsers navigating get `feed_page` instead.
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/xsl; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/feed.xsl"),
    )
}

fn authority(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "beacon.invalid".into())
}

/// Whether the client's copy is current (RFC 9110 §13.2.2): `If-None-Match` compared weakly
/// (`W/"x"` matches `"x"`), and only when it is absent `If-Modified-Since`, compared as a date.
fn not_modified(headers: &HeaderMap, feed: &CachedFeed) -> bool {
    if let Some(inm) = headers.typed_get::<IfNoneMatch>() {
        return feed
            .etag
            .as_ref()
            .is_some_and(|etag| !inm.precondition_passes(etag));
    }
    match (headers.typed_get::<IfModifiedSince>(), feed.last_modified) {
        (Some(since), Some(lm)) => !since.is_modified(lm),
        _ => false,
    }
}

/// 304 when the client's copy is current, else the body with validators; counted by `kind`.
fn respond(
    headers: &HeaderMap,
    feed: &CachedFeed,
    content_type: &'static str,
    kind: &'static str,
) -> Response {
    metrics::counter!("beacon_feed_requests_total", "kind" => kind).increment(1);
    let for_people = matches!(kind, "atom" | "rss");
    let mut res = if not_modified(headers, feed) {
        metrics::counter!("beacon_feed_not_modified_total", "kind" => kind).increment(1);
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], feed.body.clone()).into_response()
    };
    let h = res.headers_mut();
    if let Some(etag) = feed.etag.clone() {
        h.typed_insert(etag);
    }
    if let Some(lm) = feed.last_modified {
        h.typed_insert(LastModified::from(lm));
    }
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=300"),
    );
    // Also on a 304 and on bodies too small to compress: caches must key on the encoding (and,
    // for the feeds people open, on `Accept`, which picks the feed or its page).
    h.insert(
        header::VARY,
        header::HeaderValue::from_static(if for_people {
            "Accept-Encoding, Accept"
        } else {
            "Accept-Encoding"
        }),
    );
    res
}

async fn feed(
    State(state): State<AppState>,
    Path((area, file)): Path<(String, String)>,
    peer: super::guard::Peer,
    headers: HeaderMap,
) -> super::Result {
    let (content_type, kind) = match file.as_str() {
        "atom.xml" => ("application/atom+xml; charset=utf-8", "atom"),
        "cap.xml" => ("application/atom+xml; charset=utf-8", "cap-index"),
        "rss.xml" => ("application/rss+xml; charset=utf-8", "rss"),
        _ => return Err(Error::NotFound),
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
    // A person opening an Atom or RSS link gets a page made from the same items; it is cached
    // beside the feed, with an entity tag of its own.
    let page = matches!(kind, "atom" | "rss") && feed_page::prefers_html(&headers);
    let (key, content_type) = if page {
        (format!("{area}/{file}#page"), "text/html; charset=utf-8")
    } else {
        (format!("{area}/{file}"), content_type)
    };
    if let Some(cached) = state.feeds.get(&key) {
        return Ok(respond(&headers, &cached, content_type, kind));
    }
    let cal = state.calendar.get();
    let area_name = match area.as_str() {
        "all" => "Chiltern and South Bucks".to_string(),
        slug => match cal.areas.get(slug) {
            Some(a) => a.name.clone(),
            None => return Err(Error::NotFound),
        },
    };
    let mut items = state.store.feed_items(&area, FEED_LENGTH).await?;
    for i in &mut items {
        i.body_markdown =
            super::crime_figures::fill(&state, &i.body_markdown, cal.areas.get(&area)).await?;
    }
    let host = authority(state.base_url());
    let site = FeedSite {
        base_url: state.base_url(),
        authority: &host,
    };
    // An empty feed dates from its area's creation, not from 1970; only then is it looked up.
    let since = match items.iter().map(|i| i.published).max() {
        Some(newest) => newest,
        None => state
            .store
            .feed_since(&area)
            .await?
            .unwrap_or_else(Utc::now),
    };
    let body = match file.as_str() {
        _ if page => {
            feed_page::render(&site, &area, &area_name, &file, &items).map_err(Error::internal)?
        }
        "rss.xml" => feeds::rss(&site, &area, &area_name, &items, since),
        "cap.xml" => feeds::atom(&site, &area, &area_name, &items, since, true),
        _ => feeds::atom(&site, &area, &area_name, &items, since, false),
    };
    let last_modified = Some(since);
    let cached = state.feeds.put(&key, body, last_modified);
    Ok(respond(&headers, &cached, content_type, kind))
}

async fn cap_alert(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> super::Result {
    let key = format!("alert/{id}");
    if let Some(cached) = state.feeds.get(&key) {
        return Ok(respond(
            &headers,
            &cached,
            "application/cap+xml; charset=utf-8",
            "cap",
        ));
    }
    let run = state
        .store
        .run(id)
        .await?
        .filter(|r| {
            r.status != crate::domain::RunStatus::Skipped && r.channels.iter().any(|c| c == "feed")
        })
        .ok_or(Error::NotFound)?;
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
    })
    .map_err(Error::internal)?;
    let cached = state.feeds.put(&key, doc, Some(run.fire_at));
    Ok(respond(
        &headers,
        &cached,
        "application/cap+xml; charset=utf-8",
        "cap",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::FeedCache;
    use std::sync::Arc;

    fn cached(published: &str) -> Arc<CachedFeed> {
        let t = chrono::DateTime::parse_from_rfc3339(published)
            .map(|t| t.with_timezone(&Utc))
            .ok();
        FeedCache::new(Arc::default()).put("k", "<feed/>".into(), t)
    }

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().expect("test header"));
        h
    }

    #[test]
    fn if_modified_since_is_compared_as_a_date_not_as_text() {
        // Published 12:00:00.750: the feed says "12:00:00 GMT", and the client echoes it back.
        let feed = cached("2026-03-01T12:00:00.750Z");
        let same = with(header::IF_MODIFIED_SINCE, "Sun, 01 Mar 2026 12:00:00 GMT");
        assert!(not_modified(&same, &feed));
        // A later date in another accepted format (RFC 850) is still a date after ours.
        let later = with(header::IF_MODIFIED_SINCE, "Sunday, 01-Mar-26 13:00:00 GMT");
        assert!(not_modified(&later, &feed));
        let earlier = with(header::IF_MODIFIED_SINCE, "Sun, 01 Mar 2026 11:59:59 GMT");
        assert!(!not_modified(&earlier, &feed));
        let nonsense = with(header::IF_MODIFIED_SINCE, "yesterday");
        assert!(!not_modified(&nonsense, &feed));
    }

    #[test]
    fn if_none_match_compares_weakly_and_wins_over_the_date() {
        let feed = cached("2026-03-01T12:00:00Z");
        let mut sent = HeaderMap::new();
        sent.typed_insert(feed.etag.clone().expect("a feed has an entity tag"));
        let weak = sent[header::ETAG].to_str().expect("ascii").to_string();
        let strong = weak.strip_prefix("W/").expect("a weak tag").to_string();
        assert!(strong.starts_with('"'), "{strong}");
        assert!(not_modified(&with(header::IF_NONE_MATCH, &strong), &feed));
        assert!(not_modified(&with(header::IF_NONE_MATCH, &weak), &feed));
        assert!(not_modified(
            &with(header::IF_NONE_MATCH, &format!("\"other\", {weak}")),
            &feed
        ));
        assert!(not_modified(&with(header::IF_NONE_MATCH, "*"), &feed));
        let mut stale = with(header::IF_NONE_MATCH, "\"other\"");
        stale.insert(
            header::IF_MODIFIED_SINCE,
            "Sun, 01 Mar 2026 12:00:00 GMT"
                .parse()
                .expect("test header"),
        );
        // A non-matching tag means modified, whatever the date says.
        assert!(!not_modified(&stale, &feed));
    }
}
