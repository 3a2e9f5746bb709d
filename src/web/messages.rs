//! `GET /messages`: every published message, newest first, a page at a time, filtered by area
//! and topic, so a resident can check that "if it is not on this website, do not reply" holds
//! for a mail in front of them. Each links to its page in the archive (`archive.rs`).

use super::{AppState, pages};
use crate::domain::{District, LONDON, Priority};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;

/// Messages per page: a phone's screenful or two.
const PER_PAGE: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new().route("/messages", get(list))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Filters {
    area: String,
    topic: String,
    page: String,
}

/// An option of a filter's `<select>`.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Listed {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub sent: String,
    pub sent_iso: String,
    pub topic: &'static str,
}

/// A link in the pagination.
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

#[derive(askama::Template)]
#[template(path = "pages/messages.html")]
struct MessagesPage {
    areas: Vec<(&'static str, Vec<SelectOption>)>,
    topics: Vec<SelectOption>,
    messages: Vec<Listed>,
    total: i64,
    filtered: bool,
    first: i64,
    last: i64,
    previous: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

fn href(area: &str, topic: &str, page: i64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if !area.is_empty() {
        q.append_pair("area", area);
    }
    if !topic.is_empty() {
        q.append_pair("topic", topic);
    }
    if page > 1 {
        q.append_pair("page", &page.to_string());
    }
    let q = q.finish();
    if q.is_empty() {
        "/messages".into()
    } else {
        format!("/messages?{q}")
    }
}

async fn list(State(state): State<AppState>, Query(f): Query<Filters>) -> super::Result {
    let cal = state.calendar.get();
    // Unknown values are ignored rather than refused: a hand-edited address still gets a page.
    let area = cal.areas.get(&f.area).map_or("", |a| a.slug.as_str());
    let topic = Priority::ALL
        .iter()
        .find(|p| p.slug() == f.topic)
        .map_or("", |p| p.slug());
    let page = f.page.parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let found = state
        .store
        .archive(
            if area.is_empty() { "all" } else { area },
            topic,
            (page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?;
    let pages_total = ((found.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let areas = [District::Chiltern, District::SouthBucks]
        .into_iter()
        .map(|d| {
            let mut list: Vec<SelectOption> = cal
                .areas
                .iter()
                .filter(|a| a.district == d)
                .map(|a| SelectOption {
                    value: a.slug.clone(),
                    label: a.name.clone(),
                    selected: a.slug == area,
                })
                .collect();
            list.sort_by(|a, b| a.label.cmp(&b.label));
            (d.name(), list)
        })
        .collect();
    let topics = Priority::ALL
        .iter()
        .map(|p| SelectOption {
            value: p.slug().into(),
            label: p.resident_label().into(),
            selected: p.slug() == topic,
        })
        .collect();
    let messages: Vec<Listed> = found
        .items
        .iter()
        .map(|m| {
            let at = m.published.with_timezone(&LONDON);
            Listed {
                href: format!("/messages/{}", m.run_id),
                title: m.title.clone(),
                summary: m.summary.clone(),
                sent: at.format("%-d %B %Y").to_string(),
                sent_iso: at.format("%Y-%m-%d").to_string(),
                topic: m
                    .priority
                    .parse::<Priority>()
                    .map_or("", |p| p.resident_label()),
            }
        })
        .collect();
    let first = (page - 1) * PER_PAGE + 1;
    let last = first + messages.len() as i64 - 1;
    let window = (page - 2).max(1)..=(page + 2).min(pages_total);
    Ok(pages::render(
        if messages.is_empty() && page > 1 {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        },
        &MessagesPage {
            areas,
            topics,
            total: found.total,
            filtered: !area.is_empty() || !topic.is_empty(),
            first,
            last,
            previous: (page > 1).then(|| href(area, topic, page - 1)),
            next: (page < pages_total).then(|| href(area, topic, page + 1)),
            pages: if pages_total > 1 {
                window
                    .map(|n| PageLink {
                        number: n,
                        href: href(area, topic, n),
                        current: n == page,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            messages,
        },
    ))
}
