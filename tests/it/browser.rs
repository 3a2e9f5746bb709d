//! The public pages in a real browser: headless Chromium driven by playwright-core
//! (tests/browser/journey.mjs), with axe-core on every page. `.ci/run` installs both.

use crate::app::spawn_app;
use crate::smtp::{SmtpSink, decoded};
use crate::support::{repo_path, sqlite};
use beacon::auth::token::{Claims, Purpose};
use chrono::Utc;
use std::path::Path;
use std::time::Duration;

/// Chromium and the npm packages, or a reason they are missing (fatal under CI).
pub(crate) fn browser_tools() -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !repo_path("tests/browser/node_modules/playwright-core").exists() {
        return Err("tests/browser/node_modules is missing (cd tests/browser && npm ci)".into());
    }
    Ok(())
}

#[tokio::test]
async fn a_new_resident_signs_up_in_a_real_browser_and_every_page_passes_axe() {
    if let Err(why) = browser_tools() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser test cannot run under CI: {why}"
        );
        eprintln!("skipping the browser test: {why}");
        return;
    }
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.resident("managed@example.com", &["chesham"], &["fear-of-crime"])
        .await;
    let token = app.services.signer.sign(Claims {
        purpose: Purpose::Manage,
        subscriber_id: 1,
        version: 0,
        expires: 0,
    });
    let manage = format!("{}/manage/{token}", app.base);
    let hash = beacon::auth::password::hash("browser test passphrase").unwrap();
    app.services
        .store
        .add_user("team@example.org", &hash, "admin", Utc::now())
        .await
        .unwrap();

    let mut node = tokio::process::Command::new("node");
    if std::env::var_os("FAKETIME").is_some() {
        // Under `faketime` (CI moves Beacon's clock past 2027), the browser keeps the real
        // one: libfaketime preloaded into Chromium stalls it, and a resident's browser has its
        // own clock anyway.
        node.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    }
    let run = node
        .arg("journey.mjs")
        .arg(&app.base)
        .arg(&manage)
        .arg("team@example.org")
        .arg("browser test passphrase")
        .current_dir(repo_path("tests/browser"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser journey finishes within 3 minutes")
        .expect("node runs");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{log}");
    assert!(out.status.success(), "browser journey failed");

    // What the browser did landed: a pending resident with a confirmation queued for them.
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(mails[0].to, ["browser.resident@example.com"]);
    assert!(
        decoded(&mails[0].data).contains("alerts for Chesham about"),
        "the confirmation names the place chosen"
    );
    let prefs = app.services.store.preferences(1, 0).await.unwrap().unwrap();
    assert_eq!(prefs.areas, ["amersham", "chesham"]);
    assert_eq!(prefs.frequency, "weekly");
    app.finish().await;
}
