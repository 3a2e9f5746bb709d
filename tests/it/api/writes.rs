//! What editors and admins do by script: send now in two calls, pause and resume, import a CSV;
//! each audited as in the console, and refused to a role below.

use super::{audit, call, send_once, token};
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::TestDb;

const SEND: &str = "/api/v1/campaigns/winter-burglary/send";

async fn send_now_counts_first_then_sends_once_per_confirmation(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(12, "chesham", "burglary-vehicle").await;
    let editor = token(&app, "editor").await;
    let ask = serde_json::json!({"areas": ["chesham"], "force": true});
    let (status, _, plan) = call(&app, "POST", SEND, &editor, Some(ask.clone())).await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["residents"], 12);
    assert_eq!(plan["areas"], serde_json::json!(["chesham"]));
    // Counting sends nothing.
    let (_, _, runs) = call(
        &app,
        "GET",
        "/api/v1/campaigns/winter-burglary/runs",
        &editor,
        None,
    )
    .await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 0);
    // The token is bound to the request: another area, or a forged token, is refused.
    let mut other = serde_json::json!({"areas": ["amersham"], "force": true});
    other["confirm"] = plan["confirm"].clone();
    let (status, _, p) = call(&app, "POST", SEND, &editor, Some(other)).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["type"], "urn:beacon:problem:bad-request");
    let mut go = ask.clone();
    go["confirm"] = plan["confirm"].clone();
    let (status, _, sent) = call(&app, "POST", SEND, &editor, Some(go.clone())).await;
    assert_eq!(status, 202, "{sent}");
    let run_id = sent["run_id"].as_i64().unwrap();
    // The same confirmation again (a retried script) sends nothing more.
    let (status, _, again) = call(&app, "POST", SEND, &editor, Some(go)).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["type"], "urn:beacon:problem:conflict");
    let (_, _, run) = call(
        &app,
        "GET",
        &format!("/api/v1/runs/{run_id}"),
        &editor,
        None,
    )
    .await;
    assert_eq!(run["campaign"], "winter-burglary");
    assert_eq!(run["trigger"], "manual");
    let (_, _, runs) = call(
        &app,
        "GET",
        "/api/v1/campaigns/winter-burglary/runs",
        &editor,
        None,
    )
    .await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1);
    // A fresh count now finds the residents already had it (the repeat window).
    let (_, _, recount) = call(&app, "POST", SEND, &editor, Some(ask)).await;
    assert_eq!(recount["residents"], 0, "{recount}");
    assert_eq!(recount["already_had_it"], 12);
    assert_eq!(recount["recent_runs"][0]["run_id"], run_id);
    let log = audit(&app).await;
    assert!(
        log.iter()
            .any(|(actor, action, detail)| actor == "token:editor-script"
                && action == "campaign.send"
                && detail.contains(&format!("winter-burglary run {run_id} areas [chesham]"))),
        "{log:?}"
    );
    app.finish().await;
}
each_engine!(send_now_counts_first_then_sends_once_per_confirmation);

async fn a_repeat_needs_a_reason_and_a_paused_campaign_needs_force(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(12, "chesham", "burglary-vehicle").await;
    let editor = token(&app, "editor").await;
    send_once(&app, &editor).await;
    let (status, _, p) = call(
        &app,
        "POST",
        SEND,
        &editor,
        Some(serde_json::json!({"resend_reason": " ", "force": true})),
    )
    .await;
    assert_eq!(status, 422, "{p}");
    let (status, _, paused) = call(
        &app,
        "POST",
        "/api/v1/campaigns/winter-burglary/pause",
        &editor,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(paused["paused"], true);
    let (_, _, shown) = call(
        &app,
        "GET",
        "/api/v1/campaigns/winter-burglary",
        &editor,
        None,
    )
    .await;
    assert_eq!(shown["paused"], true);
    let ask = serde_json::json!({"areas": ["chesham"], "resend_reason": "asked by TVP for a second push"});
    let (_, _, plan) = call(&app, "POST", SEND, &editor, Some(ask.clone())).await;
    assert_eq!(plan["needs_force"], "is paused");
    assert_eq!(
        plan["residents"], 12,
        "a deliberate repeat reaches those who had it"
    );
    let mut go = ask;
    go["confirm"] = plan["confirm"].clone();
    let (status, _, p) = call(&app, "POST", SEND, &editor, Some(go)).await;
    assert_eq!(status, 409, "{p}");
    let (status, _, resumed) = call(
        &app,
        "POST",
        "/api/v1/campaigns/winter-burglary/resume",
        &editor,
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(resumed["paused"], false);
    let actions: Vec<String> = audit(&app).await.into_iter().map(|(_, a, _)| a).collect();
    assert!(
        actions.contains(&"campaign.pause".to_string())
            && actions.contains(&"campaign.resume".to_string())
    );
    app.finish().await;
}
each_engine!(a_repeat_needs_a_reason_and_a_paused_campaign_needs_force);

async fn an_admin_imports_a_csv_with_the_clis_rules_and_report(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let admin = token(&app, "admin").await;
    let editor = token(&app, "editor").await;
    let csv = "email,postcode,topics\nann@example.org,HP5 1AA,burglary-vehicle\nnot-an-address,HP5 1AA,\nbob@example.org,SW1A 1AA,\n";
    let import = |t: &str| {
        app.request("POST", "/api/v1/subscribers/import?source=parish-list")
            .header("authorization", format!("Bearer {t}"))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
    };
    let r = import(&editor).await.unwrap();
    assert_eq!(r.status(), 403, "importing is for admins");
    let r = import(&admin).await.unwrap();
    assert_eq!(r.status(), 200);
    let report: serde_json::Value = r.json().await.unwrap();
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["invalid"], 2);
    let lines: Vec<i64> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    let again: serde_json::Value = import(&admin).await.unwrap().json().await.unwrap();
    assert_eq!(
        (again["added"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(1))
    );
    let log = audit(&app).await;
    assert!(
        log.iter()
            .any(|(actor, action, detail)| actor == "token:admin-script"
                && action == "subscribers.import"
                && detail == "import:parish-list: 1 added, 0 known, 2 invalid"),
        "{log:?}"
    );
    // A file without its header row imports nothing and says why.
    let r = app
        .request("POST", "/api/v1/subscribers/import")
        .header("authorization", format!("Bearer {admin}"))
        .header("content-type", "text/csv")
        .body("ann@example.org,HP5 1AA\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    app.finish().await;
}
each_engine!(an_admin_imports_a_csv_with_the_clis_rules_and_report);

#[tokio::test]
async fn a_viewer_token_reads_but_cannot_write() {
    let sink = SmtpSink::start();
    let app = spawn_app(crate::support::sqlite().await, &sink).await;
    let viewer = token(&app, "viewer").await;
    for path in [
        "/api/v1/campaigns/winter-burglary/pause",
        "/api/v1/campaigns/winter-burglary/resume",
        SEND,
    ] {
        let (status, _, p) = call(&app, "POST", path, &viewer, Some(serde_json::json!({}))).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(p["type"], "urn:beacon:problem:forbidden");
    }
    let (status, _, _) = call(&app, "GET", "/api/v1/campaigns", &viewer, None).await;
    assert_eq!(status, 200);
    assert!(
        audit(&app)
            .await
            .iter()
            .all(|(_, a, _)| !a.starts_with("campaign."))
    );
    app.finish().await;
}
