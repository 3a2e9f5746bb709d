//! The console pages issue 15 changed, in a real browser at 1280 and 375 px: axe-core on each,
//! a pause banner, today marked, grid links of at least 24 px, a subscriber action; the
//! screenshots land in target/test-output/console (docs/screenshots/console-dashboard.png
//! in the README is the 1280 px dashboard from there).

use super::*;
use crate::browser::browser_tools;
use crate::support::repo_path;
use beacon::scheduler::SendRequest;

#[tokio::test]
async fn the_console_pages_pass_axe_at_both_widths_and_are_photographed() {
    if let Err(why) = browser_tools() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser test cannot run under CI: {why}"
        );
        eprintln!("skipping the console browser test: {why}");
        return;
    }
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    // Something to show: a send that went to 1,204 residents, then 6 refused by the server.
    app.residents_in(1_203, "chesham", "burglary-vehicle").await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    let send = || SendRequest {
        slug: "winter-burglary".into(),
        force: true,
        ..Default::default()
    };
    app.services
        .scheduler
        .send(&send(), Utc::now())
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    sink.wait_for(1_204, Duration::from_secs(60));
    for i in 0..6 {
        app.resident(
            &format!("late{i}@example.com"),
            &["amersham"],
            &["burglary-vehicle"],
        )
        .await;
    }
    sink.refuse_every_rcpt(Some((550, "5.1.1 no such mailbox")));
    let later = Utc::now() + chrono::Duration::seconds(1);
    app.services.scheduler.send(&send(), later).await.unwrap();
    app.drain(later + chrono::Duration::seconds(1)).await;
    sink.refuse_every_rcpt(None);
    let hash = password::hash("browser test passphrase").unwrap();
    app.services
        .store
        .add_user("team@example.org", &hash, "admin", Utc::now())
        .await
        .unwrap();

    let out_dir = repo_path("target/test-output/console");
    let mut node = tokio::process::Command::new("node");
    if std::env::var_os("FAKETIME").is_some() {
        // As in the resident journey: Chromium keeps the real clock.
        node.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    }
    let run = node
        .arg("console.mjs")
        .arg(&app.base)
        .arg("team@example.org")
        .arg("browser test passphrase")
        .arg(&out_dir)
        .current_dir(repo_path("tests/browser"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .expect("the console pages finish within 4 minutes")
        .expect("node runs");
    eprintln!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "console browser checks failed");
    for file in ["console-dashboard-1280.png", "console-calendar-375.png"] {
        assert!(out_dir.join(file).exists(), "{file} was taken");
    }
    // The manage link the browser asked for reached the resident's mail server.
    app.drain(Utc::now()).await;
    let mails = sink.messages();
    assert!(
        mails
            .iter()
            .any(|m| m.to == ["ann@example.com"]
                && crate::smtp::decoded(&m.data).contains("/manage/")),
        "a new manage link went to ann"
    );
    app.finish().await;
}
