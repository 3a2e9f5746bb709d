//! The `beacon` binary as a user runs it.

use crate::support::repo_path;
use std::process::{Command, Output};

mod admin;
mod audit;
mod board;
mod calendar;
mod commands;
mod database;
mod serve;

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
