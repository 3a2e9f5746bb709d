//! What an outside security review broke (issue 10's lower items), each over real HTTP and a
//! real database: lock-out windows, audit hygiene, log levels, headers, body limits, API tokens.

use crate::app::{Options, spawn_app, spawn_app_with};
use crate::console::{hidden, page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::{engines, sqlite};
use beacon::domain::token::secret_hash;
use chrono::{Duration, Utc};
use std::sync::{Arc, Mutex};

/// Log lines written on this thread while the guard lives (tests run on a current-thread
/// runtime, so the server's tasks log here too).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        let logs = Logs::default();
        let sub = tracing_subscriber::fmt()
            .with_writer(logs.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .finish();
        (logs.clone(), tracing::subscriber::set_default(sub))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn failures_count_within_a_window_so_one_try_a_quarter_hour_cannot_hold_a_lock() {
    for db in engines().await {
        let s = &db.store;
        use beacon::store::{AdminStore, StaffAccessStore};
        let t0 = Utc::now();
        let id = s
            .add_user("ed@example.org", "x", "editor", t0)
            .await
            .unwrap();
        for i in 0..5 {
            s.login_failed(id, t0 + Duration::seconds(i)).await.unwrap();
        }
        let locked = s.credentials("ed@example.org").await.unwrap().unwrap();
        let until = locked.locked_until.expect("five quick failures lock");
        assert!(until > t0 + Duration::seconds(4), "{}", db.name);
        // One wrong try after the lock ends, and one each quarter hour after that.
        let mut at = until + Duration::seconds(1);
        for _ in 0..3 {
            s.login_failed(id, at).await.unwrap();
            let c = s.credentials("ed@example.org").await.unwrap().unwrap();
            assert!(
                c.locked_until.is_none_or(|t| t <= at),
                "{}: one failure at {at} re-locked until {:?}",
                db.name,
                c.locked_until
            );
            at += Duration::minutes(15);
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn an_admin_unlocks_a_locked_colleague_from_the_staff_page() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    sign_in(&app, "ed@example.org", "editor").await;
    for _ in 0..5 {
        app.post_form(
            "/admin/login",
            &[("email", "ed@example.org"), ("password", "wrong")],
        )
        .await;
    }
    let right = [
        ("email", "ed@example.org"),
        ("password", "a long enough passphrase"),
    ];
    assert_eq!(app.post_form("/admin/login", &right).await.status(), 401);
    let (_, html) = page(&app, &admin, "/admin/users").await;
    assert!(html.contains("locked"), "the staff page shows the lock");
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/users/unlock")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("email", "ed@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.post_form("/admin/login", &right).await.status(), 303);
    let log = app.services.store.recent_audit(20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "user.unlock"));
    app.finish().await;
}

#[tokio::test]
async fn the_login_form_cannot_write_long_or_multi_line_actors_or_unknown_addresses() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let long = format!("{}@example.org", "line\n".repeat(8_000));
    for email in [
        long.as_str(),
        "nobody@example.org",
        "evil\r\nadmin logged in",
    ] {
        let r = app
            .post_form("/admin/login", &[("email", email), ("password", "guess")])
            .await;
        assert_eq!(r.status(), 401);
    }
    let log = app.services.store.recent_audit(10).await.unwrap();
    assert_eq!(log.len(), 3);
    for e in &log {
        assert!(e.actor.chars().count() <= 254, "{} chars", e.actor.len());
        assert!(!e.actor.chars().any(char::is_control), "{:?}", e.actor);
        assert!(!e.actor.contains("nobody"), "typed address stored");
    }
    app.finish().await;
}

#[tokio::test]
async fn refusals_are_not_logged_as_errors_and_head_works_wherever_get_does() {
    let (logs, _guard) = Logs::capture();
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_v"), "board", "viewer", Utc::now())
        .await
        .unwrap();
    let head = |path: &str| app.http.head(app.url(path));
    assert_eq!(head("/").send().await.unwrap().status(), 200);
    assert_eq!(head("/admin").send().await.unwrap().status(), 303);
    let r = head("/admin/users")
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = head("/api/v1/outbox")
        .header("authorization", "Bearer bcn_v")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for path in ["/admin", "/admin/users", "/api/v1/report"] {
        app.get(path).await;
        app.http.delete(app.url(path)).send().await.unwrap();
        app.request("GET", path)
            .header("authorization", "Bearer forged")
            .send()
            .await
            .unwrap();
    }
    let text = logs.text();
    assert!(!text.contains("ERROR"), "{text}");
    app.finish().await;
}

#[tokio::test]
async fn security_headers_are_on_refusals_too_and_hsts_when_served_over_https() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| c.server.base_url = "https://alerts.example.org".into(),
            ..Options::default()
        },
    )
    .await;
    let big = "x".repeat(100 * 1024);
    let r = app
        .post_form("/subscribe", &[("email", big.as_str())])
        .await;
    assert_eq!(r.status(), 413);
    for h in [
        "x-frame-options",
        "content-security-policy",
        "x-content-type-options",
    ] {
        assert!(r.headers().contains_key(h), "413 without {h}");
    }
    let r = app.get("/").await;
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age="), "{hsts}");
    app.finish().await;
    let plain = spawn_app(sqlite().await, &sink).await;
    assert!(
        !plain
            .get("/")
            .await
            .headers()
            .contains_key("strict-transport-security")
    );
    plain.finish().await;
}

