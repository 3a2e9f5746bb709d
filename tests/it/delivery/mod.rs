//! The delivery engine end to end: scheduler, outbox, workers, a real SMTP server, feeds.

use crate::app::{Options, spawn_app, spawn_app_with};
use crate::smtp::{Received, Script, SmtpSink, decoded, header};
use crate::support::{TestDb, postgres, repo_path};
use chrono::{DateTime, Duration, Utc};
use std::time::Duration as StdDuration;

mod scheduler;
mod sending;
mod workers;

const BURGLARY: &str = "burglary-vehicle";

fn to_counts(msgs: &[Received]) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for msg in msgs {
        for to in &msg.to {
            *m.entry(to.clone()).or_default() += 1;
        }
    }
    m
}

fn resend(slug: &str) -> beacon::scheduler::SendRequest {
    beacon::scheduler::SendRequest {
        slug: slug.into(),
        resend: Some("a test of a second send".into()),
        force: true,
        ..Default::default()
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
