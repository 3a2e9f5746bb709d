//! `--help` for every command, `beacon campaigns`, `beacon check`'s cron and typo messages, and
//! plain output (no colour codes) when nobody is watching a terminal.

use super::*;
use clap::CommandFactory;

fn no_escape_codes(s: &str) {
    assert!(!s.contains('\u{1b}'), "ANSI escape codes in output:\n{s}");
}

/// Every command and subcommand, by its full name.
fn walk(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{path} {}", sub.get_name());
        out.push((name.clone(), sub.clone()));
        walk(sub, name, out);
    }
}

#[test]
fn every_command_has_an_example_and_every_argument_has_help() {
    let root = beacon::cli::Cli::command();
    let mut all = vec![("beacon".to_string(), root.clone())];
    walk(&root, "beacon".into(), &mut all);
    assert!(all.len() > 20, "{} commands found", all.len());
    let mut missing = Vec::new();
    for (name, cmd) in &all {
        let example = cmd
            .get_after_help()
            .or(cmd.get_after_long_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        // A command made of subcommands shows its examples there, and each of them has its own.
        if !example.contains("Example") || !example.contains("  beacon ") {
            missing.push(format!("{name}: no example"));
        }
        if cmd.get_about().is_none() && name != "beacon" {
            missing.push(format!("{name}: no description"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{name}: argument `{id}` has no help"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn help_shows_the_example_and_errors_are_plain_text_in_a_pipe() {
    let out = beacon(&["send", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    no_escape_codes(&help);
    assert!(help.contains("Example"), "{help}");
    assert!(
        help.contains("beacon send winter-burglary --dry-run"),
        "{help}"
    );
    assert!(help.contains("The campaign's slug"), "{help}");

    let wrong = beacon(&["sned"]);
    assert!(!wrong.status.success());
    let err = text(&wrong.stderr);
    no_escape_codes(&err);
    assert!(err.contains("'send'"), "clap suggests the command: {err}");
}

#[tokio::test]
async fn logs_written_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let served = super::serve::serve(dir.path(), &repo_path("tests/fixtures/campaigns"));
    assert!(
        super::serve::logged(&served, "INFO", 1).await,
        "serve logs at start"
    );
    let log = std::fs::read_to_string(&served.log).unwrap();
    no_escape_codes(&log);
}

#[test]
fn campaigns_lists_every_campaign_in_season_or_not_with_its_next_send() {
    let out = beacon(&["campaigns"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    no_escape_codes(&table);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    for h in ["SLUG", "TITLE", "NEXT SEND (UK TIME)", "PAUSED", "SEASON"] {
        assert!(header.contains(h), "header row: {header}");
    }
    let files = std::fs::read_dir(repo_path("tests/fixtures/campaigns"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(str::to_string)
        })
        .collect::<Vec<_>>();
    for slug in &files {
        assert!(
            table
                .lines()
                .any(|l| l.trim_start().starts_with(slug.as_str())),
            "{slug} is missing:\n{table}"
        );
    }
    assert!(
        table.contains("out of season"),
        "seasonal campaigns are listed out of season too:\n{table}"
    );
    assert!(
        table
            .lines()
            .last()
            .unwrap()
            .contains(&format!("{} campaign(s)", files.len())),
        "{table}"
    );

    let json = beacon(&["campaigns", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), files.len());
    let courier = rows.iter().find(|r| r["slug"] == "courier-fraud").unwrap();
    assert_eq!(courier["in_season"], true);
    assert_eq!(courier["paused"], false);
    let next = courier["next_send"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(next).expect("JSON keeps RFC 3339");
    // Text output says it in words: the 15th at 10:30 UK time.
    let line = table.lines().find(|l| l.contains("courier-fraud")).unwrap();
    assert!(line.contains(" 15 ") && line.contains("10:30am"), "{line}");
}

#[test]
fn check_names_the_cron_field_and_range_and_suggests_the_area_meant() {
    let cal = crate::fixtures::fixture_calendar(&[
        (
            "bad-hour",
            crate::fixtures::campaign_file("bad-hour", crate::fixtures::BURGLARY, "0 24 * * 5", ""),
        ),
        (
            "typo",
            crate::fixtures::campaign_file("typo", crate::fixtures::BURGLARY, "0 18 * * 5", "")
                .replace("areas = [\"all\"]", "areas = [\"chesam\"]"),
        ),
        (
            "topic",
            crate::fixtures::campaign_file("topic", "burglary-vehicles", "0 18 * * 5", ""),
        ),
    ]);
    let out = beacon_on(cal.path(), &["check"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    no_escape_codes(&err);
    assert!(
        err.contains("bad-hour.md:5:12: hour 24 is out of range 0–23 in `0 24 * * 5`"),
        "{err}"
    );
    assert!(!err.contains("must be less than"), "{err}");
    assert!(
        err.contains("unknown area `chesam`") && err.contains("did you mean `chesham`?"),
        "{err}"
    );
    assert!(
        err.contains("unknown priority `burglary-vehicles`")
            && err.contains("did you mean `burglary-vehicle`?"),
        "{err}"
    );
}

#[test]
fn demo_draws_a_progress_bar_on_a_terminal_and_only_its_summary_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let piped = beacon_in(d, &["demo", "--subscribers", "3000", "--months", "0"]);
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert_eq!(
        text(&piped.stdout).lines().collect::<Vec<_>>(),
        [
            "added 3,000 demo residents (0 already there) and 0 past send(s) over 0 month(s), 0 message(s) delivered"
        ]
    );
    assert_eq!(text(&piped.stderr), "", "no bar when nobody is watching");

    // `script` gives the command a terminal, as a person's shell does.
    if !Command::new("sh")
        .args(["-c", "command -v script"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "script (util-linux) is missing"
        );
        return;
    }
    let cmd = format!(
        "{} demo --subscribers 6000 --months 0",
        env!("CARGO_BIN_EXE_beacon")
    );
    let tty = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(d)
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", d.join("b.db").display()),
        )
        .output()
        .unwrap();
    let screen = text(&tty.stdout);
    assert!(tty.status.success(), "{screen}");
    assert!(
        screen.contains("residents") && screen.contains("/6,000"),
        "a bar counts the residents: {screen:?}"
    );
    assert!(
        screen.contains("added 3,000 demo residents (3,000 already there)"),
        "{screen:?}"
    );
}
