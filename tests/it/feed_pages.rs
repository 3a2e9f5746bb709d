//! Feeds for people. A browser clicking a feed link is sent an HTML page (content negotiation,
//! `feed_negotiation.rs`), opened here in headless Chromium with axe-core
//! (tests/browser/feed_page.mjs). The feeds still name an XSLT for clients that fetch them as
//! XML and run it; xsltproc (libxslt) runs it on real feeds.

use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::{repo_path, sqlite};
use chrono::Utc;
use std::process::Command;
use std::time::Duration;

/// The page xsltproc makes of the feed at `path`, with the stylesheet the server serves.
async fn transformed(app: &TestApp, dir: &std::path::Path, path: &str) -> String {
    let xsl = app.get("/static/feed.xsl").await;
    assert_eq!(xsl.status(), 200);
    assert!(
        xsl.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xsl")
    );
    std::fs::write(dir.join("feed.xsl"), xsl.bytes().await.unwrap()).unwrap();
    let feed = app.get(path).await.bytes().await.unwrap();
    std::fs::write(dir.join("feed.xml"), feed).unwrap();
    let out = Command::new("xsltproc")
        .arg(dir.join("feed.xsl"))
        .arg(dir.join("feed.xml"))
        .output()
        .expect("xsltproc runs (apt-get install xsltproc)");
    assert!(
        out.status.success(),
        "xsltproc: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn xsltproc_turns_atom_and_rss_into_a_page_that_explains_feeds() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let dir = tempfile::tempdir().unwrap();
    for kind in ["atom", "rss"] {
        let page = transformed(&app, dir.path(), &format!("/feeds/chesham/{kind}.xml")).await;
        assert!(
            page.contains("<h1>Community safety alerts: Chesham</h1>"),
            "{page}"
        );
        assert!(page.contains("What is a feed?"), "{kind}");
        assert!(
            page.contains("No alerts yet."),
            "{kind}: an empty feed says so"
        );
        assert!(page.contains(&format!("{}/feeds/chesham/{kind}.xml", app.base)));
        assert!(page.contains(r#"<html lang="en-GB">"#));
    }
    let run = app
        .services
        .scheduler
        .send_now("courier-fraud", &[], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    let today = Utc::now();
    for kind in ["atom", "rss"] {
        let page = transformed(&app, dir.path(), &format!("/feeds/chesham/{kind}.xml")).await;
        assert!(!page.contains("No alerts yet"), "{kind}");
        assert!(
            page.contains(&format!(
                r#"<a href="{}/messages/{run}">Courier fraud: the police will never collect your money</a>"#,
                app.base
            )),
            "{kind}: {page}"
        );
        // A date a person reads, not a timestamp.
        let date = match kind {
            "atom" => today.format("%-d %B %Y").to_string(),
            _ => today.format("%-d %b %Y").to_string(),
        };
        assert!(
            page.contains(&format!("Published {date}")),
            "{kind}: {page}"
        );
        assert!(
            page.contains("Fraudsters pretend to be police"),
            "{kind}: the summary"
        );
    }
    app.finish().await;
}

#[tokio::test]
async fn a_feed_opened_in_chromium_is_our_page_without_an_xslt_notice_and_passes_axe() {
    if let Err(why) = crate::browser::browser_tools() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser test cannot run under CI: {why}"
        );
        eprintln!("skipping the feed page browser test: {why}");
        return;
    }
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    // Published to Chesham (and so to the all-areas feed); Amersham's feed stays empty.
    app.services
        .scheduler
        .send_now("courier-fraud", &["chesham".into()], Utc::now(), None)
        .await
        .unwrap();
    let shots = repo_path("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut node = tokio::process::Command::new("node");
    if std::env::var_os("FAKETIME").is_some() {
        node.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    }
    let run = node
        .arg("feed_page.mjs")
        .arg(&app.base)
        .arg(&shots)
        .current_dir(repo_path("tests/browser"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the feed page check finishes within 2 minutes")
        .expect("node runs");
    eprintln!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "feed page browser check failed");
    app.finish().await;
}
