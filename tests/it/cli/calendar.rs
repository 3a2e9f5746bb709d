//! `beacon check` and `beacon calendar`: the calendar checked and shown, and bad input refused.

use super::*;

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
