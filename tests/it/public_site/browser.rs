//! The public site's new and changed pages in headless Chromium (tests/browser/public_pages.mjs)
//! at 1280 and 375 px: axe-core on each and a screenshot of each into target/screenshots/public.

use super::*;
use crate::browser::browser_tools;
use crate::support::repo_path;
use beacon::auth::token::{Claims, Purpose};
use std::time::Duration;

#[tokio::test]
async fn the_public_pages_pass_axe_at_both_widths_and_are_photographed() {
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
    let run = publish(&app, "winter-burglary").await;
    // Two sign-ups waiting for their links (residents 2 and 3), to confirm in the browser at
    // each width.
    for email in ["pending1@example.com", "pending2@example.com"] {
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
        assert_eq!(r.status(), 200);
    }
    let link = |purpose, subscriber_id, expires| {
        app.services.signer.sign(Claims {
            purpose,
            subscriber_id,
            version: 0,
            expires,
        })
    };
    let manage = format!("{}/manage/{}", app.base, link(Purpose::Manage, 1, 0));
    let unsubscribe = format!(
        "{}/unsubscribe/{}",
        app.base,
        link(Purpose::Unsubscribe, 1, 0)
    );
    let tomorrow = Utc::now().timestamp() + 86_400;
    let confirm = [2, 3]
        .map(|id| {
            format!(
                "{}/confirm/{}",
                app.base,
                link(Purpose::Confirm, id, tomorrow)
            )
        })
        .join(" ");
    let shots = repo_path("target/screenshots/public");

    let run_node = tokio::process::Command::new("node")
        .arg("public_pages.mjs")
        .args([&app.base, &manage, &unsubscribe, &confirm])
        .arg(format!("/messages/{run}"))
        .arg(&shots)
        .current_dir(repo_path("tests/browser"))
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(300), run_node)
        .await
        .expect("the browser run finishes within 5 minutes")
        .expect("node runs");
    eprintln!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the public pages failed in the browser"
    );
    for name in [
        "privacy",
        "accessibility",
        "messages",
        "page-not-found",
        "confirmed",
    ] {
        for width in [1280, 375] {
            let f = shots.join(format!("{name}-{width}.png"));
            assert!(f.exists(), "{} was taken", f.display());
        }
    }
    app.finish().await;
}
