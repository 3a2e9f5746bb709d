//! What an outside security review broke, each as the attack it used: hostile feed-reader
//! claims, unbounded report periods, counts that reveal one sign-up; and DKIM that a verifier
//! we did not write accepts.

use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::{engines, repo_path, sqlite};
use beacon::domain::password;
use beacon::domain::token::secret_hash;
use beacon::web::feed_readers::FeedReaders;
use chrono::Utc;

/// Adds a member of staff with `pass` and signs them in; returns their session cookie.
pub async fn staff(app: &TestApp, email: &str, role: &str, pass: &str) -> String {
    let hash = password::hash(pass).unwrap();
    app.services
        .store
        .add_user(email, &hash, role, Utc::now())
        .await
        .unwrap();
    let r = app
        .post_form("/admin/login", &[("email", email), ("password", pass)])
        .await;
    assert_eq!(r.status(), 303, "sign-in for {email}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    cookie.split(';').next().unwrap().to_string()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app
        .request("GET", path)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn api(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app
        .request("GET", path)
        .header("authorization", "Bearer bcn_sec")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

fn chesham(report: &serde_json::Value) -> serde_json::Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "chesham")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn hostile_subscriber_claims_in_feed_user_agents_neither_inflate_nor_break_reach() {
    for db in engines().await {
        let sink = SmtpSink::start();
        let app = spawn_app(db, &sink).await;
        let households = i64::from(
            app.services
                .calendar
                .get()
                .areas
                .get("chesham")
                .unwrap()
                .households
                .unwrap(),
        );
        let fetch = |ua: &'static str| {
            app.http
                .get(format!("{}/feeds/chesham/atom.xml", app.base))
                .header("user-agent", ua)
                .send()
        };
        // Not an aggregator we know: one reader, whatever it says.
        fetch("EvilBot/1.0 (1000000 subscribers)").await.unwrap();
        // A known aggregator's claim, absurd and repeated: capped at the area's households.
        for _ in 0..3 {
            fetch(
                "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 9223372036854775807 subscribers)",
            )
            .await
            .unwrap();
        }
        app.state
            .readers
            .flush(app.services.store.as_ref(), Utc::now())
            .await;
        // A second process hears the same claim: still one claim for the day.
        let other = FeedReaders::default();
        other.seen(
            Some("chesham"),
            Some(households as u64),
            None,
            "Feedly/1.0 (9223372036854775807 subscribers)",
            Utc::now(),
        );
        other.flush(app.services.store.as_ref(), Utc::now()).await;
        app.services
            .store
            .add_api_token(&secret_hash("bcn_sec"), "t", "viewer", Utc::now())
            .await
            .unwrap();
        let (status, r) = api(&app, "/api/v1/report").await;
        assert_eq!(status, 200, "{r}");
        let cap = households.min(i64::from(
            beacon::config::FeedsConfig::default().max_claimed_readers,
        ));
        assert_eq!(chesham(&r)["feed_readers"], cap + 1);
        assert_eq!(r["totals"]["feed_readers"], cap + 1);

        // Rows as the old code wrote them (huge, several per day) still make a report.
        for instance in ["old-a", "old-b", "old-c"] {
            app.services
                .store
                .record_feed_readers(
                    Utc::now().timestamp() / 86_400,
                    Some("chesham"),
                    instance,
                    i64::MAX,
                    Utc::now(),
                )
                .await
                .unwrap();
        }
        let (status, r) = api(&app, "/api/v1/report").await;
        assert_eq!(status, 200, "{r}");
        assert!(r["totals"]["audience"].as_i64().unwrap() >= 0, "{r}");
        let viewer = staff(
            &app,
            "viewer@example.org",
            "viewer",
            "a long enough passphrase",
        )
        .await;
        for path in [
            "/admin",
            "/admin/reach",
            "/admin/reach.csv",
            "/admin/reach.html",
        ] {
            let (status, body) = page(&app, &viewer, path).await;
            assert_eq!(status, 200, "{path}: {body}");
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(["report", "--format", "json"])
            .env_remove("BEACON_CONFIG")
            .env("BEACON_CALENDAR__DIR", repo_path("campaigns"))
            .env("BEACON_DATABASE__URL", &app.db.url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "beacon report: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn a_report_period_is_bounded_and_extreme_dates_get_a_400_not_a_panic() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_sec"), "t", "viewer", Utc::now())
        .await
        .unwrap();
    for q in [
        "from=0001-01-01&to=9999-12-31",
        "from=2020-01-01&to=2026-01-02",
        "to=%2B262142-12-31",
        "from=%2B262142-12-31&to=%2B262142-12-31",
        "from=-262143-01-01",
        "to=-262143-01-01",
    ] {
        let (status, body) = api(&app, &format!("/api/v1/report?{q}")).await;
        assert_eq!(status, 400, "{q}: {body}");
        let why = body["error"].as_str().unwrap_or_default();
        assert!(
            why.contains("five years") || why.contains("between"),
            "{q}: {why}"
        );
    }
    let (status, _) = api(&app, "/api/v1/report?from=2021-01-01&to=2025-12-31").await;
    assert_eq!(status, 200, "five years is allowed");
    let viewer = staff(
        &app,
        "viewer@example.org",
        "viewer",
        "a long enough passphrase",
    )
    .await;
    let (status, body) = page(&app, &viewer, "/admin/reach?to=%2B262142-12-31").await;
    assert_eq!(status, 400);
    assert!(body.contains("five years"), "{body}");
    let (status, _) = page(
        &app,
        &viewer,
        "/admin/reach.csv?from=0001-01-01&to=9999-12-31",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = page(&app, &viewer, "/admin/reach").await;
    assert_eq!(status, 200, "the server is still up");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["report", "--from", "0001-01-01", "--to", "9999-12-31"])
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", repo_path("campaigns"))
        .env("BEACON_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("five years"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.finish().await;
}

#[tokio::test]
async fn a_viewer_cannot_tell_from_the_counts_that_one_address_signed_up() {
    for db in engines().await {
        let sink = SmtpSink::start();
        let app = spawn_app(db, &sink).await;
        let viewer = staff(
            &app,
            "viewer@example.org",
            "viewer",
            "a long enough passphrase",
        )
        .await;
        let (_, before) = page(&app, &viewer, "/admin/subscribers").await;
        let r = app
            .post_form(
                "/subscribe",
                &[
                    ("email", "probe@example.com"),
                    ("postcode", "HP5 9AA"),
                    ("topics", "burglary-vehicle"),
                    ("frequency", "immediate"),
                    ("consent", "yes"),
                    ("website", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, after) = page(&app, &viewer, "/admin/subscribers").await;
        assert_eq!(before, after, "the page moved with one sign-up");
        let (_, dashboard) = page(&app, &viewer, "/admin").await;
        assert!(!dashboard.contains("probe@"));
        app.finish().await;
    }
}

static DKIM_KEY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// True when dkimpy (a DKIM implementation we did not write) verifies `message` against `p`.
fn dkimpy_verifies(message: &[u8], public_key_b64: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("message.eml");
    std::fs::write(&path, message).unwrap();
    let script = "import sys, dkim\n\
        msg = open(sys.argv[1], 'rb').read()\n\
        txt = ('v=DKIM1; k=rsa; p=' + sys.argv[2]).encode()\n\
        print('verified' if dkim.verify(msg, dnsfunc=lambda name, timeout=5: txt) else 'refused')\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(public_key_b64)
        .output()
        .expect("python3 runs (CI installs it and dkimpy: .ci/run)");
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && (said == "verified" || said == "refused"),
        "dkimpy did not run (pip install dkimpy): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    said == "verified"
}

#[tokio::test]
async fn dkim_signatures_on_real_mail_verify_with_dkimpy_and_cover_list_unsubscribe() {
    use crate::app::{Options, spawn_app_with};
    use crate::smtp::header;
    use base64::Engine;
    // The key exactly as an administrator makes it: plain `openssl genrsa` (PKCS#8 on OpenSSL 3).
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("dkim.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .unwrap();
    assert!(made.status.success());
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .contains("BEGIN PRIVATE KEY")
    );
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(public.status.success());
    let p = base64::engine::general_purpose::STANDARD.encode(&public.stdout);
    DKIM_KEY.set(key).unwrap();

    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.mail.dkim_selector = Some("beacon2026".into());
                c.mail.dkim_domain = Some("alerts.example.org".into());
                c.mail.dkim_key_file = DKIM_KEY.get().cloned();
            },
            ..Options::default()
        },
    )
    .await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "bob@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", "burglary-vehicle"),
                ("frequency", "immediate"),
                ("consent", "yes"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
    assert_eq!(mails.len(), 2);
    let mut saw_one_click = false;
    for m in &mails {
        let sig = header(&m.data, "DKIM-Signature").expect("signed");
        assert!(sig.contains("c=relaxed/relaxed"), "{sig}");
        let h: String = sig
            .split(';')
            .find_map(|t| t.trim().strip_prefix("h="))
            .unwrap()
            .split_whitespace()
            .collect();
        let h: Vec<&str> = h.split(':').collect();
        for name in [
            "from",
            "subject",
            "list-unsubscribe",
            "list-unsubscribe-post",
        ] {
            assert!(h.contains(&name), "{name} not in h= of {sig}");
        }
        saw_one_click |= header(&m.data, "List-Unsubscribe-Post").is_some();
        assert!(
            dkimpy_verifies(m.data.as_bytes(), &p),
            "dkimpy refused: {}",
            m.data
        );
        // The verifier really checks: a changed subject is refused.
        let tampered = m.data.replacen("Subject: ", "Subject: Re: ", 1);
        assert!(!dkimpy_verifies(tampered.as_bytes(), &p));
    }
    assert!(
        saw_one_click,
        "a campaign mail with one-click unsubscribe was checked"
    );
    app.finish().await;
}

/// Signs in; returns the status, where it leads and the session cookie.
async fn login(app: &TestApp, email: &str, pass: &str) -> (u16, String, String) {
    let r = app
        .post_form("/admin/login", &[("email", email), ("password", pass)])
        .await;
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let cookie = r
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), location, cookie)
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = app
        .request("POST", path)
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(args)
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", repo_path("campaigns"))
        .env("BEACON_DATABASE__URL", &app.db.url)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn a_one_time_password_works_once_and_staff_accounts_can_be_reset_unlocked_and_enabled() {
    for db in engines().await {
        let sink = SmtpSink::start();
        let app = spawn_app(db, &sink).await;
        let admin = staff(
            &app,
            "admin@example.org",
            "admin",
            "a long enough passphrase",
        )
        .await;
        let (_, html) = page(&app, &admin, "/admin/users").await;
        let csrf = hidden(&html, "csrf");
        let (_, html) = post(
            &app,
            &admin,
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "officer@example.org"),
                ("role", "viewer"),
            ],
        )
        .await;
        let at = html.find("shown only now: <code>").unwrap() + 22;
        let once = html[at..at + 20].to_string();

        // The first sign-in leads only to "change your password"; the one-time password is spent.
        let (status, location, officer) = login(&app, "officer@example.org", &once).await;
        assert_eq!((status, location.as_str()), (303, "/admin/password"));
        let r = app
            .request("GET", "/admin/reach")
            .header("cookie", &officer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/admin/password");
        let (status, _, _) = login(&app, "officer@example.org", &once).await;
        assert_eq!(status, 401, "a one-time password works once");

        let (status, form) = page(&app, &officer, "/admin/password").await;
        assert_eq!(status, 200);
        let csrf = hidden(&form, "csrf");
        for (weak, why) in [
            ("short", "at least 12"),
            ("Password123456!", "most often"),
            ("qwertyuiop1234", "most often"),
        ] {
            let (status, body) = post(
                &app,
                &officer,
                "/admin/password",
                &[("csrf", &csrf), ("new", weak), ("confirm", weak)],
            )
            .await;
            assert_eq!(status, 422, "{weak}");
            assert!(body.contains(why), "{weak}: {body}");
        }
        let mine = "kettle lantern orchard";
        let (status, location) = post(
            &app,
            &officer,
            "/admin/password",
            &[("csrf", &csrf), ("new", mine), ("confirm", mine)],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/admin"));
        assert_eq!(page(&app, &officer, "/admin/reach").await.0, 200);
        let (status, location, _) = login(&app, "officer@example.org", mine).await;
        assert_eq!((status, location.as_str()), (303, "/admin"));

        // Changing it later needs the current one.
        let (status, _) = post(
            &app,
            &officer,
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", "wrong"),
                ("new", "violet harbour trombone"),
                ("confirm", "violet harbour trombone"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = post(
            &app,
            &officer,
            "/admin/password",
            &[
                ("csrf", &csrf),
                ("current", mine),
                ("new", "violet harbour trombone"),
                ("confirm", "violet harbour trombone"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(login(&app, "officer@example.org", mine).await.0, 401);

        // The last admin cannot be disabled, from the console or the command line.
        let (_, html) = page(&app, &admin, "/admin/users").await;
        let csrf = hidden(&html, "csrf");
        let (status, body) = post(
            &app,
            &admin,
            "/admin/users/disable",
            &[("csrf", &csrf), ("email", "admin@example.org")],
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("last active admin"));
        let (ok, said) = cli(&app, &["users", "disable", "admin@example.org"]);
        assert!(!ok && said.contains("last active admin"), "{said}");
        assert_eq!(page(&app, &admin, "/admin").await.0, 200);

        // Locked out, then unlocked from the command line.
        for _ in 0..5 {
            login(&app, "officer@example.org", "not it at all").await;
        }
        assert_eq!(
            login(&app, "officer@example.org", "violet harbour trombone")
                .await
                .0,
            401
        );
        let (ok, said) = cli(&app, &["users", "unlock", "officer@example.org"]);
        assert!(ok, "{said}");
        assert_eq!(
            login(&app, "officer@example.org", "violet harbour trombone")
                .await
                .0,
            303
        );

        // Disabled, then enabled again.
        assert!(cli(&app, &["users", "disable", "officer@example.org"]).0);
        assert_eq!(
            login(&app, "officer@example.org", "violet harbour trombone")
                .await
                .0,
            401
        );
        let (ok, said) = cli(&app, &["users", "enable", "officer@example.org"]);
        assert!(ok, "{said}");
        assert_eq!(
            login(&app, "officer@example.org", "violet harbour trombone")
                .await
                .0,
            303
        );

        // Forgotten: a new one-time password, which again works once.
        let (ok, said) = cli(&app, &["users", "reset-password", "officer@example.org"]);
        assert!(ok, "{said}");
        let fresh = said.trim().rsplit(' ').next().unwrap().to_string();
        assert_eq!(fresh.len(), 20, "{said}");
        assert_eq!(
            login(&app, "officer@example.org", "violet harbour trombone")
                .await
                .0,
            401
        );
        let (status, location, _) = login(&app, "officer@example.org", &fresh).await;
        assert_eq!((status, location.as_str()), (303, "/admin/password"));
        assert_eq!(login(&app, "officer@example.org", &fresh).await.0, 401);
        let log = app.services.store.recent_audit(50).await.unwrap();
        for action in [
            "user.unlock",
            "user.enable",
            "user.reset_password",
            "password.change",
        ] {
            assert!(log.iter().any(|e| e.action == action), "{action} audited");
        }
        app.finish().await;
    }
}

/// A resident's consent history, oldest first: (action, wording version, source).
async fn consent_history(app: &TestApp, id: i64) -> Vec<(String, String, String)> {
    let sql = "select action, consent_version, source from consent_event
               where subscriber_id = $1 order by consent_event_id";
    match app.services.sql.pool() {
        beacon::store::Pool::Sqlite(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
        beacon::store::Pool::Postgres(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
    }
    .unwrap()
}

/// The `/confirm/…` link in the newest mail to `addr`.
fn confirm_link(mails: &[crate::smtp::Received], addr: &str) -> String {
    let m = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == addr))
        .unwrap_or_else(|| panic!("no mail to {addr}"));
    let text = crate::smtp::decoded(&m.data);
    let start = text.find("/confirm/").expect("a confirm link");
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect()
}

fn signup<'a>(
    email: &'a str,
    postcode: &'a str,
    topic: &'a str,
    source: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("postcode", postcode),
        ("topics", topic),
        ("frequency", "immediate"),
        ("consent", "yes"),
        ("source", source),
        ("website", ""),
    ]
}

#[tokio::test]
async fn a_sign_up_for_a_known_address_changes_nothing_until_its_own_link_is_used() {
    for db in engines().await {
        let sink = SmtpSink::start();
        let app = spawn_app(db, &sink).await;
        let store = &app.services.store;
        let record = |email: &'static str| async move {
            let (id, version) = store.subscriber_by_email(email).await.unwrap().unwrap();
            let p = store.preferences(id, version).await.unwrap().unwrap();
            (id, p.status, p.postcode, p.areas, p.topics)
        };

        // A resident signs up; before they confirm, someone else posts their address.
        app.post_form(
            "/subscribe",
            &signup("vic@example.com", "HP5 9AA", "burglary-vehicle", "library"),
        )
        .await;
        app.drain(Utc::now()).await;
        let first = confirm_link(
            &sink.wait_for(1, std::time::Duration::from_secs(10)),
            "vic@example.com",
        );
        let before = record("vic@example.com").await;
        let r = app
            .post_form(
                "/subscribe",
                &signup("vic@example.com", "HP6 5AA", "fear-of-crime", "attacker"),
            )
            .await;
        assert_eq!(r.status(), 303);
        app.drain(Utc::now()).await;
        let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
        assert_eq!(
            record("vic@example.com").await,
            before,
            "the record is untouched"
        );
        // Their own, older link confirms their own choices.
        assert_eq!(app.post_form(&first, &[]).await.status(), 200);
        let (id, status, postcode, areas, topics) = record("vic@example.com").await;
        assert_eq!(status, "confirmed");
        assert_eq!((postcode, areas, topics), (before.2, before.3, before.4));
        assert_eq!(
            consent_history(&app, id).await,
            vec![(
                "consent".into(),
                beacon::domain::signup::CONSENT_VERSION.into(),
                "library".into()
            )]
        );
        let second = confirm_link(&mails, "vic@example.com");
        assert_ne!(first, second);

        // A resident who left: a sign-up in their name neither rejoins them nor rewrites their
        // consent, and the purge of unconfirmed sign-ups leaves them be.
        app.resident("left@example.com", &["chesham"], &["burglary-vehicle"])
            .await;
        let (id, version) = store
            .subscriber_by_email("left@example.com")
            .await
            .unwrap()
            .unwrap();
        assert!(store.unsubscribe(id, version, Utc::now()).await.unwrap());
        let left = record("left@example.com").await;
        app.post_form(
            "/subscribe",
            &signup("left@example.com", "HP6 5AA", "fear-of-crime", "attacker"),
        )
        .await;
        app.drain(Utc::now()).await;
        let mails = sink.wait_for(3, std::time::Duration::from_secs(10));
        assert_eq!(record("left@example.com").await, left);
        store
            .purge_unconfirmed(Utc::now() + chrono::Duration::days(31), Utc::now())
            .await
            .unwrap();
        assert_eq!(record("left@example.com").await, left, "not purged");
        let history = consent_history(&app, id).await;
        assert_eq!(
            history.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
            ["consent", "withdrawal"]
        );
        // The purge removed the waiting request: its link no longer confirms anything.
        let stale = confirm_link(&mails, "left@example.com");
        assert_eq!(app.post_form(&stale, &[]).await.status(), 410);
        assert_eq!(record("left@example.com").await, left);

        // A fresh request, confirmed from the resident's own mailbox, applies those choices
        // and adds to the history rather than replacing it.
        app.post_form(
            "/subscribe",
            &signup("left@example.com", "HP6 5AA", "fear-of-crime", "rejoined"),
        )
        .await;
        app.drain(Utc::now()).await;
        let mails = sink.wait_for(4, std::time::Duration::from_secs(10));
        let link = confirm_link(&mails, "left@example.com");
        assert_eq!(app.post_form(&link, &[]).await.status(), 200);
        let (_, status, _, areas, topics) = record("left@example.com").await;
        assert_eq!(status, "confirmed");
        assert_eq!(
            (areas, topics),
            (
                vec!["chesham-bois".to_string()],
                vec!["fear-of-crime".to_string()]
            )
        );
        let history = consent_history(&app, id).await;
        assert_eq!(
            history
                .iter()
                .map(|h| (h.0.as_str(), h.2.as_str()))
                .collect::<Vec<_>>(),
            [
                ("consent", "test"),
                ("withdrawal", "unsubscribe"),
                ("consent", "rejoined")
            ]
        );
        assert_eq!(app.post_form(&link, &[]).await.status(), 410, "used once");

        // The resident's download holds the history too.
        let (_, version) = store
            .subscriber_by_email("left@example.com")
            .await
            .unwrap()
            .unwrap();
        let export = store.export(id, version).await.unwrap().unwrap();
        assert_eq!(export["consent_history"].as_array().unwrap().len(), 3);
        assert_eq!(export["consent_history"][1]["action"], "withdrawal");

        // Erasure takes the history with it.
        let (_, version) = store
            .subscriber_by_email("left@example.com")
            .await
            .unwrap()
            .unwrap();
        assert!(store.erase(id, version, Utc::now()).await.unwrap());
        assert!(consent_history(&app, id).await.is_empty());
        app.finish().await;
    }
}
