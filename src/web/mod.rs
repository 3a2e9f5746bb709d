//! The HTTP face: one router per area of the site, merged here. The web enqueues; it never sends.

pub mod admin;
mod answers;
pub mod api;
mod archive;
mod confirm;
mod crime_figures;
mod error;
mod feed_cache;
mod feed_page;
pub mod feed_readers;
mod feeds;
mod form_view;
mod guard;
mod health;
mod manage;
mod messages;
mod metrics;
mod pages;
mod place;
mod problem;
mod server;
mod signup;
mod site;
mod statements;
mod summary;
mod unsubscribe;

use crate::auth::token::Signer;
use crate::calendar::SharedCalendar;
use crate::config::Config;
use crate::store::SqlStore;
use axum::Router;
use axum::http::{HeaderValue, header};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::{Error, Explain};
pub use feed_cache::FeedCache;
pub use health::MailCheck;
pub use statements::{Kept, retention};

/// What handlers return: the response, or the one error type of the web edge.
pub type Result<T = axum::response::Response, E = Error> = std::result::Result<T, E>;
pub use server::serve;

/// What every handler shares. Each layer and extractor that takes the state clones it for every
/// request, so it is one `Arc`: a clone is one atomic increment, not one per field plus a copy of
/// the signing key (7 % of the feed's 200 path before).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Arc<SqlStore>,
    pub config: Arc<Config>,
    pub calendar: SharedCalendar,
    pub signer: Signer,
    pub feeds: Arc<FeedCache>,
    /// Sign-up and resend posts per client address.
    pub signup_limit: Arc<guard::PerIpLimit>,
    /// Login attempts per client address.
    pub login_limit: Arc<guard::PerIpLimit>,
    /// Distinct feed readers, flushed to the database by `serve`.
    pub readers: Arc<feed_readers::FeedReaders>,
    /// Answers from the public message page, per connection and message.
    pub answer_limit: Arc<answers::PublicAnswerLimit>,
    /// For the console's "send now"; the web only ever queues.
    pub scheduler: Arc<crate::scheduler::Scheduler>,
    /// `/readyz` asks it whether mail can go; `None` skips that check.
    pub mail_check: Option<MailCheck>,
}

impl AppState {
    pub fn new(
        store: Arc<SqlStore>,
        config: Config,
        calendar: SharedCalendar,
        signer: Signer,
        published: Arc<AtomicU64>,
        scheduler: Arc<crate::scheduler::Scheduler>,
        mail_check: Option<MailCheck>,
    ) -> Self {
        let signup_limit = Arc::new(guard::PerIpLimit::new(config.signup.per_ip_per_hour));
        let login_limit = Arc::new(guard::PerIpLimit::new(60));
        metrics::install();
        AppState(Arc::new(Shared {
            mail_check,
            store,
            signup_limit,
            login_limit,
            answer_limit: Arc::default(),
            readers: Arc::new(feed_readers::FeedReaders::new(&config.feeds)),
            scheduler,
            config: Arc::new(config),
            calendar,
            signer,
            feeds: Arc::new(FeedCache::new(published)),
        }))
    }

    /// The client's address, honouring `X-Forwarded-For` only when configured to.
    pub fn client_ip(
        &self,
        headers: &axum::http::HeaderMap,
        peer: &guard::Peer,
    ) -> Option<std::net::IpAddr> {
        guard::client_ip(headers, peer, self.config.signup.trust_forwarded_for)
    }

    pub fn base_url(&self) -> &str {
        self.config.server.base_url.trim_end_matches('/')
    }
}

/// Content Security Policy: no inline script, nothing from elsewhere, never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `/metrics` alone, for the listener at `metrics.listen`.
pub fn metrics_app(state: AppState) -> Router {
    metrics::app(state)
}

/// The service to hand to `axum::serve`: the app, knowing each client's address (for rate limits).
pub fn make_service(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, std::net::SocketAddr> {
    app(state).into_make_service_with_connect_info::<std::net::SocketAddr>()
}

/// The largest body any route but the console's import takes.
const BODY_LIMIT: usize = 64 * 1024;

pub fn app(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    // Only over https: a browser told to insist on https for a plain-http site locks itself out.
    let hsts = state
        .base_url()
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    Router::new()
        .merge(health::router())
        .merge(pages::router())
        .merge(feeds::router())
        .merge(archive::router())
        .merge(unsubscribe::router())
        .merge(signup::router())
        .merge(confirm::router())
        .merge(manage::router())
        .merge(answers::router())
        .merge(site::router())
        .merge(statements::router())
        .merge(messages::router())
        .merge(admin::router(state.clone()))
        .merge(api::router(state.clone()))
        .fallback(|| async { Error::NotFound })
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        // Merged after the 64 KB limit, with its own larger one.
        .merge(admin::upload_router(state.clone()))
        .merge(api::upload_router(state.clone()))
        .merge(if state.config.metrics.listen.is_empty() {
            metrics::router()
        } else {
            Router::new()
        })
        .layer(axum::middleware::from_fn(metrics::count_requests))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::same_origin,
        ))
        .layer(axum::middleware::from_fn(error::friendly))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            site::scope,
        ))
        .layer(TraceLayer::new_for_http())
        // Feeds and pages in gzip or brotli when asked; the body streams through the encoder.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        // Outside the timeout, so its 408 under /api/ is a problem too.
        .layer(axum::middleware::from_fn(problem::api_problems))
        // Outermost, so refusals made by the layers above (413, 408) carry them too.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Links carry signed tokens, so nothing leaves for other sites; `no-referrer` would also
        // make browsers send `Origin: null` on our own forms and defeat the same-origin check.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}
