//! The campaign editor in a real browser (tests/browser/editor.mjs, axe-core on every page),
//! phase by phase; between phases this test looks at what a user would check: the file on
//! disk, `beacon check` (the real binary), and what the scheduler sends at the campaign's time
//! on an injected clock.

use super::{calendar_copy, run_beacon_check};
use crate::app::{Options, spawn_app_with};
use crate::browser::browser_tools;
use crate::smtp::{SmtpSink, header};
use crate::support::{repo_path, sqlite};
use beacon::domain::LONDON;
use chrono::{DateTime, Duration, NaiveTime, Utc};

const PASSWORD: &str = "a long enough passphrase";

async fn phase(name: &str, base: &str, who: &str, date: &str, slug: &str) {
    let mut node = tokio::process::Command::new("node");
    if std::env::var_os("FAKETIME").is_some() {
        // As in the resident journey: Chromium keeps the real clock.
        node.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    }
    let run = node
        .args(["editor.mjs", name, base, who, PASSWORD, date, slug])
        .current_dir(repo_path("tests/browser"))
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(std::time::Duration::from_secs(180), run)
        .await
        .expect("the browser phase finishes within 3 minutes")
        .expect("node runs");
    eprintln!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser phase {name} failed");
}

/// 09:00 UK time on `date`.
fn nine_on(date: chrono::NaiveDate) -> DateTime<Utc> {
    beacon::domain::schedule::london_instant(
        date.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
    )
}

#[tokio::test]
async fn staff_write_preview_schedule_restore_and_approve_a_campaign_in_a_real_browser() {
    if let Err(why) = browser_tools() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "browser test cannot run under CI: {why}"
        );
        eprintln!("skipping the editor browser test: {why}");
        return;
    }
    let sink = SmtpSink::start();
    let dir = calendar_copy(false);
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            calendar_dir: dir.path().to_path_buf(),
            configure: |c| c.calendar.require_approval = true,
            ..Options::default()
        },
    )
    .await;
    for (email, area) in [
        ("chesham.resident@example.com", "chesham"),
        ("amersham.resident@example.com", "amersham"),
    ] {
        app.resident(email, &[area], &["vulnerability-safeguarding"])
            .await;
    }
    app.resident(
        "other.topic@example.com",
        &["chesham"],
        &["burglary-vehicle"],
    )
    .await;
    for (email, role) in [
        ("admin@example.org", "admin"),
        ("editor@example.org", "editor"),
    ] {
        let hash = beacon::auth::password::hash(PASSWORD).unwrap();
        app.services
            .store
            .add_user(email, &hash, role, Utc::now())
            .await
            .unwrap();
    }
    let today = Utc::now().with_timezone(&LONDON).date_naive();
    let day = today + Duration::days(3);
    let fire = nine_on(day);
    let date = day.to_string();
    let slug = "courier-fraud-warning";
    let file = dir.path().join(format!("{slug}.md"));

    // Written through the form, previewed, saved as a draft: on disk, valid, never sent.
    phase("create", &app.base, "admin@example.org", &date, slug).await;
    let draft = std::fs::read_to_string(&file).expect("the draft is written");
    assert!(draft.contains("status = \"draft\""), "{draft}");
    assert!(
        draft.contains("areas = [\"amersham\", \"chesham\"]"),
        "{draft}"
    );
    assert!(draft.contains(&format!("starts = {date}")), "{draft}");
    let check = run_beacon_check(dir.path());
    assert!(check.status.success(), "beacon check passes: {check:?}");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains(&format!("{slug}: draft")),
        "{check:?}"
    );
    let tick = app
        .services
        .scheduler
        .tick(fire + Duration::minutes(1))
        .await
        .unwrap();
    assert!(tick.created.is_empty(), "a draft never fires: {tick:?}");
    app.drain(fire + Duration::minutes(1)).await;
    assert!(sink.messages().is_empty(), "nothing is sent for a draft");

    // An invalid field: its error beside it, the file untouched.
    phase("invalid", &app.base, "admin@example.org", &date, slug).await;
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        draft,
        "the file is untouched"
    );

    // Scheduled, a stale save refused, a mistake made and the previous version restored.
    phase("schedule", &app.base, "admin@example.org", &date, slug).await;
    let live = std::fs::read_to_string(&file).unwrap();
    assert!(!live.contains("status"), "{live}");
    assert!(
        !live.contains("mistake") && !live.contains("old tab"),
        "{live}"
    );
    assert!(run_beacon_check(dir.path()).status.success());

    // It sends once, at its time.
    let before = app
        .services
        .scheduler
        .tick(fire - Duration::minutes(1))
        .await
        .unwrap();
    assert!(
        before.created.is_empty(),
        "nothing before its time: {before:?}"
    );
    let at = app
        .services
        .scheduler
        .tick(fire + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(at.created.len(), 1, "one run at its time: {at:?}");
    app.drain(fire + Duration::minutes(2)).await;
    let again = app
        .services
        .scheduler
        .tick(fire + Duration::hours(1))
        .await
        .unwrap();
    assert!(again.created.is_empty(), "and only once: {again:?}");
    app.drain(fire + Duration::hours(1)).await;
    let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "amersham.resident@example.com",
            "chesham.resident@example.com"
        ]
    );
    for m in &mails {
        assert_eq!(
            header(&m.data, "Subject").as_deref(),
            Some("Courier fraud warning: banks never collect cards"),
            "the restored subject is the one sent"
        );
    }

    // With approval on, an editor's campaign waits for an admin before it can send.
    let held_slug = "rogue-traders-warning";
    let held_day = day + Duration::days(1);
    let held_fire = nine_on(held_day);
    phase(
        "editor-change",
        &app.base,
        "editor@example.org",
        &held_day.to_string(),
        held_slug,
    )
    .await;
    let held_file = dir.path().join(format!("{held_slug}.md"));
    assert!(!held_file.exists(), "a held change is not written");
    let t = app
        .services
        .scheduler
        .tick(held_fire + Duration::minutes(1))
        .await
        .unwrap();
    assert!(t.created.is_empty(), "a held change does not send: {t:?}");
    phase(
        "approve",
        &app.base,
        "admin@example.org",
        &held_day.to_string(),
        held_slug,
    )
    .await;
    assert!(held_file.exists(), "approved, it is written");
    let t = app
        .services
        .scheduler
        .tick(held_fire + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(t.created.len(), 1, "approved, it sends: {t:?}");
    app.drain(held_fire + Duration::minutes(3)).await;
    sink.wait_for(4, std::time::Duration::from_secs(10));

    // Every step is in the audit log.
    let audit: Vec<String> = app
        .services
        .store
        .recent_audit(100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.actor, a.action))
        .collect();
    for line in [
        "admin@example.org campaign.save",
        "editor@example.org campaign.change_held",
        "admin@example.org campaign.approve",
    ] {
        assert!(audit.iter().any(|a| a == line), "{line} in {audit:?}");
    }
    app.finish().await;
}
