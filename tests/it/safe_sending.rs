//! Issue 9's promise to residents, end to end over real databases and a real SMTP server with an
//! injected clock: never the same message twice (console, CLI), a deliberate repeat audited, at
//! most so many e-mails a week (the rest in the round-up), quiet hours, runs that reach `sent`.
//! Every campaign here is a fixture file written by the test, not the shipped calendar.

use crate::console::{hidden, page, sign_in};
use crate::fixtures::{
    BURGLARY, SCAMS, app_on, app_with, beacon_cli, campaign_file, fixture_calendar, subjects_to,
    text, utc,
};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::{Duration, Utc};
use std::time::Duration as StdDuration;

async fn two_console_sends_and_two_cli_sends_deliver_once_per_resident_and_a_resend_is_audited(
    db: TestDb,
) {
    let cal = fixture_calendar(&[(
        "lock-up",
        campaign_file("lock-up", BURGLARY, "0 9 1 1 *", ""),
    )]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY])
        .await;
    app.resident("bob@example.com", &["burnham", "chesham"], &[BURGLARY])
        .await;
    app.resident("cat@example.com", &["chesham"], &[SCAMS])
        .await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;

    let (status, html) = page(&app, &editor, "/admin/campaigns/lock-up").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Send again to people who already had it"),
        "{html}"
    );
    for press in 0..2 {
        let (status, confirm) = page(&app, &editor, "/admin/campaigns/lock-up/send").await;
        assert_eq!(status, 200, "{confirm}");
        if press == 0 {
            assert!(confirm.contains("Send to 2 residents"), "{confirm}");
            assert!(!confirm.contains("Already sent in the last 7 days"));
        } else {
            // The second page load counts again: everyone has had it.
            assert!(confirm.contains("Send to 0 residents"), "{confirm}");
            assert!(
                confirm.contains("Already sent in the last 7 days"),
                "{confirm}"
            );
            assert!(
                confirm.contains("2 resident(s) had this message recently"),
                "{confirm}"
            );
        }
        let r = app
            .request("POST", "/admin/campaigns/lock-up/send")
            .header("cookie", &editor)
            .form(&[
                ("csrf", hidden(&confirm, "csrf")),
                ("idempotency_key", hidden(&confirm, "idempotency_key")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        app.drain(Utc::now()).await;
    }
    for _ in 0..2 {
        let out = beacon_cli(&app, cal.path(), &sink, &["send", "lock-up"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let runs = app
        .services
        .store
        .campaign_runs("lock-up", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 4, "{}: four sends, four runs", app.db.name);
    assert_eq!(
        runs.iter().map(|r| r.skipped_repeat).sum::<i64>(),
        6,
        "{runs:?}"
    );
    assert!(runs.iter().all(|r| r.state.as_str() == "sent"), "{runs:?}");
    sink.wait_for(2, StdDuration::from_secs(10));
    assert_eq!(
        subjects_to(&sink, "ann@example.com").len(),
        1,
        "{}",
        app.db.name
    );
    assert_eq!(subjects_to(&sink, "bob@example.com").len(), 1);
    assert!(subjects_to(&sink, "cat@example.com").is_empty());

    // A deliberate repeat from the console needs a reason...
    let r = app
        .request("GET", "/admin/campaigns/lock-up/send?resend=on&reason=")
        .header("cookie", &editor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("needs a reason"));
    // ...and then goes to everyone, once more.
    let (_, confirm) = page(
        &app,
        &editor,
        "/admin/campaigns/lock-up/send?resend=on&reason=Police+asked+us+to+repeat+it",
    )
    .await;
    assert!(confirm.contains("Send to 2 residents"), "{confirm}");
    let r = app
        .request("POST", "/admin/campaigns/lock-up/send")
        .header("cookie", &editor)
        .form(&[
            ("csrf", hidden(&confirm, "csrf")),
            ("idempotency_key", hidden(&confirm, "idempotency_key")),
            ("resend", "on".into()),
            ("reason", "Police asked us to repeat it".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    app.drain(Utc::now()).await;
    sink.wait_for(4, StdDuration::from_secs(10));
    assert_eq!(subjects_to(&sink, "ann@example.com").len(), 2);
    // And from the CLI; a resend without a reason is refused.
    let out = beacon_cli(
        &app,
        cal.path(),
        &sink,
        &["send", "lock-up", "--resend", " "],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("needs a reason"),
        "{}",
        text(&out.stderr)
    );
    let out = beacon_cli(
        &app,
        cal.path(),
        &sink,
        &["send", "lock-up", "--resend", "Scam wave again"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Both have had two e-mails this week: the resend waits for their round-up.
    let latest = &app
        .services
        .store
        .campaign_runs("lock-up", 1)
        .await
        .unwrap()[0];
    assert_eq!((latest.skipped_repeat, latest.folded), (0, 2), "{latest:?}");
    assert_eq!(subjects_to(&sink, "bob@example.com").len(), 2);
    let log = app.services.store.recent_audit(50).await.unwrap();
    let resends: Vec<_> = log
        .iter()
        .filter(|e| e.action == "campaign.resend")
        .collect();
    assert_eq!(resends.len(), 2, "{log:?}");
    assert!(resends.iter().any(|e| {
        e.actor == "editor@example.org"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("Police asked us to repeat it"))
    }));
    assert!(resends.iter().any(|e| {
        e.actor.starts_with("cli:")
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("Scam wave again"))
    }));
    app.finish().await;
}
each_engine!(two_console_sends_and_two_cli_sends_deliver_once_per_resident_and_a_resend_is_audited);

async fn the_cap_folds_the_third_email_of_a_week_into_the_round_up_and_urgent_is_exempt(
    db: TestDb,
) {
    let cal = fixture_calendar(&[
        ("one", campaign_file("one", BURGLARY, "0 9 1 1 *", "")),
        ("two", campaign_file("two", BURGLARY, "0 9 1 1 *", "")),
        ("three", campaign_file("three", BURGLARY, "0 9 1 1 *", "")),
        (
            "scam-wave",
            campaign_file("scam-wave", SCAMS, "0 9 1 1 *", "urgent = true"),
        ),
    ]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY, SCAMS])
        .await;
    // Monday 7 January 2030, mid-morning UK time: outside quiet hours.
    let t0 = utc("2030-01-07T10:00:00Z");
    for (i, slug) in ["one", "two", "three", "scam-wave"].iter().enumerate() {
        let at = t0 + Duration::hours(i as i64);
        app.services
            .scheduler
            .send_now(slug, &[], at, None)
            .await
            .unwrap()
            .unwrap();
        app.drain(at).await;
    }
    sink.wait_for(3, StdDuration::from_secs(10));
    let got = subjects_to(&sink, "ann@example.com");
    assert_eq!(
        got,
        ["Subject of one", "Subject of two", "Subject of scam-wave"],
        "{}",
        app.db.name
    );
    let three = &app.services.store.campaign_runs("three", 1).await.unwrap()[0];
    assert_eq!(
        (three.folded, three.state.as_str()),
        (1, "sent"),
        "{three:?}"
    );

    // Saturday's round-up carries it.
    let saturday = utc("2030-01-12T08:30:00Z");
    assert_eq!(
        app.services
            .store
            .gather_digests(saturday, saturday)
            .await
            .unwrap(),
        1
    );
    app.drain(saturday).await;
    let msgs = sink.wait_for(4, StdDuration::from_secs(10));
    let digest = msgs.last().unwrap();
    assert_eq!(digest.to, ["ann@example.com"]);
    assert!(
        crate::smtp::decoded(&digest.data)
            .contains("We kept this for your round-up: it came in a week when you had already"),
        "the round-up says why: {}",
        digest.data
    );
    assert!(
        crate::smtp::decoded(&digest.data).contains("Fixture three"),
        "{}",
        digest.data
    );

    // A week later the allowance is back.
    let later = t0 + Duration::days(8);
    app.services
        .scheduler
        .send_now("three", &[], later, None)
        .await
        .unwrap();
    app.drain(later).await;
    let three = &app.services.store.campaign_runs("three", 1).await.unwrap()[0];
    assert_eq!(
        three.skipped_repeat, 1,
        "it reached her in the round-up 6 days ago"
    );
    app.finish().await;
}
each_engine!(the_cap_folds_the_third_email_of_a_week_into_the_round_up_and_urgent_is_exempt);

async fn quiet_hours_hold_a_22_00_send_until_07_00_let_an_urgent_one_through_and_runs_reach_sent(
    db: TestDb,
) {
    let dates = "starts = 2030-01-07\nends = 2030-01-07";
    let cal = fixture_calendar(&[
        ("late", campaign_file("late", BURGLARY, "0 22 * * *", dates)),
        (
            "scam-wave",
            campaign_file(
                "scam-wave",
                SCAMS,
                "0 22 * * *",
                &format!("{dates}\nurgent = true"),
            ),
        ),
    ]);
    let sink = SmtpSink::start();
    let app = app_with(db, &sink, cal.path(), |c| {
        c.delivery.quiet_hours = "21:00-07:00".into()
    })
    .await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY, SCAMS])
        .await;
    // 22:00 on 7 January 2030 is 22:00 UTC (GMT).
    let ten_pm = utc("2030-01-07T22:00:00Z");
    let report = app.services.scheduler.tick(ten_pm).await.unwrap();
    assert_eq!(report.created.len(), 2, "{report:?}");
    app.drain(ten_pm).await;
    sink.wait_for(1, StdDuration::from_secs(10));
    assert_eq!(
        subjects_to(&sink, "ann@example.com"),
        ["Subject of scam-wave"]
    );
    let state = |slug: &'static str| {
        let store = app.services.store.clone();
        async move { store.campaign_runs(slug, 1).await.unwrap().remove(0) }
    };
    let late = state("late").await;
    assert_eq!(late.state.as_str(), "queued", "{late:?}");
    assert_eq!(late.held_until, Some(utc("2030-01-08T07:00:00Z")));
    assert_eq!(state("scam-wave").await.state.as_str(), "sent");

    assert_eq!(app.drain(utc("2030-01-08T06:59:00Z")).await.sent, 0);
    assert_eq!(app.drain(utc("2030-01-08T07:00:00Z")).await.sent, 1);
    app.drain(utc("2030-01-08T07:00:01Z")).await;
    sink.wait_for(2, StdDuration::from_secs(10));
    assert_eq!(
        subjects_to(&sink, "ann@example.com"),
        ["Subject of scam-wave", "Subject of late"]
    );
    let late = state("late").await;
    assert_eq!(
        (late.state.as_str(), late.delivered),
        ("sent", 1),
        "{late:?}"
    );
    let run = app.services.store.run(late.run_id).await.unwrap().unwrap();
    assert_eq!(run.campaign_slug, "late");
    app.finish().await;
}
each_engine!(
    quiet_hours_hold_a_22_00_send_until_07_00_let_an_urgent_one_through_and_runs_reach_sent
);

async fn a_daily_schedule_reaches_a_resident_once_in_the_repeat_window_and_a_reminder_after_its_own(
    db: TestDb,
) {
    let dates = "starts = 2030-01-07\nends = 2030-01-21";
    let cal = fixture_calendar(&[
        (
            "daily",
            campaign_file("daily", BURGLARY, "0 9 * * *", dates),
        ),
        (
            "reminder",
            campaign_file(
                "reminder",
                SCAMS,
                "0 10 * * *",
                &format!("{dates}\nrepeat_after = \"7d\""),
            ),
        ),
    ]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["chesham"], &[BURGLARY, SCAMS])
        .await;
    let mut day = utc("2030-01-07T11:00:00Z");
    for _ in 0..15 {
        app.services.scheduler.tick(day).await.unwrap();
        app.drain(day).await;
        day += Duration::days(1);
    }
    let got = subjects_to(&sink, "ann@example.com");
    let count = |s: &str| got.iter().filter(|g| *g == s).count();
    // 15 daily fires: once, then not again within 14 days (the 21st is 14 days on: once more).
    assert_eq!(count("Subject of daily"), 2, "{}: {got:?}", app.db.name);
    // A reminder with repeat_after = 7d: the 7th, 14th and 21st.
    assert_eq!(count("Subject of reminder"), 3, "{got:?}");
    let runs = app.services.store.campaign_runs("daily", 20).await.unwrap();
    assert_eq!(runs.len(), 15);
    assert_eq!(runs.iter().map(|r| r.skipped_repeat).sum::<i64>(), 13);
    app.finish().await;
}
each_engine!(
    a_daily_schedule_reaches_a_resident_once_in_the_repeat_window_and_a_reminder_after_its_own
);

/// `beacon send` delivers while the fan-out is still queueing (issue 17): with more residents
/// than one fan-out batch (1,000), the lanes must not stop at an empty queue between batches.
/// Every resident the dry run counts gets the message once, and nobody else.
async fn a_cli_send_larger_than_one_fan_out_batch_reaches_every_resident_once(db: TestDb) {
    let cal = fixture_calendar(&[(
        "lock-up",
        campaign_file("lock-up", BURGLARY, "0 9 1 1 *", ""),
    )]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    let demo = beacon_cli(
        &app,
        cal.path(),
        &sink,
        &["demo", "--subscribers", "2600", "--months", "0"],
    )
    .await;
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let dry = beacon_cli(&app, cal.path(), &sink, &["send", "lock-up", "--dry-run"]).await;
    let counted: usize = text(&dry.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("email    in total: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no total in {}", text(&dry.stdout)));
    assert!(counted > 1000, "{counted}: more than one fan-out batch");

    let out = beacon_cli(&app, cal.path(), &sink, &["send", "lock-up"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("delivered {counted} message(s)")),
        "{}: {stdout}",
        app.db.name
    );
    assert!(
        stdout.contains(&format!("is queued for {counted} resident(s)")),
        "{stdout}"
    );
    let got = sink.messages();
    let mut to: Vec<&str> = got
        .iter()
        .filter(|m| {
            crate::smtp::header(&m.data, "Subject").as_deref() == Some("Subject of lock-up")
        })
        .flat_map(|m| m.to.iter().map(String::as_str))
        .collect();
    assert_eq!(to.len(), counted, "{}", app.db.name);
    to.sort_unstable();
    to.dedup();
    assert_eq!(to.len(), counted, "each resident once");
    app.finish().await;
}
each_engine!(a_cli_send_larger_than_one_fan_out_batch_reaches_every_resident_once);
