//! The `beacon` binary as a user runs it.

use crate::support::repo_path;
use std::process::{Command, Output};

/// `beacon args` on the tests' calendar.
fn beacon(args: &[&str]) -> Output {
    beacon_on(&repo_path("tests/fixtures/campaigns"), args)
}

fn beacon_on(calendar: &std::path::Path, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", calendar)
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.path().join("b.db").display()),
        )
        .output()
        .expect("run beacon")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_passes_on_the_shipped_calendar_with_a_summary() {
    // The one test on the shipped calendar: whatever the CS team writes there must load.
    let out = beacon_on(&repo_path("tests/fixtures/campaigns"), &["check"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let words: Vec<&str> = stdout.split_whitespace().collect();
    let campaigns: usize = words[1].parse().unwrap();
    let areas: usize = words[4].parse().unwrap();
    assert!(campaigns >= 12 && areas >= 25, "{stdout}");
}

#[test]
fn check_reports_every_broken_field_with_its_position_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo_path("tests/fixtures/campaigns")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.path().join("winter-burglary.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let broken: String = original
        .lines()
        .map(|l| match l.split('=').next().map(str::trim) {
            Some("priority") => "priority = \"burglary\"".to_string(),
            Some("schedule") => "schedule = \"0 9 * *\"".to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, &broken).unwrap();
    let line_of = |key: &str| broken.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    let out = beacon(&["check", "--campaigns", dir.path().to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let path = file.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{path}:{}:12: unknown priority `burglary`",
            line_of("priority")
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{path}:{}:12: a schedule has 5 fields",
            line_of("schedule")
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn calendar_json_shows_nine_oclock_local_across_the_spring_change() {
    // A campaign file of our own keeps this test independent of the shipped calendar's dates.
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
    let out = beacon(&[
        "calendar",
        "--campaigns",
        dir.path().to_str().unwrap(),
        "--from",
        "2026-03-28",
        "--days",
        "2",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let at: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert_eq!(
        at,
        ["2026-03-28T09:00:00+00:00", "2026-03-29T09:00:00+01:00"]
    );
    assert_eq!(v[0]["campaign"], "daily");
    assert_eq!(v[0]["areas"], serde_json::json!(["all"]));
    assert_eq!(v[0]["channels"], serde_json::json!(["feed"]));
}

#[test]
fn calendar_json_over_the_real_calendar_is_ordered_by_time() {
    let out = beacon(&[
        "calendar",
        "--from",
        "2026-03-25",
        "--days",
        "14",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["at"].as_str().unwrap()).unwrap())
        .collect();
    assert!(!times.is_empty());
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    // Fires after the clocks go forward carry the BST offset.
    assert!(
        times
            .iter()
            .filter(|t| t.date_naive() >= chrono::NaiveDate::from_ymd_opt(2026, 3, 30).unwrap())
            .all(|t| t.offset().local_minus_utc() == 3600)
    );
}

#[test]
fn areas_resolves_postcodes_and_says_when_one_is_not_covered() {
    let out = beacon(&["areas", "--postcode", "hp51aa", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["postcode"], "HP5 1AA");
    assert_ne!(v["status"], "not-covered");
    let out = beacon(&["areas", "--postcode", "SW1A 1AA", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "not-covered");
    assert_eq!(v["areas"], serde_json::json!([]));
}

#[test]
fn bad_input_gets_one_clear_sentence_and_a_non_zero_exit() {
    let out = beacon(&["calendar", "--from", "2026-13-40"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid value '2026-13-40'"));
    let out = beacon(&["migrate", "--database-url", "mysql://nope"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is not supported") && !stderr.contains("panicked"),
        "{stderr}"
    );
    let out = beacon(&[
        "migrate",
        "--database-url",
        "sqlite:///nonexistent-dir/x/b.db",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with(
            "error: database sqlite:///nonexistent-dir/x/b.db: cannot open the database"
        ),
        "{}",
        text(&out.stderr)
    );
}

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
    assert!(run(&["demo", "--subscribers", "300"]).status.success());
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

/// Runs beacon against one database kept in `dir`.
fn beacon_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(args)
        .current_dir(dir)
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.join("b.db").display()),
        )
        .output()
        .expect("run beacon")
}

#[test]
fn report_writes_json_csv_and_a_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        beacon_in(d, &["demo", "--subscribers", "400"])
            .status
            .success()
    );
    let out = beacon_in(d, &["report", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["totals"]["subscribers"], 400);
    assert_eq!(
        r["totals"]["growth_pct"],
        serde_json::Value::Null,
        "no baseline"
    );
    assert!(r["areas"].as_array().unwrap().len() >= 25);
    assert_eq!(r["sources"][0]["source"], "demo");
    assert!(
        r["outcomes"].as_array().unwrap().len() >= 3,
        "from campaigns/outcomes.toml"
    );

    let csv = beacon_in(d, &["report", "--format", "csv"]);
    let csv = text(&csv.stdout);
    assert!(csv.lines().count() >= 27, "a row per area and one for all");
    assert!(csv.lines().last().unwrap().starts_with("all,"));

    let html = d.join("board.html");
    let out = beacon_in(
        d,
        &[
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "html",
            "--output",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("2026-01-01 to 2026-12-31"));
    assert_eq!(page.matches("<svg").count(), 3);
    assert!(
        !page.contains("<link") && !page.contains("<script"),
        "self-contained"
    );

    let bad = beacon_in(d, &["report", "--from", "2026-12-01", "--to", "2026-01-01"]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("is after"));
}

#[test]
fn users_get_a_one_time_password_and_can_be_listed_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = beacon_in(d, &["users", "add", "Team@Example.org", "--role", "editor"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("added Team@example.org as editor"));
    let password = stdout.rsplit(' ').next().unwrap().trim();
    assert_eq!(password.len(), 20);
    let again = beacon_in(d, &["users", "add", "Team@example.org", "--role", "admin"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));
    let bad_role = beacon_in(d, &["users", "add", "x@example.org", "--role", "root"]);
    assert!(!bad_role.status.success());
    let list = text(&beacon_in(d, &["users", "list"]).stdout);
    assert!(list.contains("Team@example.org") && list.contains("active"));
    assert!(!list.contains(password), "never shown again");
    assert!(
        beacon_in(d, &["users", "disable", "Team@example.org"])
            .status
            .success()
    );
    let list = text(&beacon_in(d, &["users", "list"]).stdout);
    assert!(list.contains("disabled"));
    let token = beacon_in(d, &["users", "token", "parish-council"]);
    assert!(text(&token.stdout).contains("bcn_"));
}

#[test]
fn a_reader_that_stops_early_does_not_make_beacon_panic() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["calendar", "--days", "3650"])
        .current_dir(dir.path())
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe is closed here, as `| head -c 16` would.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A running `beacon serve`, stopped (SIGTERM) when dropped.
struct Served {
    child: std::process::Child,
    base: String,
    /// What the server logs (stderr).
    log: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn serve(dir: &std::path::Path, campaigns: &std::path::Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["serve", "--no-scheduler", "--no-worker"])
        .current_dir(dir)
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", campaigns)
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.join("b.db").display()),
        )
        .env("BEACON_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("BEACON_SERVER__BASE_URL", &base)
        .env("BEACON_DELIVERY__TICK_SECS", "1")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    Served {
        child,
        base,
        log: dir.join("serve.log"),
    }
}

/// Waits (up to 20 s) until the server's log has logged `line` `times` times.
async fn logged(served: &Served, line: &str, times: usize) -> bool {
    for _ in 0..200 {
        let log = std::fs::read_to_string(&served.log).unwrap_or_default();
        if log.matches(line).count() >= times {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// The home page once `want` is (or is not) on it, waiting up to 20 s for the server to see it.
async fn home_until(base: &str, want: &str, present: bool) -> bool {
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("{base}/")).await
            && let Ok(body) = r.text().await
            && body.contains(want) == present
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn serve_picks_up_calendar_changes_on_reload_and_sighup_and_refuses_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let campaigns = dir.path().join("campaigns");
    std::fs::create_dir(&campaigns).unwrap();
    for entry in std::fs::read_dir(repo_path("tests/fixtures/campaigns")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, campaigns.join(p.file_name().unwrap())).unwrap();
    }
    let areas = campaigns.join("areas.toml");
    let add_area = |slug: &str, name: &str| {
        let mut text = std::fs::read_to_string(&areas).unwrap();
        text.push_str(&format!(
            "\n[[area]]\nslug = \"{slug}\"\nname = \"{name}\"\ndistrict = \"chiltern\"\nwards = [\"Chesham\"]\nplaces = [{{ name = \"{name}\", grid = [496000, 230000] }}]\n"
        ));
        std::fs::write(&areas, text).unwrap();
    };
    let served = serve(dir.path(), &campaigns);
    assert!(home_until(&served.base, "Chesham", true).await, "server up");

    add_area("testington", "Testington");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("BEACON_CONFIG")
            .env("BEACON_CALENDAR__DIR", &campaigns)
            .env(
                "BEACON_DATABASE__URL",
                format!("sqlite://{}", dir.path().join("b.db").display()),
            )
            .output()
            .unwrap()
    };
    assert!(run(&["reload"]).status.success());
    assert!(
        home_until(&served.base, "Testington", true).await,
        "beacon reload"
    );

    add_area("hupton", "Hupton");
    let hup = Command::new("kill")
        .args(["-HUP", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    assert!(home_until(&served.base, "Hupton", true).await, "SIGHUP");

    assert!(logged(&served, "calendar reloaded", 2).await, "two reloads");

    // A broken calendar is refused by `reload` and never half-loaded by the server: the
    // broken file also adds an area, which must not appear.
    add_area("brokenton", "Brokenton");
    let good = std::fs::read_to_string(&areas).unwrap();
    std::fs::write(&areas, good.replace("name = \"Hupton\"", "name = 42")).unwrap();
    let refused = run(&["reload"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("areas.toml:"),
        "{}",
        text(&refused.stderr)
    );
    let hup = Command::new("kill")
        .args(["-HUP", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    // The server handled the signal: it read the files and refused them.
    assert!(
        logged(&served, "calendar reload refused", 1).await,
        "the SIGHUP was handled: {}",
        std::fs::read_to_string(&served.log).unwrap_or_default()
    );
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert_eq!(log.matches("calendar reloaded").count(), 2, "{log}");
    let page = reqwest::get(format!("{}/", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Hupton") && !page.contains("Brokenton"),
        "old calendar kept"
    );
}