#[tokio::test]
async fn api_json_and_console_previews_are_never_cached() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let viewer = sign_in(&app, "v@example.org", "viewer").await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_v"), "board", "viewer", Utc::now())
        .await
        .unwrap();
    for path in ["/api/v1/report", "/api/v1/outbox"] {
        let r = app
            .request("GET", path)
            .header("authorization", "Bearer bcn_v")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    let r = app
        .request("GET", "/admin/campaigns/winter-burglary/preview")
        .header("cookie", &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    app.finish().await;
}

#[tokio::test]
async fn the_admin_import_takes_a_large_file_while_other_forms_stay_small() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let (_, html) = page(&app, &admin, "/admin/subscribers").await;
    let csrf = hidden(&html, "csrf");
    let mut csv = String::from("email,postcode\n");
    for i in 0..4000 {
        csv.push_str(&format!("resident{i}@example.org,HP5 1AA\n"));
    }
    assert!(csv.len() > 100 * 1024);
    let r = app
        .request("POST", "/admin/subscribers/import")
        .header("cookie", &admin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("csv", csv.as_str()),
            ("source", "fair"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Imported 4000 new residents"), "{html}");
    let big = "x".repeat(100 * 1024);
    let r = app
        .request("POST", "/admin/users")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("email", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    app.finish().await;
}

#[tokio::test]
async fn api_tokens_reach_only_the_api_and_are_listed_and_revoked_on_the_staff_page() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_a"), "board", "admin", Utc::now())
        .await
        .unwrap();
    let bearer = |method: &str, path: &str| {
        app.request(method, path)
            .header("authorization", "Bearer bcn_a")
    };
    let r = bearer("GET", "/admin/users").send().await.unwrap();
    assert_ne!(r.status(), 200, "a token opened the staff page");
    let r = bearer("POST", "/admin/users")
        .form(&[("email", "mallory@example.org"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);
    let users = app.services.store.users().await.unwrap();
    assert!(!users.iter().any(|u| u.email == "mallory@example.org"));
    assert_eq!(
        bearer("GET", "/api/v1/report")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (_, html) = page(&app, &admin, "/admin/users").await;
    assert!(html.contains("board"), "the token is listed");
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/users/tokens/revoke")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("name", "board")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        bearer("GET", "/api/v1/report")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    app.finish().await;
}

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

#[test]
fn serve_warns_at_start_up_when_the_signing_key_comes_from_the_database() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    // Start-up logs of `beacon serve` until it listens (or ends), with or without a configured key.
    let start_up = |key: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"));
        cmd.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-scheduler",
            "--no-worker",
        ])
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env_remove("RUST_LOG")
        .env(
            "BEACON_CALENDAR__DIR",
            crate::support::repo_path("campaigns"),
        )
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.path().join("b.db").display()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
        if let Some(k) = key {
            cmd.env("BEACON_SECRETS__TOKEN_KEY", k);
        }
        let mut child = cmd.spawn().unwrap();
        let mut seen = String::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("beacon is listening") {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        seen
    };
    let stored = start_up(None);
    assert!(stored.contains("beacon is listening"), "{stored}");
    assert!(
        stored.contains("WARN") && stored.contains("secrets.token_key"),
        "{stored}"
    );
    let configured = start_up(Some("a long configured signing key"));
    assert!(configured.contains("beacon is listening"), "{configured}");
    assert!(!configured.contains("secrets.token_key"), "{configured}");
}

#[test]
fn beacon_users_lists_and_revokes_api_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("BEACON_CONFIG")
            .env(
                "BEACON_CALENDAR__DIR",
                crate::support::repo_path("campaigns"),
            )
            .env(
                "BEACON_DATABASE__URL",
                format!("sqlite://{}", dir.path().join("b.db").display()),
            )
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, made) = run(&["users", "token", "board", "--role", "viewer"]);
    assert!(ok, "{made}");
    let secret = made.lines().last().unwrap().trim().to_string();
    let (ok, list) = run(&["users", "tokens"]);
    assert!(
        ok && list.contains("board") && list.contains("live"),
        "{list}"
    );
    assert!(!list.contains(&secret), "the secret is shown once only");
    let (ok, _) = run(&["users", "revoke", "board"]);
    assert!(ok);
    let (_, list) = run(&["users", "tokens"]);
    assert!(list.contains("revoked"), "{list}");
    let (again, _) = run(&["users", "revoke", "board"]);
    assert!(!again, "revoking twice says there is no live token");
}

