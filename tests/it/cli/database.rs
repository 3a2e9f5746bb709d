//! `beacon migrate`, `import`, `demo` and `send` on SQLite and PostgreSQL.

use super::*;

#[test]
fn migrate_creates_an_empty_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let out = beacon(&[
        "migrate",
        "--database-url",
        &format!("sqlite://{}", db.display()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.exists());
}

#[test]
fn import_reports_bad_rows_by_line_commits_the_rest_and_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("nhw.csv");
    std::fs::write(
        &csv,
        "email,postcode,topics,consent_at\n\
         ann@example.com,hp51aa,burglary-vehicle;fear-of-crime,2026-05-01\n\
         not-an-email,HP5 1AA,,\n\
         bob@example.com,SW1A 1AA,,\n\
         cat@example.com,SL1 7AB,,2026-05-01T10:00:00+01:00\n\
         dan@example.com,HP6 5AW,burglary,\n",
    )
    .unwrap();
    let db = format!("sqlite://{}", dir.path().join("b.db").display());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args([
                "subscribers",
                "import",
                csv.to_str().unwrap(),
                "--source",
                "nhw",
                "--database-url",
                &db,
            ])
            .current_dir(dir.path())
            .env(
                "BEACON_CALENDAR__DIR",
                repo_path("tests/fixtures/campaigns"),
            )
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout).trim(),
        "imported 2 new, 0 already known, 3 invalid row(s) skipped"
    );
    let stderr = text(&first.stderr);
    let path = csv.display().to_string();
    assert!(
        stderr.contains(&format!("{path}:3: skipped: email:")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{path}:4: skipped: postcode SW1A 1AA is outside")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{path}:6: skipped: topics: unknown priority `burglary`"
        )),
        "{stderr}"
    );
    let second = run();
    assert_eq!(
        text(&second.stdout).trim(),
        "imported 0 new, 2 already known, 3 invalid row(s) skipped"
    );
}

#[test]
fn demo_then_send_delivers_once_per_matching_resident_and_leaves_nothing_pending() {
    let dir = tempfile::tempdir().unwrap();
    // A campaign in season every day of the year, to every area, for burglary followers.
    let cal = crate::fixtures::fixture_calendar(&[(
        "lock-up",
        crate::fixtures::campaign_file("lock-up", crate::fixtures::BURGLARY, "0 9 1 1 *", ""),
    )]);
    let db = format!("sqlite://{}", dir.path().join("b.db").display());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .args(["--database-url", &db])
            .current_dir(dir.path())
            .env("BEACON_CALENDAR__DIR", cal.path())
            .env(
                "BEACON_MAIL__TRANSPORT",
                format!("file:{}", dir.path().join("mail").display()),
            )
            // The wall clock may be in quiet hours; they are tested with an injected clock.
            .env("BEACON_DELIVERY__QUIET_HOURS", "")
            .output()
            .unwrap()
    };
    // No history: the send below is the only one these residents have had.
    assert!(
        run(&["demo", "--subscribers", "300", "--months", "0"])
            .status
            .success()
    );
    let sent = run(&["send", "lock-up"]);
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    // Every demo resident follows burglary and lock-up goes to all areas.
    assert!(
        text(&sent.stdout).contains("delivered 300 message(s)"),
        "{}",
        text(&sent.stdout)
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("mail")).unwrap().count(),
        300
    );
    let outbox = run(&["outbox", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&outbox.stdout).unwrap();
    assert_eq!(v["oldest_pending_secs"], serde_json::Value::Null);
    assert_eq!(
        v["depth"],
        serde_json::json!([{ "status": "sent", "channel": "email", "count": 300 }])
    );
}

#[test]
fn migrate_works_on_an_empty_postgresql_database() {
    let Some(admin) = crate::support::postgres_url() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("beacon_cli_{}", crate::support::rand_suffix());
    let run_sql = |sql: String| {
        rt.block_on(async {
            let s = beacon::store::connect(&admin, 1).await.unwrap();
            if let beacon::store::Pool::Postgres(p) = s.pool() {
                sqlx::query(&sql).execute(p).await.unwrap();
            }
            s.close().await;
        })
    };
    run_sql(format!("create database \"{name}\""));
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    let out = beacon(&["migrate", "--database-url", url.as_str()]);
    run_sql(format!("drop database if exists \"{name}\" with (force)"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("migrations applied to postgres://"));
}
