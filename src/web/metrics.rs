//! `GET /metrics` in the Prometheus text format, and the count of HTTP requests by route.
//!
//! Counters and histograms are recorded where things happen (`metrics::counter!` in the
//! scheduler, the workers, sign-up, feeds) into one process-wide recorder; gauges that describe
//! the database (queue depth, oldest due row, runs by state, pool use) are read when scraped,
//! with indexed queries, so they are true for whichever process is asked.

use super::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Seconds: a quick SMTP hand-over is milliseconds, a slow webhook several seconds.
const SEND_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Seconds between a fire's time and its run: a tick is seconds; a restart can be hours.
const LAG_BUCKETS: &[f64] = &[
    1.0,
    5.0,
    15.0,
    30.0,
    60.0,
    300.0,
    900.0,
    3600.0,
    6.0 * 3600.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder once (every app in the process shares it); `None` when
/// another recorder was installed first, and then `/metrics` shows only the database gauges.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("beacon_send_duration_seconds".into()),
                    SEND_BUCKETS,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("beacon_scheduler_lag_seconds".into()),
                        LAG_BUCKETS,
                    )
                });
            let recorder = match builder {
                Ok(b) => b.build_recorder(),
                Err(e) => {
                    tracing::error!(error = %e, "metrics: bad histogram buckets");
                    return None;
                }
            };
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "metrics: another recorder is installed");
                return None;
            }
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_gauge!(
        "beacon_outbox_depth",
        "Outbox rows waiting (pending) or claimed (sending), by channel and status"
    );
    describe_gauge!(
        "beacon_outbox_oldest_due_age_seconds",
        Unit::Seconds,
        "How long the oldest due, unsent outbox row has waited (0 when none is due)"
    );
    describe_counter!(
        "beacon_sends_total",
        "Delivery attempts by channel and outcome (sent, retried, failed, cancelled, deferred)"
    );
    describe_histogram!(
        "beacon_send_duration_seconds",
        Unit::Seconds,
        "Time to hand one message to its channel (SMTP server or webhook), by channel"
    );
    describe_histogram!(
        "beacon_scheduler_lag_seconds",
        Unit::Seconds,
        "Seconds between a fire's scheduled time and the run the scheduler made of it"
    );
    describe_counter!(
        "beacon_scheduler_fires_total",
        "Fires recorded by the scheduler, by result (created or skipped)"
    );
    describe_gauge!("beacon_runs", "Runs in the database by delivery state");
    describe_counter!("beacon_signups_total", "Sign-up forms accepted");
    describe_counter!(
        "beacon_confirmations_total",
        "Residents who confirmed a sign-up"
    );
    describe_counter!(
        "beacon_feed_requests_total",
        "Feed and CAP requests, by kind (atom, rss, cap-index, cap)"
    );
    describe_counter!(
        "beacon_feed_not_modified_total",
        "Feed and CAP requests answered 304 Not Modified, by kind"
    );
    describe_counter!(
        "beacon_http_requests_total",
        "HTTP requests by matched route (not the raw URL), method and status"
    );
    describe_gauge!(
        "beacon_db_pool_connections",
        "Database pool connections by state (idle, in_use) and the pool's maximum (max)"
    );
}

/// The `/metrics` route alone, for the main listener or a listener of its own.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

/// Serves only `/metrics` (and a 404 for anything else) on `metrics.listen`.
pub fn app(state: AppState) -> Router {
    router()
        .layer(axum::middleware::from_fn(count_requests))
        .with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let gauges = match state.store.gauges(Utc::now()).await {
        Ok(g) => g,
        Err(e) => {
            tracing::error!(error = %e, "metrics: cannot read the database gauges");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    for d in &gauges.outbox {
        metrics::gauge!("beacon_outbox_depth", "channel" => d.channel.clone(), "status" => d.status.clone())
            .set(d.rows as f64);
    }
    metrics::gauge!("beacon_outbox_oldest_due_age_seconds").set(gauges.oldest_due_secs as f64);
    for (run_state, n) in &gauges.runs {
        metrics::gauge!("beacon_runs", "state" => run_state.clone()).set(*n as f64);
    }
    let pool = &gauges.pool;
    metrics::gauge!("beacon_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("beacon_db_pool_connections", "state" => "in_use").set(f64::from(pool.in_use));
    metrics::gauge!("beacon_db_pool_connections", "state" => "max").set(f64::from(pool.max));
    let body = install().map(PrometheusHandle::render).unwrap_or_default();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Counts each request by the route it matched (`/feeds/{area}/{file}`, never the URL itself,
/// so the number of series stays bounded), method and status.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().as_str().to_string();
    let method = match method.as_str() {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
        _ => "other".into(),
    };
    let res = next.run(req).await;
    metrics::counter!(
        "beacon_http_requests_total",
        "route" => route,
        "method" => method,
        "status" => res.status().as_u16().to_string()
    )
    .increment(1);
    res
}
