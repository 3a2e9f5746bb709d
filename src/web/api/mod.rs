//! The partner API (`/api/v1`): Bearer tokens with the console's roles (the rule table in
//! `admin`), JSON in and out, RFC 9457 problems for errors (`error::api_problems`), cursor pages
//! for lists, and its OpenAPI 3.1 document generated from these handlers' types.

mod areas;
mod campaigns;
mod doc;
mod page;
mod reports;
mod runs;
mod send;
mod subscribers;

use super::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use doc::openapi;

/// Every API route but the CSV import, each behind the access guard (the rule table).
pub fn router(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/api/v1/areas", get(areas::list))
        .route("/api/v1/campaigns", get(campaigns::list))
        .route("/api/v1/campaigns/{slug}", get(campaigns::show))
        .route("/api/v1/campaigns/{slug}/pause", post(campaigns::pause))
        .route("/api/v1/campaigns/{slug}/resume", post(campaigns::resume))
        .route("/api/v1/campaigns/{slug}/send", post(send::send))
        .route("/api/v1/campaigns/{slug}/runs", get(runs::of_campaign))
        .route("/api/v1/runs/{id}", get(runs::show))
        .route("/api/v1/subscribers/counts", get(subscribers::counts))
        .route("/api/v1/report", get(reports::report))
        .route("/api/v1/outbox", get(reports::outbox))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            super::admin::guard,
        ));
    // The document is public: partners read it before they have a token.
    Router::new()
        .route("/api/v1/openapi.json", get(doc::serve))
        .merge(guarded)
}

/// The CSV import, with the console import's larger body limit (merged outside the site-wide one).
pub fn upload_router(state: AppState) -> Router<AppState> {
    let limit = super::admin::UPLOAD_LIMIT;
    Router::new()
        .route("/api/v1/subscribers/import", post(subscribers::import))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            super::admin::guard,
        ))
}
