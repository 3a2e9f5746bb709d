//! `/readyz` against postfix's `smtp-sink`, a real SMTP server this test stops and starts.

use super::*;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

/// Postfix's SMTP sink on `port`, stopped when dropped.
struct PostfixSink(std::process::Child);

impl PostfixSink {
    async fn start(port: u16) -> PostfixSink {
        let uid = std::process::Command::new("id").arg("-u").output().unwrap();
        let mut cmd = std::process::Command::new("/usr/sbin/smtp-sink");
        if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
            // It refuses to run as root without a user to drop to.
            cmd.args(["-u", "nobody"]);
        }
        // Owned at once, so it is stopped (by `Drop`) however this ends.
        let sink = PostfixSink(
            cmd.args([&format!("127.0.0.1:{port}"), "16"])
                .spawn()
                .expect("postfix's smtp-sink runs (.ci/run installs postfix)"),
        );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return sink;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("smtp-sink did not start on port {port}");
    }
}

impl Drop for PostfixSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

static SMTP_PORT: AtomicU16 = AtomicU16::new(0);

async fn readyz(app: &TestApp) -> (u16, String, Value) {
    let res = app.get("/readyz").await;
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, res.json().await.unwrap())
}

#[tokio::test]
async fn readyz_fails_naming_smtp_while_the_mail_server_is_down_and_passes_when_it_is_up() {
    let port = free_port();
    SMTP_PORT.store(port, Ordering::SeqCst);
    let unused = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &unused,
        Options {
            configure: |c| {
                c.mail.transport = format!("smtp://127.0.0.1:{}", SMTP_PORT.load(Ordering::SeqCst));
            },
            ..Options::default()
        },
    )
    .await;

    let sink = PostfixSink::start(port).await;
    let (status, _, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"]["smtp"], "ok");
    assert_eq!(body["checks"]["calendar"], "ok");
    assert_eq!(body["checks"]["database"], "ok");

    drop(sink);
    let (status, ct, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(ct, "application/problem+json");
    assert_eq!(body["status"], 503);
    assert_eq!(body["checks"]["smtp"], "failed");
    assert_eq!(body["checks"]["database"], "ok");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.starts_with("smtp: cannot connect"), "{detail}");
    // Liveness stays cheap and unaffected: the process and its database are fine.
    assert_eq!(app.get("/healthz").await.status(), 200);

    let _back = PostfixSink::start(port).await;
    let (status, _, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    app.finish().await;
}
