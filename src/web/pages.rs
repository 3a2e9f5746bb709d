//! Shared page plumbing: rendering askama pages, problem pages, the stylesheet.

use super::AppState;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(stylesheet))
        .route("/static/public.css", get(public_stylesheet))
        .route("/static/editor.js", get(editor_script))
}

async fn public_stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/public.css"),
    )
}

/// The campaign editor's live preview (the form works without it).
async fn editor_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/editor.js"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
}

/// Renders a page, with the site's organisation as the runtime value `org` the layout reads; a
/// template error is logged and shown as a plain 500 (which `error::friendly` dresses as a page).
/// A public page's HTML with the site's settings in reach of its layout (header, footer); every
/// page that extends `pages/layout.html` must be rendered through here, or it loses both.
pub fn html<T: askama::Template>(page: &T) -> Result<String, askama::Error> {
    let settings = super::site::settings();
    let org: &dyn std::any::Any = &settings.organisation;
    page.render_with_values(&("org", org))
}

pub fn render<T: askama::Template>(status: StatusCode, page: &T) -> Response {
    match html(page) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, something went wrong.",
            )
                .into_response()
        }
    }
}

#[derive(askama::Template)]
#[template(path = "pages/problem.html")]
pub struct Problem<'a> {
    pub heading: &'a str,
    pub message: &'a str,
}

/// The problem page; errors reach it through `web::Error`, never by hand.
pub(super) fn problem(status: StatusCode, heading: &str, message: &str) -> Response {
    render(status, &Problem { heading, message })
}

/// A short notice in the problem page's layout, for an outcome that is not an error.
pub fn notice(heading: &str, message: &str) -> Response {
    render(StatusCode::OK, &Problem { heading, message })
}
