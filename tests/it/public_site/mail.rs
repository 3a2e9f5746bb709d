//! The HTML of real mails, caught by the SMTP sink, checked by html-validate and doiuse-email
//! (tests/browser/email_check.mjs); and what residents read in them.

use super::*;
use crate::smtp::{Received, header};
use crate::support::repo_path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The `text/html` part of a raw message, decoded.
fn html_part(m: &Received) -> String {
    let msg = mail_parser::MessageParser::default()
        .parse(m.data.as_bytes())
        .expect("a MIME message");
    msg.body_html(0).expect("an HTML part").into_owned()
}

fn text_part(m: &Received) -> String {
    let msg = mail_parser::MessageParser::default()
        .parse(m.data.as_bytes())
        .expect("a MIME message");
    msg.body_text(0).expect("a text part").into_owned()
}

/// Runs both validators over `mails`' HTML; panics with their report when either objects.
async fn validate(mails: &[(&str, String)]) {
    if !repo_path("tests/browser/node_modules/html-validate").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tests/browser/node_modules is missing under CI (cd tests/browser && npm ci)"
        );
        eprintln!("skipping mail validation: tests/browser/node_modules is missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, html) in mails {
        let f = dir.path().join(format!("{name}.html"));
        std::fs::write(&f, html).unwrap();
        files.push(f);
    }
    let out = tokio::process::Command::new("node")
        .arg("email_check.mjs")
        .args(&files)
        .current_dir(repo_path("tests/browser"))
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .output()
        .await
        .expect("node runs");
    let log = String::from_utf8_lossy(&out.stdout);
    eprintln!("{log}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the mails' HTML has problems:\n{log}");
    assert_eq!(log.matches("checked ").count(), mails.len());
}

#[tokio::test]
async fn residents_mails_are_valid_html_that_common_clients_support() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "new@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", "fear-of-crime"),
                ("frequency", "weekly"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    app.resident(
        "known@example.com",
        &["chesham"],
        &["vulnerability-safeguarding"],
    )
    .await;
    publish(&app, "courier-fraud").await;
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, WAIT);
    let to = |who: &str| {
        mails
            .iter()
            .find(|m| m.to.iter().any(|t| t == who))
            .unwrap_or_else(|| panic!("a mail to {who}"))
            .clone()
    };
    let confirm = to("new@example.com");
    let campaign = to("known@example.com");

    // The confirmation says how often alerts will come.
    let text = text_part(&confirm);
    assert!(
        text.contains("How often: A weekly round-up on Saturday morning"),
        "{text}"
    );
    assert!(html_part(&confirm).contains("A weekly round-up on Saturday morning"));

    // Subject and heading agree, in both parts.
    for m in [&confirm, &campaign] {
        let subject = header(&m.data, "Subject").unwrap();
        let decoded = mail_parser::MessageParser::default()
            .parse(m.data.as_bytes())
            .unwrap()
            .subject()
            .unwrap()
            .to_string();
        let html = html_part(m);
        let h1 = html
            .split("<h1")
            .nth(1)
            .and_then(|s| s.split_once('>'))
            .and_then(|(_, s)| s.split_once("</h1>"))
            .map(|(h, _)| h.to_string())
            .unwrap_or_default();
        assert_eq!(h1, decoded, "heading of {subject}");
        assert!(text_part(m).starts_with(&decoded), "text of {subject}");
    }

    // The footer residents read is at least 14 px, dark on light.
    let html = html_part(&campaign);
    let footer = html
        .rsplit("<div style=\"")
        .find(|d| d.contains("Unsubscribe"))
        .unwrap();
    assert!(
        footer.contains("font-size:16px") && footer.contains("color:#0b0c0c"),
        "{footer}"
    );
    assert!(
        !html.contains("<body "),
        "no styling on <body>: clients drop it"
    );

    validate(&[("confirm", html_part(&confirm)), ("campaign", html)]).await;
    app.finish().await;
}
