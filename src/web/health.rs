//! `GET /healthz`: up, and the database answers. `GET /readyz`: ready for traffic — the
//! database answers, the calendar is loaded and the mail transport takes a connection.

use super::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::future::BoxFuture;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Asks the mail transport whether it can take mail now; `Err` says why not. Built by `app`
/// (the web never holds a mailer).
pub type MailCheck = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// A readiness probe that hangs is a failed one.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "error", "database": "unreachable" })),
            )
        }
    }
}

async fn within(what: &str, f: impl Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::time::timeout(CHECK_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| Err(format!("{what} did not answer within 5 seconds")))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let database = within("the database", async {
        state.store.ping().await.map_err(|e| e.to_string())
    })
    .await;
    let calendar = {
        let cal = state.calendar.get();
        if cal.areas.iter().next().is_some() {
            Ok(())
        } else {
            Err(format!("no areas loaded from {}", cal.dir.display()))
        }
    };
    let smtp = match &state.mail_check {
        Some(check) => within("the mail server", check()).await,
        None => Ok(()),
    };
    let checks = [
        ("database", database),
        ("calendar", calendar),
        ("smtp", smtp),
    ];
    let failed: Vec<String> = checks
        .iter()
        .filter_map(|(name, r)| r.as_ref().err().map(|why| format!("{name}: {why}")))
        .collect();
    let summary: serde_json::Map<String, serde_json::Value> = checks
        .iter()
        .map(|(name, r)| {
            let v = if r.is_ok() { "ok" } else { "failed" };
            (name.to_string(), json!(v))
        })
        .collect();
    if failed.is_empty() {
        return (
            StatusCode::OK,
            Json(json!({ "status": "ready", "checks": summary })),
        )
            .into_response();
    }
    tracing::warn!(failed = %failed.join("; "), "not ready");
    let problem = json!({
        "type": "urn:beacon:problem:not-ready",
        "title": "Not ready",
        "status": 503,
        "detail": failed.join("; "),
        "checks": summary,
    });
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "application/problem+json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        problem.to_string(),
    )
        .into_response()
}
