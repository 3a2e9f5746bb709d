//! schemathesis, a fuzzer we did not write, against the running server: generated calls to
//! every operation of the document (50 examples each), failing on any 5xx, on any answer whose
//! status, content type, headers or body the document does not describe, on auth it ignores and
//! methods it takes that are not documented. Writes land in
//! this test's own throwaway database.

use super::{token, tool};
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::sqlite;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_off_the_document() {
    if tool("schemathesis").is_none() {
        return;
    }
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.residents_in(12, "chesham", "burglary-vehicle").await;
    let admin = token(&app, "admin").await;
    super::send_once(&app, &admin).await;
    let reports = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new("schemathesis")
        .arg("run")
        .arg(format!("{}/api/v1/openapi.json", app.base))
        .args(["--header", &format!("Authorization: Bearer {admin}")])
        .args(["--max-examples", "50"])
        .args(["--phases", "examples,coverage,fuzzing"])
        // Every check but whether schema-valid input is accepted and invalid refused: an opaque
        // cursor, a CSV body and a period's dates are text the schema cannot fully describe.
        .args(["--checks", "all"])
        .args([
            "--exclude-checks",
            "positive_data_acceptance,negative_data_rejection",
        ])
        // One worker: hypothesis describes its strategies by parsing source, which is not thread-safe.
        .args(["--workers", "1", "--no-color"])
        .arg("--report-dir")
        .arg(reports.path())
        // It keeps what it found in `.schemathesis/` under its working directory: not the repo's.
        .args(["--generation-database", "none"])
        .current_dir(reports.path())
        .env("SCHEMATHESIS_HOOKS", "")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Its summary (operations, cases, warnings) is worth reading in CI's log even on success.
    eprintln!("{said}");
    assert!(out.status.success(), "schemathesis found problems");
    app.finish().await;
}
