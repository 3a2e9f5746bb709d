//! `beacon serve --log-format json` (or `BEACON_LOG_FORMAT=json`): every line one JSON object
//! with the text format's fields.

use super::*;
use crate::support::repo_path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs `beacon serve` with `how` set, until it logs that it listens; returns its stderr lines.
async fn serve_lines(how: &[(&str, &str)], flag: bool) -> (Vec<String>, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_beacon"));
    cmd.arg("serve").args(["--no-scheduler", "--no-worker"]);
    if flag {
        cmd.args(["--log-format", "json"]);
    }
    let log = dir.path().join("serve.log");
    let mut child = cmd
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env_remove("BEACON_LOG_FORMAT")
        .envs(how.iter().copied())
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", dir.path().join("b.db").display()),
        )
        .env("BEACON_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "BEACON_MAIL__TRANSPORT",
            format!("file:{}", dir.path().join("mail").display()),
        )
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut text = String::new();
    for _ in 0..200 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("beacon is listening") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap_or(text);
    (text.lines().map(str::to_string).collect(), port)
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_text_formats_fields() {
    for (env, flag) in [(vec![], true), (vec![("BEACON_LOG_FORMAT", "json")], false)] {
        let (lines, port) = serve_lines(&env, flag).await;
        assert!(!lines.is_empty(), "no log lines");
        let mut listening = None;
        for line in &lines {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            for field in ["timestamp", "level", "target"] {
                assert!(v.get(field).is_some(), "no {field} in {line}");
            }
            if v["message"] == "beacon is listening" {
                listening = Some(v);
            }
        }
        let v = listening.unwrap_or_else(|| panic!("no listening line in {lines:#?}"));
        // The fields the text line shows as `addr=… campaigns=… scheduler=… workers=…`.
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["target"], "beacon::app");
        assert_eq!(v["addr"], format!("127.0.0.1:{port}"));
        assert!(v["campaigns"].as_u64().unwrap() > 0);
        assert_eq!(v["scheduler"], false);
        assert_eq!(v["workers"], false);
    }
}

#[tokio::test]
async fn text_logs_stay_the_default() {
    let (lines, _) = serve_lines(&[], false).await;
    let listening = lines
        .iter()
        .find(|l| l.contains("beacon is listening"))
        .unwrap();
    assert!(serde_json::from_str::<Value>(listening).is_err());
    assert!(
        listening.contains("INFO") && listening.contains("campaigns"),
        "{listening}"
    );
}
