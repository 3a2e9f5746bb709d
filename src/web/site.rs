//! Who runs the site, known to every page: the `[organisation]` settings travel with each request
//! (a task-local set by [`scope`]) so the shared layout can name the partners and link the
//! statements without every page's struct carrying them. Pages rendered outside a request (unit
//! tests) get the defaults.

use super::AppState;
use crate::config::Config;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::{Arc, LazyLock};

tokio::task_local! {
    static SETTINGS: Arc<Config>;
}

static DEFAULT: LazyLock<Arc<Config>> = LazyLock::new(Default::default);

/// The settings of the request being served; read `.organisation` for who runs the site.
pub fn settings() -> Arc<Config> {
    SETTINGS
        .try_with(Arc::clone)
        .unwrap_or_else(|_| DEFAULT.clone())
}

/// Runs the rest of the request with its site's settings in reach of the templates.
pub async fn scope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    SETTINGS.scope(state.config.clone(), next.run(req)).await
}

pub fn router() -> Router<AppState> {
    Router::new().route("/organisation/logo", get(logo))
}

/// The configured logo, served from here because the Content Security Policy allows images from
/// this site only.
async fn logo(State(state): State<AppState>) -> super::Result {
    let org = &state.config.organisation;
    let (Some(path), Some(kind)) = (&org.logo_path, org.logo_type()) else {
        return Err(super::Error::NotFound);
    };
    let file = path.clone();
    let read = tokio::task::spawn_blocking(move || std::fs::read(file))
        .await
        .map_err(super::Error::internal)?;
    let bytes = read.map_err(|e| {
        tracing::warn!(path = %path.display(), error = %e, "organisation.logo_path unreadable");
        super::Error::NotFound
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}
