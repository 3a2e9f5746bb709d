//! The web server: log levels, HEAD, security headers, caching, body limits, slow clients,
//! and the start-up warning about the signing key.

use super::Logs;
use crate::app::{Options, spawn_app, spawn_app_with};
use crate::console::{hidden, page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::sqlite;
use beacon::auth::token::secret_hash;
use chrono::Utc;

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
    assert!(html.contains("Imported 4,000 new residents"), "{html}");
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
            crate::support::repo_path("tests/fixtures/campaigns"),
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
    // And one that sends nothing at all.
    let mut b = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
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
