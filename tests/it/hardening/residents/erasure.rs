//! Erasure that leaves no trace, and which archived messages are public.

use super::*;

#[tokio::test]
async fn an_erased_address_is_gone_from_the_database_files_and_the_audit_log() {
    use beacon::auth::token::{Claims, Purpose};
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let address = "erase.me.please@example.org";
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", address),
                ("postcode", "HP5 9AA"),
                ("topics", "fear-of-crime"),
                ("frequency", "immediate"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    app.drain(Utc::now()).await;
    let (_, html) = page(
        &app,
        &admin,
        &format!("/admin/subscribers/lookup?email={address}"),
    )
    .await;
    assert!(html.contains(address), "the lookup finds them");
    let (id, version) = app
        .services
        .store
        .subscriber_by_email(address)
        .await
        .unwrap()
        .unwrap();
    let manage = app.state.signer.sign(Claims {
        purpose: Purpose::Manage,
        subscriber_id: id,
        version,
        expires: 0,
    });
    let r = app.post_form(&format!("/manage/{manage}/erase"), &[]).await;
    assert_eq!(r.status(), 200);
    let log = app.services.store.recent_audit(50).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "subscriber.lookup"),
        "the lookup is audited"
    );
    for e in &log {
        assert!(
            !format!("{} {:?}", e.actor, e.detail).contains("erase.me"),
            "{e:?}"
        );
    }
    let file = app.db.url.trim_start_matches("sqlite://").to_string();
    for path in [file.clone(), format!("{file}-wal")] {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let found = bytes
            .windows(b"erase.me.please".len())
            .any(|w| w == b"erase.me.please");
        assert!(!found, "the address is still in {path}");
    }
    app.finish().await;
}

#[tokio::test]
async fn only_feed_published_messages_are_public_by_number_others_need_their_mails_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::support::repo_path("tests/fixtures/campaigns/areas.toml"),
        dir.path().join("areas.toml"),
    )
    .unwrap();
    for (slug, channels) in [("private", "\"email\""), ("public", "\"email\", \"feed\"")] {
        std::fs::write(
            dir.path().join(format!("{slug}.md")),
            format!(
                "+++\ntitle = \"T {slug}\"\npriority = \"fear-of-crime\"\nlead = \"Thames Valley Police\"\nschedule = \"0 9 * * *\"\n\
                 areas = [\"all\"]\nchannels = [{channels}]\nsubject = \"S\"\nsummary = \"S\"\n+++\nBody of {slug}.\n"
            ),
        )
        .unwrap();
    }
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            calendar_dir: dir.path().to_path_buf(),
            ..Options::default()
        },
    )
    .await;
    app.resident("ann@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let mut runs = Vec::new();
    for slug in ["private", "public"] {
        let run = app
            .services
            .scheduler
            .send_now(slug, &[], Utc::now(), None)
            .await
            .unwrap()
            .unwrap();
        runs.push(run);
    }
    app.drain(Utc::now()).await;
    let (private, public) = (runs[0], runs[1]);
    assert_eq!(app.get(&format!("/messages/{public}")).await.status(), 200);
    assert_eq!(app.get(&format!("/messages/{private}")).await.status(), 404);
    assert_eq!(
        app.get(&format!("/messages/{private}-forged"))
            .await
            .status(),
        404
    );
    let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
    let mail = mails
        .iter()
        .map(|m| crate::smtp::decoded(&m.data))
        .find(|t| t.contains("Body of private"))
        .expect("the e-mail-only campaign was mailed");
    let prefix = format!("{}/messages/{private}-", app.base);
    let at = mail
        .find(&prefix)
        .expect("the mail links to its archive copy");
    let link: String = mail[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect();
    let r = app.get(&link).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Body of private"));
    app.finish().await;
}
