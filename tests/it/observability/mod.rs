//! Watching Beacon run: `/metrics` read by the Prometheus project's own parser, `/readyz`
//! against a real SMTP server that goes away and comes back, and JSON log lines.

use crate::app::{Options, TestApp, spawn_app, spawn_app_with};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use chrono::Utc;
use serde_json::Value;
use std::collections::HashMap;

mod logs;
mod metrics;
mod readiness;

/// One sample: its name, labels and value.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: HashMap<String, String>,
    pub value: f64,
}

/// The exposition parsed by `prometheus_client`'s text parser (Python; `.ci/run` installs it),
/// which fails on anything a Prometheus server would refuse. Returns the samples and each
/// family's declared type.
pub fn parse_exposition(text: &str) -> (Vec<Sample>, HashMap<String, String>) {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples, types = [], {}
for fam in text_string_to_metric_families(sys.stdin.read()):
    types[fam.name] = fam.type
    for s in fam.samples:
        samples.append([s.name, s.labels, s.value])
json.dump({"samples": samples, "types": types}, sys.stdout)
"#;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client refused the exposition: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let samples = v["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Sample {
            name: s[0].as_str().unwrap().to_string(),
            labels: serde_json::from_value(s[1].clone()).unwrap(),
            value: s[2].as_f64().unwrap(),
        })
        .collect();
    let types = serde_json::from_value(v["types"].clone()).unwrap();
    (samples, types)
}

/// The value of the sample `name` whose labels include `labels` (0 when there is none).
pub fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

/// A free port on loopback (bound, then let go).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn scrape(url: &str) -> (Vec<Sample>, HashMap<String, String>) {
    let res = reqwest::get(url).await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    parse_exposition(&res.text().await.unwrap())
}