/// Opens a connection and sends half a request head, then nothing.
async fn slow_header(app: &crate::app::TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    s
}

/// `true` once the server has closed the connection (end of file or reset).
async fn closed_by_server(s: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(30), s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 answer before the close is fine.
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn slow_header_connections_are_cut_off_and_connections_are_capped() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.server.header_read_timeout_secs = 1;
                c.server.max_connections = 2;
            },
            ..Options::default()
        },
    )
    .await;
    let mut a = slow_header(&app).await;
    let mut b = slow_header(&app).await;
    // A third client is served only once the server has let one of the first two go.
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    // Closed (end of file, a 408, or a reset) rather than still waiting for its head.
    let gone = |s: &tokio::net::TcpStream| {
        let mut buf = [0u8; 512];
        !matches!(s.try_read(&mut buf), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock)
    };
    assert!(
        gone(&a) || gone(&b),
        "the third connection was served while two slow ones held the cap"
    );
    assert!(closed_by_server(&mut a).await && closed_by_server(&mut b).await);
    app.finish().await;
}

#[tokio::test]
async fn an_erased_address_is_gone_from_the_database_files_and_the_audit_log() {
    use beacon::domain::token::{Claims, Purpose};
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
        crate::support::repo_path("campaigns/areas.toml"),
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
    purpose: beacon::domain::token::Purpose,
) -> String {
    let (id, version) = app
        .services
        .store
        .subscriber_by_email(email)
        .await
        .unwrap()
        .unwrap();
    let path = match purpose {
        beacon::domain::token::Purpose::Manage => "manage",
        beacon::domain::token::Purpose::Unsubscribe => "unsubscribe",
        beacon::domain::token::Purpose::Confirm
        | beacon::domain::token::Purpose::ConfirmRequest => "confirm",
    };
    let token = app.state.signer.sign(beacon::domain::token::Claims {
        purpose,
        subscriber_id: id,
        version,
        expires: 0,
    });
    format!("/{path}/{token}")
}

#[tokio::test]
async fn a_resident_retires_their_links_and_gets_a_new_one_by_mail() {
    use beacon::domain::token::Purpose;
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
    use beacon::domain::token::Purpose;
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
        beacon::domain::token::Purpose::Confirm,
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

#[tokio::test]
async fn sign_up_queues_the_same_job_whether_or_not_the_address_is_confirmed() {
    for db in engines().await {
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
                match app.services.sql.pool() {
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
}

#[tokio::test]
async fn a_request_timed_out_with_408_carries_the_security_headers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| c.server.request_timeout_secs = 1,
            ..Options::default()
        },
    )
    .await;
    // Headers in full, then a body that never finishes: the handler waits, the timeout answers.
    let mut s = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(
        b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), s.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 408"), "{head}");
    for h in [
        "x-frame-options",
        "content-security-policy",
        "x-content-type-options",
    ] {
        assert!(head.contains(h), "408 without {h}: {head}");
    }
    app.finish().await;
}
