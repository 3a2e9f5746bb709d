//! Residents: addresses SMTP can carry, erasure that leaves no trace, the message archive,
//! links that can be retired, and a sign-up that looks the same for every address.

use crate::app::{Options, spawn_app, spawn_app_with};
use crate::console::{page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use chrono::Utc;

#[tokio::test]
async fn sign_up_refuses_addresses_smtp_cannot_carry() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    for email in [
        "\"a,b\"@example.org",
        "ann\u{85}@example.org",
        "ann\u{fffd}@example.org",
    ] {
        let r = app
            .post_form(
                "/subscribe",
                &[
                    ("email", email),
                    ("postcode", "HP5 9AA"),
                    ("topics", "fear-of-crime"),
                    ("frequency", "immediate"),
                    ("consent", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "{email:?}");
    }
    // Invalid UTF-8 in the form body.
    let r = app
        .request("POST", "/subscribe")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=ann%FF%FE%40example.org&postcode=HP5+9AA&topics=fear-of-crime&frequency=immediate&consent=yes")
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 303);
    app.finish().await;
}

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
    assert_eq!(r.status(), 303);
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

/// A resident's signed link of `purpose` at their current link version.
async fn resident_link(
    app: &crate::app::TestApp,
    email: &str,
    purpose: beacon::auth::token::Purpose,
) -> String {
    let (id, version) = app
        .services
        .store
        .subscriber_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let path = match purpose {
        beacon::auth::token::Purpose::Manage => "manage",
        beacon::auth::token::Purpose::Unsubscribe => "unsubscribe",
        beacon::auth::token::Purpose::Confirm | beacon::auth::token::Purpose::ConfirmRequest => {
            "confirm"
        }
    };
    let token = app.state.signer.sign(beacon::auth::token::Claims {
        purpose,
        subscriber_id: id,
        version,
        expires: 0,
    });
    format!("/{path}/{token}")
}

#[tokio::test]
async fn a_resident_retires_their_links_and_gets_a_new_one_by_mail() {
    use beacon::auth::token::Purpose;
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.resident("ann@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let manage = resident_link(&app, "ann@example.org", Purpose::Manage).await;
    let unsubscribe = resident_link(&app, "ann@example.org", Purpose::Unsubscribe).await;
    let html = app.get(&manage).await.text().await.unwrap();
    assert!(html.contains("Send me a new link"), "{html}");
    let r = app.post_form(&format!("{manage}/new-link"), &[]).await;
    assert_eq!(r.status(), 200);
    for old in [&manage, &unsubscribe] {
        let r = app.get(old).await;
        assert_eq!(r.status(), 410, "{old}");
        assert!(r.text().await.unwrap().contains("no longer works"));
    }
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(1, std::time::Duration::from_secs(10));
    let text = crate::smtp::decoded(&mails[0].data);
    let prefix = format!("{}/manage/", app.base);
    let at = text.find(&prefix).expect("the mail carries the new link");
    let fresh: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect();
    assert_eq!(app.get(&fresh).await.status(), 200);
    app.finish().await;
}

#[tokio::test]
async fn an_erased_residents_old_links_say_they_no_longer_work_on_get_too() {
    use beacon::auth::token::Purpose;
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.resident("bob@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let manage = resident_link(&app, "bob@example.org", Purpose::Manage).await;
    let unsubscribe = resident_link(&app, "bob@example.org", Purpose::Unsubscribe).await;
    let confirm = resident_link(&app, "bob@example.org", Purpose::Confirm).await;
    let r = app.post_form(&format!("{manage}/erase"), &[]).await;
    assert_eq!(r.status(), 200);
    for old in [
        manage.clone(),
        format!("{manage}/erase"),
        unsubscribe,
        confirm,
    ] {
        let r = app.get(&old).await;
        assert_eq!(r.status(), 410, "{old}");
        assert!(r.text().await.unwrap().contains("no longer works"), "{old}");
    }
    app.finish().await;
}

#[tokio::test]
async fn replaying_a_confirm_link_does_not_hand_out_a_manage_link() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "cat@example.org"),
                ("postcode", "HP5 9AA"),
                ("topics", "fear-of-crime"),
                ("frequency", "immediate"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let confirm = resident_link(
        &app,
        "cat@example.org",
        beacon::auth::token::Purpose::Confirm,
    )
    .await;
    let first = app.post_form(&confirm, &[]).await.text().await.unwrap();
    assert!(
        first.contains("/manage/"),
        "the first use links to the manage page"
    );
    let again = app.post_form(&confirm, &[]).await;
    let again = again.text().await.unwrap();
    assert!(
        !again.contains("/manage/"),
        "a replay handed out a manage link"
    );
    app.finish().await;
}

async fn sign_up_queues_the_same_job_whether_or_not_the_address_is_confirmed(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("known@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let form = |email: &'static str| {
        vec![
            ("email", email),
            ("postcode", "HP5 9AA"),
            ("topics", "fear-of-crime"),
            ("frequency", "immediate"),
            ("consent", "yes"),
        ]
    };
    app.post_form("/subscribe", &form("waiting@example.org"))
        .await;
    let before = app
        .services
        .store
        .subscriber_by_email("known@example.org")
        .await
        .unwrap();
    let mut jobs = Vec::new();
    for email in [
        "known@example.org",
        "waiting@example.org",
        "new@example.org",
    ] {
        let r = app.post_form("/subscribe", &form(email)).await;
        assert_eq!(r.status(), 303);
        let (id, _) = app
            .services
            .store
            .subscriber_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let sql = "select kind, channel, payload from outbox where subscriber_id = $1 order by outbox_id desc limit 1";
        let (kind, channel, payload): (String, String, Option<String>) =
            match app.services.store.pool() {
                beacon::store::Pool::Sqlite(p) => {
                    sqlx::query_as(sql).bind(id).fetch_one(p).await.unwrap()
                }
                beacon::store::Pool::Postgres(p) => {
                    sqlx::query_as(sql).bind(id).fetch_one(p).await.unwrap()
                }
            };
        let expires = payload
            .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
            .is_some_and(|v| v.get("expires").is_some());
        jobs.push((kind, channel, expires));
    }
    assert!(
        jobs.windows(2).all(|w| w[0] == w[1]),
        "{}: different jobs for confirmed and unconfirmed addresses: {jobs:?}",
        app.db.name
    );
    assert_eq!(
        app.services
            .store
            .subscriber_by_email("known@example.org")
            .await
            .unwrap(),
        before,
        "the confirmed resident's record is untouched"
    );
    // The same writes for a confirmed and a waiting address: one request each, kept apart.
    for email in ["known@example.org", "waiting@example.org"] {
        let (id, _) = app
            .services
            .store
            .subscriber_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let sql = "select count(*) from signup_request where subscriber_id = $1";
        let n: i64 = match app.services.store.pool() {
            beacon::store::Pool::Sqlite(p) => {
                sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
            }
            beacon::store::Pool::Postgres(p) => {
                sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
            }
        };
        assert_eq!(n, 1, "{}: {email}", app.db.name);
    }
    // The mails that go are still the right ones for each.
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(4, std::time::Duration::from_secs(10));
    let to_known: Vec<String> = mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("known@")))
        .map(|m| crate::smtp::decoded(&m.data))
        .collect();
    assert_eq!(to_known.len(), 1);
    assert!(to_known[0].contains("already"), "{}", to_known[0]);
    app.finish().await;
}
each_engine!(sign_up_queues_the_same_job_whether_or_not_the_address_is_confirmed);
