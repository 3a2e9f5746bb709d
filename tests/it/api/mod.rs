//! The partner API (`/api/v1`): its OpenAPI document walked and validated by tools we did not
//! write, schemathesis against a running server, and what partners do with it.

mod document;
mod fuzz;
mod reads;
mod writes;

use crate::app::TestApp;
use beacon::auth::token::secret_hash;
use chrono::Utc;

/// A token with this role; the secret is the role's name after `bcn_`.
pub async fn token(app: &TestApp, role: &str) -> String {
    let secret = format!("bcn_{role}_secret");
    app.services
        .store
        .add_api_token(
            &secret_hash(&secret),
            &format!("{role}-script"),
            role,
            Utc::now(),
        )
        .await
        .unwrap();
    secret
}

/// One call: its status, headers and body as JSON (`Null` when it is not JSON).
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut req = app
        .request(method, path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// The audit log: who, what and on what, newest first.
pub async fn audit(app: &TestApp) -> Vec<(String, String, String)> {
    app.services
        .store
        .recent_audit(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action, e.detail.unwrap_or_default()))
        .collect()
}

/// A validator we did not write, as a command; `None` (the test is skipped, saying so) when it
/// is not installed, except under CI, where a missing tool fails the run.
pub fn tool(name: &str) -> Option<std::process::Command> {
    let found = std::process::Command::new(name)
        .arg("--help")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is not installed; .ci/run installs it"
        );
        eprintln!("SKIPPED: {name} is not installed");
        return None;
    }
    Some(std::process::Command::new(name))
}

/// Makes one run of `winter-burglary` through the API's two calls; returns its id.
pub async fn send_once(app: &TestApp, token: &str) -> i64 {
    let path = "/api/v1/campaigns/winter-burglary/send";
    let ask = serde_json::json!({"areas": ["chesham"], "force": true});
    let (status, _, plan) = call(app, "POST", path, token, Some(ask.clone())).await;
    assert_eq!(status, 200, "{plan}");
    let mut go = ask;
    go["confirm"] = plan["confirm"].clone();
    let (status, _, sent) = call(app, "POST", path, token, Some(go)).await;
    assert_eq!(status, 202, "{sent}");
    sent["run_id"].as_i64().unwrap()
}
