//! The HTTP face: one router per area of the site, merged here. The web enqueues; it never sends.

mod health;

use crate::calendar::Calendar;
use crate::config::Config;
use crate::store::Store;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub calendar: Arc<Calendar>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config, calendar: Calendar) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            calendar: Arc::new(calendar),
        }
    }
}

pub fn app(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    Router::new()
        .merge(health::router())
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}
