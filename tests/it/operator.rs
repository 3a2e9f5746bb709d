//! What an operator sees and does when the mail server misbehaves: `beacon outbox` and the
//! dashboard name a paused channel and why; an editor resumes it (CLI or console); an admin lifts
//! a suppression (CLI or console). Everything audited.

use crate::app::spawn_app;
use crate::reliability::{BURGLARY, bounced, email_channel, residents, send};
use crate::smtp::{Script, SmtpSink};
use crate::support::{TestDb, repo_path};
use chrono::{Duration, Utc};

#[tokio::test]
async fn an_editor_resumes_a_paused_channel_from_the_command_line_and_beacon_outbox_shows_why() {
    let db = crate::support::sqlite().await;
    let sink = SmtpSink::start_with(Script {
        reject_every_rcpt: Some((500, "5.3.0 Other mail system problem")),
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    residents(&app, 60).await;
    let t0 = Utc::now();
    send(&app, t0).await;
    app.drain(t0).await;
    assert_eq!(bounced(&app).await, 0, "5.3.0 is the server's problem");
    let beacon = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .env_remove("BEACON_CONFIG")
            .env(
                "BEACON_CALENDAR__DIR",
                repo_path("tests/fixtures/campaigns"),
            )
            .env("BEACON_DATABASE__URL", &app.db.url)
            .output()
            .expect("run beacon")
    };
    let out = beacon(&["outbox"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{shown}");
    let email_line = shown.lines().find(|l| l.starts_with("email")).unwrap();
    assert!(
        email_line.contains("PAUSED by the circuit breaker"),
        "{shown}"
    );
    assert!(email_line.contains("500 5.3.0"), "{shown}");
    assert!(shown.contains("last error:"), "{shown}");

    let out = beacon(&["outbox", "--resume", "email"]);
    assert!(out.status.success());
    assert!(email_channel(&app, t0).await.paused.is_none());
    let audit = app.services.store.recent_audit(5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "channel.resume"));
    app.finish().await;
}

#[tokio::test]
async fn beacon_subscribers_unsuppress_lifts_a_suppression_and_audits_it() {
    let db = crate::support::sqlite().await;
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.com".into()],
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("gone@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    send(&app, t0).await;
    app.drain(t0).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["subscribers", "unsuppress", "gone@example.com"])
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env("BEACON_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("5.1.1"),
        "names the reply that caused it: {said}"
    );
    assert_eq!(bounced(&app).await, 0);
    let audit = app.services.store.recent_audit(5).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.action == "subscriber.unsuppress")
        .expect("audited");
    assert!(
        !format!("{entry:?}").contains("gone@example.com"),
        "no address in the audit detail"
    );
    app.finish().await;
}

async fn the_console_shows_a_paused_channel_and_lets_an_editor_resume_it_and_an_admin_lift_a_suppression(
    db: TestDb,
) {
    use crate::console::{hidden, page, sign_in};
    let sink = SmtpSink::start_with(Script {
        reject_rcpt: vec!["gone@example.com".into()],
        ..Default::default()
    });
    let app = spawn_app(db, &sink).await;
    app.resident("gone@example.com", &["chesham"], &[BURGLARY])
        .await;
    let t0 = Utc::now();
    send(&app, t0).await;
    app.drain(t0).await;
    assert_eq!(bounced(&app).await, 1, "5.1.1 suppresses");
    // More residents join; later the relay refuses everyone.
    residents(&app, 59).await;
    sink.refuse_every_rcpt(Some((554, "5.7.1 Relay access denied")));
    let t1 = t0 + Duration::minutes(1);
    send(&app, t1).await;
    app.drain(t1).await;

    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let (status, html) = page(&app, &editor, "/admin").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("E-mail is paused by the circuit breaker"),
        "{html}"
    );
    assert!(html.contains("5.7.1"));
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/channels/email/resume")
        .header("cookie", &editor)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(
        email_channel(&app, t1).await.paused.is_none(),
        "{}",
        app.db.name
    );

    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let (_, html) = page(
        &app,
        &admin,
        "/admin/subscribers/lookup?email=gone%40example.com",
    )
    .await;
    assert!(html.contains("Lift the suppression"), "{html}");
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/subscribers/unsuppress")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("email", "gone@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(bounced(&app).await, 0);
    let audit = app.services.store.recent_audit(10).await.unwrap();
    for action in ["channel.resume", "subscriber.unsuppress"] {
        assert!(audit.iter().any(|a| a.action == action), "{action} audited");
    }
    app.finish().await;
}
each_engine!(
    the_console_shows_a_paused_channel_and_lets_an_editor_resume_it_and_an_admin_lift_a_suppression
);
