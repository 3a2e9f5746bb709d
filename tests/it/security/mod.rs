//! What an outside security review broke, each as the attack it used, and DKIM that a verifier
//! we did not write accepts. Shared here: signing staff in and reading pages as them.

mod accounts;
mod dkim;
mod reach;
mod residents;

use crate::app::TestApp;
use crate::support::repo_path;
use beacon::auth::password;
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

pub async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app
        .request("GET", path)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub async fn api(app: &TestApp, path: &str) -> (u16, serde_json::Value) {
    let r = app
        .request("GET", path)
        .header("authorization", "Bearer bcn_sec")
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

pub fn chesham(report: &serde_json::Value) -> serde_json::Value {
    report["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "chesham")
        .unwrap()
        .clone()
}

/// Signs in; returns the status, where it leads and the session cookie.
pub async fn login(app: &TestApp, email: &str, pass: &str) -> (u16, String, String) {
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

pub fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

pub async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
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

pub fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(args)
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
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
