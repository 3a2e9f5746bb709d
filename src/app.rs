//! Building and running the application from its settings.

use crate::calendar::Calendar;
use crate::config::Config;
use crate::store::{CalendarStore, SqlStore};
use anyhow::{Context, anyhow};
use std::sync::Arc;
use tokio::net::TcpListener;

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

/// Copies the calendar's areas and campaigns into the database.
pub async fn sync_calendar(store: &SqlStore, cal: &Calendar) -> anyhow::Result<()> {
    store
        .sync_areas(&cal.areas)
        .await
        .context("cannot store the areas")?;
    store
        .sync_campaigns(&cal.campaigns)
        .await
        .context("cannot store the campaigns")?;
    Ok(())
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let cal = load_calendar(&config)?;
    let store = open_store(&config).await?;
    sync_calendar(&store, &cal).await?;
    let listener = TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    tracing::info!(
        addr = %listener.local_addr()?,
        campaigns = cal.campaigns.len(),
        areas = cal.areas.len(),
        "beacon is listening"
    );
    let state = crate::web::AppState::new(Arc::new(store.clone()), config.clone(), cal);
    axum::serve(listener, crate::web::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    tracing::info!("beacon stopped");
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
