//! A feed URL serves a page to a browser and the feed to everything else, chosen by `Accept`
//! with its q-values; page and feed are cached, tagged and revalidated separately.

use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::sqlite;
use chrono::Utc;

/// What Chromium sends when a person clicks a link.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,\
    image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.request("GET", path)
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The request headers a response varies on, lower-case and sorted.
fn varies(res: &reqwest::Response) -> Vec<String> {
    let mut names: Vec<String> = res
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[tokio::test]
async fn browsers_get_a_page_and_feed_readers_get_the_feed() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let run = app
        .services
        .scheduler
        .send_now("courier-fraud", &["chesham".into()], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();

    for (file, feed_type, reader) in [
        (
            "atom.xml",
            "application/atom+xml",
            "application/atom+xml, text/html;q=0.5",
        ),
        (
            "rss.xml",
            "application/rss+xml",
            "application/rss+xml, application/atom+xml;q=0.9, text/html;q=0.5",
        ),
    ] {
        let path = format!("/feeds/chesham/{file}");
        let page = get(&app, &path, BROWSER).await;
        assert_eq!(page.status(), 200);
        assert!(
            header(&page, "content-type").starts_with("text/html"),
            "{file}: {:?}",
            page.headers()
        );
        assert_eq!(varies(&page), ["accept", "accept-encoding"], "{file}");
        let page_tag = header(&page, "etag");
        assert!(!page_tag.is_empty(), "{file}: the page has an entity tag");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<h1>Community safety alerts: Chesham</h1>"),
            "{html}"
        );
        assert!(html.contains("What is a feed and how to use one"), "{file}");
        assert!(
            html.contains(&format!(r#"value="{}{path}""#, app.base)),
            "{file}: the address to copy"
        );
        assert!(
            html.contains(&format!(
                r#"<a href="{}/messages/{run}">Courier fraud: the police will never collect your money</a>"#,
                app.base
            )),
            "{file}: {html}"
        );
        assert!(html.contains("Fraudsters pretend to be police"), "{file}");
        assert!(!html.contains("No alerts yet"), "{file}");
        assert!(!html.contains("xml-stylesheet"), "{file}");

        for accept in [reader, "*/*", "text/html;q=0, */*"] {
            let feed = get(&app, &path, accept).await;
            assert_eq!(feed.status(), 200);
            assert!(
                header(&feed, "content-type").starts_with(feed_type),
                "{file} for {accept}: {:?}",
                feed.headers()
            );
            assert_eq!(varies(&feed), ["accept", "accept-encoding"], "{file}");
            let feed_tag = header(&feed, "etag");
            assert_ne!(feed_tag, page_tag, "{file}: page and feed differ");
            let parsed = feed_rs::parser::parse(feed.bytes().await.unwrap().as_ref()).unwrap();
            assert_eq!(parsed.entries.len(), 1, "{file} for {accept}");
        }
        // No `Accept` at all is a feed reader too.
        let bare = app.http.get(app.url(&path)).send().await.unwrap();
        assert!(header(&bare, "content-type").starts_with(feed_type));

        // Revalidation: the page's tag answers 304 for the page, and not for the feed; the
        // feed's tag never makes the page look current.
        let again = app
            .request("GET", &path)
            .header("accept", BROWSER)
            .header("if-none-match", &page_tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{file}");
        assert_eq!(varies(&again), ["accept", "accept-encoding"], "{file}");
        let as_feed = app
            .request("GET", &path)
            .header("accept", reader)
            .header("if-none-match", &page_tag)
            .send()
            .await
            .unwrap();
        assert_eq!(as_feed.status(), 200, "{file}");
    }

    // An empty feed's page says so.
    let empty = get(&app, "/feeds/amersham/atom.xml", BROWSER).await;
    assert!(header(&empty, "content-type").starts_with("text/html"));
    let html = empty.text().await.unwrap();
    assert!(html.contains("No alerts yet."), "{html}");
    assert!(html.contains("<h1>Community safety alerts: Amersham</h1>"));

    // The CAP index is for machines only: a browser gets the index itself.
    let cap = get(&app, "/feeds/chesham/cap.xml", BROWSER).await;
    assert!(header(&cap, "content-type").starts_with("application/atom+xml"));
    app.finish().await;
}
