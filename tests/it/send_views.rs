//! Issue 9, the rest: a paused campaign marked in every view and left out of calendar.ics; the
//! CLI's refusals (unknown or uncovered area, paused or out of season) and its dry-run total;
//! `beacon check` warnings and the per-resident forecast; reach counting distinct residents; and
//! the repeat window holding for two processes sending at once on PostgreSQL. Fixture campaigns.

use crate::console::{hidden, page, sign_in};
use crate::fixtures::{BURGLARY, app_on, beacon_cli, campaign_file, fixture_calendar, text, utc};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, postgres};
use chrono::Duration;

async fn a_paused_campaign_is_marked_in_every_view_and_left_out_of_calendar_ics(db: TestDb) {
    let cal = fixture_calendar(&[
        (
            "lock-up",
            campaign_file("lock-up", BURGLARY, "0 9 * * MON", ""),
        ),
        ("other", campaign_file("other", BURGLARY, "0 9 * * TUE", "")),
    ]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let (_, html) = page(&app, &editor, "/admin/calendar").await;
    let r = app
        .request("POST", "/admin/campaigns/lock-up/pause")
        .header("cookie", &editor)
        .form(&[("csrf", hidden(&html, "csrf"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let (_, dash) = page(&app, &editor, "/admin").await;
    assert!(
        dash.contains("Fixture lock-up</a> <strong class=\"tag\">Paused</strong>"),
        "{dash}"
    );
    assert!(!dash.contains("Fixture other</a> <strong class=\"tag\">Paused"));
    let (_, grid) = page(&app, &editor, "/admin/calendar").await;
    assert!(
        grid.contains("Fixture lock-up <strong class=\"tag\">(paused)</strong></a>"),
        "the month grid: {grid}"
    );
    assert!(!grid.contains("Fixture other <strong class=\"tag\">(paused)"));
    assert!(
        grid.contains("<td><strong class=\"tag tag--paused\">Paused</strong>"),
        "the list: {grid}"
    );
    assert!(
        grid.contains("id=\"per-resident\""),
        "the forecast per month"
    );
    let ics = app
        .request("GET", "/admin/calendar.ics")
        .header("cookie", &editor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ics.contains("Fixture other") && !ics.contains("Fixture lock-up"),
        "{ics}"
    );

    let out = beacon_cli(&app, cal.path(), &sink, &["calendar", "--days", "14"]).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout
            .lines()
            .filter(|l| l.contains("lock-up"))
            .all(|l| l.ends_with("PAUSED (not sent)"))
    );
    assert!(stdout.lines().any(|l| l.contains("lock-up")), "{stdout}");
    assert!(
        !stdout
            .lines()
            .any(|l| l.contains("other") && l.contains("PAUSED"))
    );
    let out = beacon_cli(
        &app,
        cal.path(),
        &sink,
        &["calendar", "--days", "14", "--format", "json"],
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for e in v.as_array().unwrap() {
        assert_eq!(e["paused"], e["campaign"] == "lock-up", "{e}");
    }
    app.finish().await;
}
each_engine!(a_paused_campaign_is_marked_in_every_view_and_left_out_of_calendar_ics);

#[tokio::test]
async fn beacon_send_refuses_bad_areas_with_a_suggestion_and_needs_force_when_paused_or_out_of_season()
 {
    let db = crate::support::sqlite().await;
    let cal = fixture_calendar(&[
        (
            "lock-up",
            campaign_file("lock-up", BURGLARY, "0 9 1 1 *", ""),
        ),
        (
            "local",
            campaign_file("local", BURGLARY, "0 9 1 1 *", "").replace("[\"all\"]", "[\"chesham\"]"),
        ),
        (
            "ended",
            campaign_file("ended", BURGLARY, "0 9 1 1 *", "ends = 2020-01-01"),
        ),
    ]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident("bob@example.com", &["burnham"], &[BURGLARY])
        .await;
    let run = |args: &'static [&'static str]| beacon_cli(&app, cal.path(), &sink, args);

    let out = run(&["send", "local", "--area", "chesam"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("did you mean `chesham`?"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["send", "local", "--area", "burnham"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("`burnham` is not one of this campaign's areas"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["send", "lock-up", "--dry-run"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("in total: 2 resident(s)"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains(" 2 resident(s)"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["send", "lock-up", "--dry-run", "--area", "burnham"]).await;
    assert!(
        text(&out.stdout).contains(" 1 resident(s)"),
        "{}",
        text(&out.stdout)
    );

    let out = run(&["send", "ended"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("out of its season") && text(&out.stderr).contains("--force")
    );
    assert!(run(&["send", "ended", "--force"]).await.status.success());

    app.services
        .store
        .set_campaign_paused("lock-up", true)
        .await
        .unwrap();
    let out = run(&["send", "lock-up"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is paused"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["send", "lock-up", "--force"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(": sent"),
        "{}",
        text(&out.stdout)
    );
    let runs = app.services.store.campaign_runs("ended", 5).await.unwrap();
    assert_eq!(runs.len(), 1, "nothing was sent without --force");
    app.finish().await;
}

#[tokio::test]
async fn check_warns_without_failing_and_the_forecast_folds_the_third_email_of_a_week() {
    let cal = fixture_calendar(&[
        (
            "daily",
            campaign_file("daily", BURGLARY, "0 9 * * *", "repeat_after = \"7d\""),
        ),
        ("one", campaign_file("one", BURGLARY, "0 9 1 * *", "")),
        ("two", campaign_file("two", BURGLARY, "0 9 2 * *", "")),
        ("three", campaign_file("three", BURGLARY, "0 9 3 * *", "")),
        (
            "scam-wave",
            campaign_file("scam-wave", BURGLARY, "0 9 4 * *", "urgent = true"),
        ),
    ]);
    let beacon = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .env_remove("BEACON_CONFIG")
            .env("BEACON_CALENDAR__DIR", cal.path())
            .env("BEACON_DATABASE__URL", "sqlite:///nonexistent/beacon.db")
            .output()
            .unwrap()
    };
    let out = beacon(&["check"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "warnings do not fail: {stderr}");
    assert!(
        stdout.contains("daily: may reach a resident again after 7 days (repeat_after"),
        "{stdout}"
    );
    assert!(stdout.contains("scam-wave: urgent"), "{stdout}");
    // 30 or 31: a 30-day window over the spring clock change holds one hour more.
    assert!(stderr.contains("warning: `daily` fires 3"), "{stderr}");
    assert!(stderr.contains(" times in the 30 days from "), "{stderr}");
    assert!(!stderr.contains("`one` fires"), "{stderr}");
    assert!(
        stderr.contains("warning: a resident following every topic in")
            && stderr.contains("max_per_resident_per_week is 2"),
        "{stderr}"
    );

    std::fs::remove_file(cal.path().join("daily.md")).unwrap();
    let out = beacon(&[
        "calendar",
        "--per-resident",
        "--area",
        "chesham",
        "--from",
        "2030-01-01",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let months = v.as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], "2030-01");
    // 1st and 2nd by e-mail, the 3rd folded into Saturday's round-up, the urgent 4th on its own.
    assert_eq!(
        (
            &months[0]["emails"],
            &months[0]["folded"],
            &months[0]["round_ups"]
        ),
        (
            &serde_json::json!(4),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{}",
        months[0]
    );
    assert!(months.iter().all(|m| m["emails"] == 4), "{v}");
    let out = beacon(&["calendar", "--per-resident", "--area", "chesam"]);
    assert!(!out.status.success());
}

async fn reach_counts_a_resident_reached_by_two_runs_of_a_campaign_once(db: TestDb) {
    let cal = fixture_calendar(&[(
        "lock-up",
        campaign_file("lock-up", BURGLARY, "0 9 1 1 *", ""),
    )]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident("bob@example.com", &["burnham"], &[BURGLARY])
        .await;
    let t0 = utc("2030-01-07T10:00:00Z");
    app.services
        .scheduler
        .send_now("lock-up", &[], t0, None)
        .await
        .unwrap();
    app.drain(t0).await;
    let again = beacon::scheduler::SendRequest {
        slug: "lock-up".into(),
        resend: Some("asked for by the police".into()),
        ..Default::default()
    };
    let t1 = t0 + Duration::days(1);
    app.services.scheduler.send(&again, t1).await.unwrap();
    app.drain(t1).await;
    let counts = app
        .services
        .store
        .campaign_counts(t0 - Duration::days(1), t0 + Duration::days(30))
        .await
        .unwrap();
    let c = counts.iter().find(|c| c.slug == "lock-up").unwrap();
    assert_eq!(
        (c.runs, c.delivered, c.residents, c.webhook_posts),
        (2, 4, 2, 0),
        "{c:?}"
    );
    app.finish().await;
}
each_engine!(reach_counts_a_resident_reached_by_two_runs_of_a_campaign_once);

#[tokio::test]
async fn two_processes_sending_one_campaign_at_once_on_postgresql_reach_each_resident_once() {
    let Some(db) = postgres().await else {
        return;
    };
    let cal = fixture_calendar(&[(
        "lock-up",
        campaign_file("lock-up", BURGLARY, "0 9 1 1 *", ""),
    )]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.residents_in(400, "chesham", BURGLARY).await;
    let other = beacon::app::Services::build(app.services.config.clone())
        .await
        .unwrap();
    let t0 = utc("2030-01-07T10:00:00Z");
    let (a, b) = tokio::join!(
        app.services.scheduler.send_now("lock-up", &[], t0, None),
        other
            .scheduler
            .send_now("lock-up", &[], t0 + Duration::milliseconds(1), None),
    );
    assert!(a.unwrap().is_some() && b.unwrap().is_some(), "two runs");
    let runs = app
        .services
        .store
        .campaign_runs("lock-up", 5)
        .await
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs.iter().map(|r| r.skipped_repeat).sum::<i64>(),
        400,
        "{runs:?}"
    );
    assert_eq!(app.drain(t0 + Duration::minutes(1)).await.sent, 400);
    other.store.close().await;
    app.finish().await;
}
