//! Partners' webhooks: a real HTTP receiver on loopback checks the Standard Webhooks signature.

use crate::app::{Options, spawn_app_with};
use crate::smtp::SmtpSink;
use crate::support::sqlite;
use axum::http::{HeaderMap, StatusCode};
use beacon::config::{Secret, WebhookConfig};
use chrono::{Duration, Utc};
use std::sync::{Arc, Mutex};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A partner endpoint that answers 503 to its first `fail_first` posts, then 200.
async fn receiver(fail_first: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let s = s.clone();
            async move {
                let mut v = s.lock().unwrap();
                v.push((headers, body));
                if v.len() <= fail_first {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

#[tokio::test]
async fn each_message_is_posted_once_per_partner_with_its_areas_signed_and_retried_after_a_503() {
    let (url, seen) = receiver(1).await;
    let sink = SmtpSink::start();
    let hook = WebhookConfig {
        name: "nhw".into(),
        url,
        secret: Secret(SECRET.into()),
        events: vec![],
    };
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            webhooks: vec![hook],
            ..Options::default()
        },
    )
    .await;
    let t0 = Utc::now();
    let run = app
        .services
        .scheduler
        .send_now(
            "courier-fraud",
            &["chesham".into(), "burnham".into()],
            t0,
            None,
        )
        .await
        .unwrap()
        .unwrap();
    let first = app.drain(t0).await;
    assert_eq!(
        (first.sent, first.retried),
        (0, 1),
        "one post for the message, answered 503"
    );
    let second = app.drain(t0 + Duration::minutes(5)).await;
    assert_eq!(second.sent, 1);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one post, then its retry: not one per area");
    for (headers, body) in &seen {
        let id = headers["webhook-id"].to_str().unwrap();
        let ts: i64 = headers["webhook-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let sig = headers["webhook-signature"].to_str().unwrap();
        assert_eq!(sig, standard_webhooks_signature(SECRET, id, ts, body));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["type"], "campaign.published");
        assert_eq!(v["data"]["message_id"], run);
        assert_eq!(v["data"]["campaign"], "courier-fraud");
        let mut areas: Vec<&str> = v["data"]["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["slug"].as_str().unwrap())
            .collect();
        areas.sort();
        assert_eq!(areas, ["burnham", "chesham"]);
    }
    // Stamped by the worker's step clock (the post, then its retry five minutes on).
    let stamps: Vec<i64> = seen
        .iter()
        .map(|(h, _)| h["webhook-timestamp"].to_str().unwrap().parse().unwrap())
        .collect();
    for (stamp, step) in stamps.iter().zip([t0, t0 + Duration::minutes(5)]) {
        assert!(
            (0..60).contains(&(stamp - step.timestamp())),
            "{stamps:?} stamped at the step's clock {step}"
        );
    }
    // The retried post keeps its id, so the partner can de-duplicate.
    assert_eq!(seen[0].0["webhook-id"], seen[1].0["webhook-id"]);
    let runs = app
        .services
        .store
        .campaign_runs("courier-fraud", 1)
        .await
        .unwrap();
    assert_eq!(
        (runs[0].webhook_posts, runs[0].delivered),
        (1, 0),
        "a post is not a resident"
    );
    app.finish().await;
}

/// The signature as the `standardwebhooks` PyPI package (the Standard Webhooks reference
/// library, not our code) computes it for this id, timestamp and body.
fn standard_webhooks_signature(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> String {
    let script = "import sys, datetime\n\
from standardwebhooks import Webhook\n\
secret, msg_id, ts = sys.argv[1], sys.argv[2], int(sys.argv[3])\n\
body = sys.stdin.read()\n\
at = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)\n\
print(Webhook(secret).sign(msg_id, at, body), end='')\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, secret, msg_id, &timestamp.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (pip install standardwebhooks)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(body.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "standardwebhooks failed (pip install standardwebhooks): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn signatures_match_the_standard_webhooks_reference_vector() {
    // The test vector of the Standard Webhooks specification's reference libraries.
    let (secret, id, ts, body) = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1_614_265_330,
        r#"{"test": 2432232314}"#,
    );
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert_eq!(
        beacon::channels::webhook::sign(secret, id, ts, body).unwrap(),
        expected
    );
    assert_eq!(standard_webhooks_signature(secret, id, ts, body), expected);
}
