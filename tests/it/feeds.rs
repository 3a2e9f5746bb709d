//! Feeds, CAP alerts and the public archive, parsed back with real parsers.

use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::Utc;

async fn a_published_run_appears_in_area_and_all_feeds_cap_and_the_archive(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    // Before anything is published the feed is valid and empty.
    let empty = app
        .http
        .get(format!("{}/feeds/chesham/atom.xml", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 200);
    assert!(
        feed_rs::parser::parse(empty.bytes().await.unwrap().as_ref())
            .unwrap()
            .entries
            .is_empty()
    );

    let run = app
        .services
        .scheduler
        .send_now("courier-fraud", &[], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    for area in ["chesham", "all"] {
        let res = app
            .http
            .get(format!("{}/feeds/{area}/atom.xml", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", app.db.name);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        assert!(res.headers().contains_key("cache-control"));
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let feed = feed_rs::parser::parse(res.bytes().await.unwrap().as_ref()).unwrap();
        assert_eq!(feed.entries.len(), 1);
        let e = &feed.entries[0];
        assert_eq!(
            e.title.as_ref().unwrap().content,
            "Courier fraud: the police will never collect your money"
        );
        assert!(e.id.starts_with("tag:127.0.0.1,2026:message/"));
        assert_eq!(e.authors[0].name, "Thames Valley Police");
        assert!(e.summary.is_some() && e.content.is_some());
        assert!(feed.links.iter().any(|l| l.rel.as_deref() == Some("self")));
        // Conditional GET.
        let again = app
            .http
            .get(format!("{}/feeds/{area}/atom.xml", app.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    }
    let rss = app
        .http
        .get(format!("{}/feeds/chesham/rss.xml", app.base))
        .send()
        .await
        .unwrap();
    let rss = feed_rs::parser::parse(rss.bytes().await.unwrap().as_ref()).unwrap();
    assert_eq!(rss.entries.len(), 1);
    assert_eq!(
        rss.entries[0].links[0].href,
        format!("{}/messages/{run}", app.base)
    );

    let index = app
        .http
        .get(format!("{}/feeds/chesham/cap.xml", app.base))
        .send()
        .await
        .unwrap();
    let index = feed_rs::parser::parse(index.bytes().await.unwrap().as_ref()).unwrap();
    let cap_url = &index.entries[0].links[0].href;
    assert_eq!(cap_url, &format!("{}/alerts/{run}/cap.xml", app.base));
    let cap = app
        .http
        .get(cap_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = roxmltree::Document::parse(&cap).unwrap();
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("urn:oasis:names:tc:emergency:cap:1.2")
    );
    let text = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(text("status"), "Actual");
    assert_eq!(text("msgType"), "Alert");
    assert_eq!(text("scope"), "Public");
    assert_eq!(text("language"), "en-GB");
    assert_eq!(text("category"), "Security");
    assert_eq!(text("urgency"), "Future");
    assert_eq!(text("severity"), "Minor");
    assert_eq!(text("certainty"), "Likely");
    assert!(text("sent").ends_with("-00:00") && text("expires").ends_with("-00:00"));
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("areaDesc"))
            .any(|n| n.text() == Some("Chesham"))
    );
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("value"))
            .any(|n| n.text() == Some("HP5 1")),
        "Chesham's postcode sectors, from the postcode table"
    );

    let page = app
        .http
        .get(format!("{}/messages/{run}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("This is a genuine message")
    );
    assert_eq!(
        app.http
            .get(format!("{}/messages/999999", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.http
            .get(format!("{}/feeds/nowhere/atom.xml", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.finish().await;
}
each_engine!(a_published_run_appears_in_area_and_all_feeds_cap_and_the_archive);
