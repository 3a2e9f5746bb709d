//! Opening a database by URL, tuning it, and applying migrations.

use super::{Pool, SqlStore, StoreError};
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Opens `url` (`sqlite://FILE`, created if missing, or `postgres://…`) and applies migrations.
pub async fn open(url: &str, max_connections: u32) -> Result<SqlStore, StoreError> {
    let store = connect(url, max_connections).await?;
    store.migrate().await?;
    Ok(store)
}

/// Opens without migrating.
pub async fn connect(url: &str, max_connections: u32) -> Result<SqlStore, StoreError> {
    let timeout = Duration::from_secs(10);
    let pool = if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .create_if_missing(true)
            // WAL lets readers (feeds, reports) run beside the writer; NORMAL is durable in WAL
            // mode except for the last transactions on power loss, not on a process crash.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Deleted and overwritten rows (an erased resident's address) are zeroed on disk,
            // not left in free pages for anyone with the file to read.
            .pragma("secure_delete", "on")
            .log_statements(tracing::log::LevelFilter::Trace);
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(timeout)
            .connect_with(opts)
            .await
            .map_err(StoreError::Connect)?;
        Pool::Sqlite(pool)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let opts = PgConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .log_statements(tracing::log::LevelFilter::Trace);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(timeout)
            .connect_with(opts)
            .await
            .map_err(StoreError::Connect)?;
        Pool::Postgres(pool)
    } else {
        return Err(StoreError::UnsupportedUrl(crate::config::redact_url(url)));
    };
    Ok(SqlStore { pool })
}

impl SqlStore {
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        super::with_pool!(&self.pool, p => p.close().await);
    }
}

#[async_trait::async_trait]
impl super::Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        super::with_pool!(&self.pool, p => {
            sqlx::query("select 1").execute(p).await?;
        });
        Ok(())
    }

    fn engine(&self) -> super::Engine {
        self.pool.engine()
    }
}
