//! The scheduler: re-ticks, missed fires past their grace, nine o'clock across the clock change.

use super::*;

async fn re_ticking_the_scheduler_makes_one_run_and_one_message_each(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..5 {
        app.resident(&format!("r{i}@example.com"), &["amersham"], &[BURGLARY])
            .await;
    }
    // winter-burglary fires on Fridays at 18:00 in season; the next is after "now".
    let fire = app
        .services
        .calendar
        .get()
        .campaign("winter-burglary")
        .unwrap()
        .next_fire(Utc::now(), 400)
        .unwrap();
    let at = fire + Duration::minutes(2);
    let first = app.services.scheduler.tick(at).await.unwrap();
    let again = app
        .services
        .scheduler
        .tick(at + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(first.created.len(), 1, "{}", app.db.name);
    assert!(again.created.is_empty());
    app.drain(at).await;
    let msgs = sink.wait_for(5, StdDuration::from_secs(10));
    assert!(to_counts(&msgs).values().all(|n| *n == 1) && msgs.len() == 5);
    let runs = app
        .services
        .store
        .runs_of("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].fire_at, fire);
    app.finish().await;
}
each_engine!(re_ticking_the_scheduler_makes_one_run_and_one_message_each);

async fn a_fire_missed_beyond_its_grace_is_recorded_as_skipped_and_never_sent(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["amersham"], &[BURGLARY])
        .await;
    let fire = app
        .services
        .calendar
        .get()
        .campaign("winter-burglary")
        .unwrap()
        .next_fire(Utc::now(), 400)
        .unwrap();
    let report = app
        .services
        .scheduler
        .tick(fire + Duration::hours(7))
        .await
        .unwrap();
    // Other shipped campaigns may have missed fires in the same week: count this one's.
    assert!(report.created.is_empty(), "{}", app.db.name);
    let runs = app
        .services
        .store
        .runs_of("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status.as_str(), "skipped");
    assert!(runs[0].reason.as_deref().unwrap().contains("grace"));
    assert_eq!(app.drain(fire + Duration::hours(7)).await.claimed, 0);
    app.finish().await;
}
each_engine!(a_fire_missed_beyond_its_grace_is_recorded_as_skipped_and_never_sent);

async fn nine_oclock_daily_fires_at_nine_local_on_both_sides_of_the_spring_change(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_path("tests/fixtures/campaigns/areas.toml"),
        dir.path().join("areas.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("daily.md"),
        "+++\ntitle = \"Daily\"\npriority = \"fear-of-crime\"\nlead = \"Thames Valley Police\"\nschedule = \"0 9 * * *\"\n\
         areas = [\"all\"]\nchannels = [\"feed\"]\nsubject = \"S\"\nsummary = \"S\"\n+++\nHello.\n",
    )
    .unwrap();
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        db,
        &sink,
        Options {
            calendar_dir: dir.path().to_path_buf(),
            // The calendar is first synced the day before: the test holds whatever today's date.
            now: Some(utc("2027-03-26T12:00:00Z")),
            ..Options::default()
        },
    )
    .await;
    // Sunday 28 March 2027: clocks go forward at 01:00 UTC.
    app.services
        .scheduler
        .tick(utc("2027-03-27T09:00:30Z"))
        .await
        .unwrap();
    app.services
        .scheduler
        .tick(utc("2027-03-28T08:00:30Z"))
        .await
        .unwrap();
    let runs = app.services.store.runs_of("daily", 10).await.unwrap();
    let mut fires: Vec<String> = runs
        .iter()
        .filter(|r| r.status.as_str() != "skipped")
        .map(|r| {
            r.fire_at
                .with_timezone(&beacon::domain::LONDON)
                .to_rfc3339()
        })
        .collect();
    fires.sort();
    assert_eq!(
        fires,
        ["2027-03-27T09:00:00+00:00", "2027-03-28T09:00:00+01:00"],
        "{}",
        app.db.name
    );
    app.finish().await;
}
each_engine!(nine_oclock_daily_fires_at_nine_local_on_both_sides_of_the_spring_change);
