//! `beacon areas`, `report` and `users`, and output to a reader that stops early.

use super::*;

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
fn report_writes_json_csv_and_a_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        beacon_in(d, &["demo", "--subscribers", "400", "--months", "0"])
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
    assert!(
        r["sources"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("demo: ")
    );
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
    assert!(page.contains("1 January 2026 to 31 December 2026"));
    assert_eq!(page.matches("<svg").count(), 4);
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
