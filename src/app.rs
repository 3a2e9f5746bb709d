//! Building and running the application from its settings.

use crate::auth::token::Signer;
use crate::calendar::{Calendar, SharedCalendar};
use crate::channels::webhook::WebhookClient;
use crate::config::Config;
use crate::delivery::{Context, Limits, Worker};
use crate::scheduler::Scheduler;
use crate::store::SqlStore;
use anyhow::{Context as _, anyhow};
use base64::Engine;
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub mod crime_fetch;
mod listen;
mod loops;
mod outbound;
use loops::{
    flush_feed_readers, reload_on_sighup, scheduler_loop, watch_reload_requests, worker_loop,
};
pub use outbound::{MailSetupError, mailer, webhook_endpoints};

/// Set in the database by `beacon reload`; every running scheduler reloads when it changes.
const CALENDAR_VERSION: &str = crate::store::CALENDAR_VERSION_SETTING;

/// The calendar, or every problem in it as one error.
pub fn load_calendar(config: &Config) -> anyhow::Result<Calendar> {
    crate::calendar::load(&config.calendar.dir).map_err(|d| {
        anyhow!(
            "{d}\nthe calendar in {} is not valid; run `beacon check` after fixing it",
            config.calendar.dir.display()
        )
    })
}

pub async fn open_store(config: &Config) -> anyhow::Result<SqlStore> {
    crate::store::open(&config.database.url, config.database.max_connections)
        .await
        .with_context(|| {
            format!(
                "database {}",
                crate::config::redact_url(&config.database.url)
            )
        })
}

/// Copies the calendar's areas and campaigns into the database; new campaigns are known from `now`.
pub async fn sync_calendar(
    store: &SqlStore,
    cal: &Calendar,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let files = crate::calendar::editing::file_texts(cal);
    store
        .sync_calendar(&cal.areas, &cal.campaigns, &files, now)
        .await
        .context("cannot store the calendar")?;
    Ok(())
}

/// Everything a command needs, wired together once.
pub struct Services {
    pub store: Arc<SqlStore>,
    pub config: Config,
    pub calendar: SharedCalendar,
    pub signer: Signer,
    pub published: Arc<AtomicU64>,
    pub scheduler: Arc<Scheduler>,
    /// The link-signing key came from the database, not `secrets.token_key`.
    pub signing_key_stored: bool,
}

impl Services {
    /// Loads the calendar (refusing a broken one), opens and migrates the database, syncs.
    pub async fn build(config: Config) -> anyhow::Result<Services> {
        Self::build_at(config, Utc::now()).await
    }

    /// [`Services::build`] with the clock passed in: campaigns new to the database are known
    /// from `now`, and the scheduler looks no earlier for their fires.
    pub async fn build_at(config: Config, now: chrono::DateTime<Utc>) -> anyhow::Result<Services> {
        let cal = load_calendar(&config)?;
        let store = Arc::new(open_store(&config).await?);
        sync_calendar(&store, &cal, now).await?;
        let signing_key_stored = config.secrets.token_key.is_empty();
        let key = if signing_key_stored {
            let fresh =
                base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
            store
                .setting_or_insert("token_key", &fresh)
                .await
                .context("cannot store the signing key")?
        } else {
            config.secrets.token_key.expose().to_string()
        };
        let calendar = SharedCalendar::new(cal);
        let published = Arc::new(AtomicU64::new(0));
        let digest = digest_schedule(&config)?;
        let mut rules = config
            .delivery
            .sending_rules()
            .map_err(|m| anyhow::anyhow!("invalid configuration: {m}"))?;
        if digest.is_none() && rules.max_per_week > 0 {
            // Over the limit, e-mail waits for the round-up; with no round-up it would never go.
            tracing::warn!(
                "digest.schedule is empty: no round-up to carry e-mail over delivery.max_per_resident_per_week, so the weekly limit is off"
            );
            rules.max_per_week = 0;
        }
        let scheduler = Arc::new(Scheduler {
            store: store.clone(),
            calendar: calendar.clone(),
            published: published.clone(),
            webhooks: webhook_endpoints(&config.webhooks),
            fan_out_batch: 1000,
            digest,
            rules,
            queued: Arc::default(),
        });
        Ok(Services {
            store,
            config,
            calendar,
            signer: Signer::new(key.as_bytes()),
            published,
            scheduler,
            signing_key_stored,
        })
    }

    pub async fn worker(&self) -> anyhow::Result<Worker> {
        let mailer = mailer(&self.config.mail).context("mail settings")?;
        let ctx = Context::new(
            self.store.as_ref(),
            &self.config.server.base_url,
            webhook_endpoints(&self.config.webhooks),
            self.signer.clone(),
            self.calendar.get().areas.clone(),
        )
        .await?;
        let d = &self.config.delivery;
        let reliability = crate::delivery::Reliability {
            heartbeat: Duration::from_secs(d.heartbeat_secs.max(1)),
            dead_after: chrono::Duration::seconds(d.dead_after_secs.max(3) as i64),
            probe_every: chrono::Duration::seconds(d.probe_secs.max(1) as i64),
            breaker: crate::delivery::BreakerSettings {
                window: d.breaker_window.max(1) as usize,
                min_attempts: d.breaker_min_attempts.max(1) as usize,
                percent: d.breaker_percent.min(100),
            },
        };
        Ok(Worker {
            store: self.store.clone(),
            ctx: Arc::new(ctx),
            mailer: Arc::new(mailer),
            hooks: WebhookClient::new().context("cannot set up the HTTP client")?,
            limits: Arc::new(Limits::new(d.rate_per_second, d.rate_per_hour)),
            batch: i64::from(d.batch_size.max(1)),
            concurrency: self.config.mail.pool_size.max(1) as usize,
            lease: chrono::Duration::seconds(d.lease_secs.max(5) as i64),
            retry_for: chrono::Duration::hours(d.retry_for_hours as i64),
            reliability,
            state: Arc::new(crate::delivery::WorkerState::new(
                match d.max_unrecorded {
                    0 => self.config.mail.pool_size.max(1),
                    n => n,
                } as usize,
                reliability.breaker,
            )),
        })
    }

    pub fn web_state(&self) -> crate::web::AppState {
        crate::web::AppState::new(
            self.store.clone(),
            self.config.clone(),
            self.calendar.clone(),
            self.signer.clone(),
            self.published.clone(),
            self.scheduler.clone(),
            Some(outbound::mail_check(&self.config.mail)),
        )
    }

    /// Re-reads the calendar files; a broken calendar is refused and the old one kept.
    pub async fn reload(&self, now: chrono::DateTime<Utc>) -> anyhow::Result<()> {
        let cal = load_calendar(&self.config)?;
        sync_calendar(&self.store, &cal, now).await?;
        tracing::info!(campaigns = cal.campaigns.len(), "calendar reloaded");
        self.calendar.replace(cal);
        Ok(())
    }
}

pub fn digest_schedule(config: &Config) -> anyhow::Result<Option<crate::domain::Schedule>> {
    let s = config.digest.schedule.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|e| anyhow::anyhow!("digest.schedule `{s}` is not a valid schedule: {e}"))
}

/// What `serve` runs beside the web server.
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    pub scheduler: bool,
    pub workers: bool,
}

/// `beacon serve`: builds the services, listens on `server.listen` and serves until SIGINT or SIGTERM.
pub async fn run(config: Config, roles: Roles) -> anyhow::Result<()> {
    let services = Arc::new(Services::build(config).await?);
    if services.signing_key_stored {
        // Anyone who can read the database could forge residents' links with that key.
        tracing::warn!(
            "secrets.token_key is not set: residents' links are signed with a key kept in the database; set secrets.token_key (BEACON_SECRETS__TOKEN_KEY) in production"
        );
    }
    let server = &services.config.server;
    if let Some(warning) = listen::base_url_mismatch(&server.listen, &server.base_url) {
        tracing::warn!("{warning}");
    }
    let listener = TcpListener::bind(&server.listen)
        .await
        .map_err(|e| listen::bind_error(&server.listen, &e))?;
    let state = services.web_state();
    serve(services, state, roles, listener, shutdown_signal()).await
}

/// The application's one entry point (`beacon serve` and the tests' `spawn_app` both call it):
/// serves `state` on `listener` with the background tasks `roles` asks for (scheduler loop,
/// workers) and the calendar-reload watchers, until `shutdown` resolves; then stops the tasks
/// and closes the database.
pub async fn serve(
    services: Arc<Services>,
    state: crate::web::AppState,
    roles: Roles,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    if roles.scheduler {
        tasks.push(tokio::spawn(scheduler_loop(
            services.clone(),
            stop_rx.clone(),
        )));
    }
    if roles.scheduler && services.config.crime.fetch {
        tasks.push(tokio::spawn(crime_fetch::crime_loop(
            services.clone(),
            stop_rx.clone(),
        )));
    }
    if roles.workers {
        let worker = Arc::new(services.worker().await?);
        for _ in 0..services.config.delivery.workers.max(1) {
            tasks.push(tokio::spawn(worker_loop(
                worker.clone(),
                services.scheduler.queued.clone(),
                stop_rx.clone(),
            )));
        }
    }
    tasks.push(tokio::spawn(watch_reload_requests(
        services.clone(),
        stop_rx.clone(),
    )));
    tasks.push(tokio::spawn(flush_feed_readers(
        state.readers.clone(),
        services.store.clone(),
        stop_rx.clone(),
    )));
    #[cfg(unix)]
    tasks.push(tokio::spawn(reload_on_sighup(
        services.clone(),
        stop_rx.clone(),
    )));
    let metrics_addr = &services.config.metrics.listen;
    if !metrics_addr.is_empty() {
        let metrics_listener = TcpListener::bind(metrics_addr)
            .await
            .with_context(|| format!("cannot listen on metrics.listen {metrics_addr}"))?;
        tracing::info!(addr = %metrics_listener.local_addr()?, "metrics are served here, not on the main listener");
        let app = crate::web::metrics_app(state.clone());
        let mut stop = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let served = axum::serve(metrics_listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        }));
    }
    tracing::info!(
        addr = %listener.local_addr()?,
        campaigns = services.calendar.get().campaigns.len(),
        scheduler = roles.scheduler,
        workers = roles.workers,
        "beacon is listening"
    );
    crate::web::serve(listener, state, shutdown)
        .await
        .context("server failed")?;
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    services.store.close().await;
    tracing::info!("beacon stopped");
    Ok(())
}

/// Tells every running `beacon serve` on this database to reload the calendar.
pub async fn request_reload(services: &Services) -> anyhow::Result<()> {
    services.store.request_calendar_reload(Utc::now()).await?;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
