//! Opening a database by URL, tuning it, and applying migrations.

use super::{Pool, SqlStore, StoreError};
use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
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
        Pool::Sqlite(pooled(opts, max_connections).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let opts = PgConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .log_statements(tracing::log::LevelFilter::Trace);
        Pool::Postgres(pooled(opts, max_connections).await?)
    } else {
        // Only the scheme: the rest may hold a password (the caller names the URL, redacted).
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        return Err(StoreError::UnsupportedUrl(format!("{scheme}:…")));
    };
    Ok(SqlStore { pool })
}

/// A pool of at least one connection on either engine; a connection left inside a failed
/// transaction is closed rather than reused.
async fn pooled<DB: sqlx::Database>(
    opts: <DB::Connection as sqlx::Connection>::Options,
    max_connections: u32,
) -> Result<sqlx::Pool<DB>, StoreError> {
    sqlx::pool::PoolOptions::<DB>::new()
        .max_connections(max_connections.max(1))
        .after_release(|conn, _| Box::pin(async move { Ok(leaves_clean(conn)) }))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(StoreError::Connect)
}

/// Whether a connection may go back to the pool. A COMMIT that failed (disk full, connection
/// cut) can leave the driver counting an open transaction the database already rolled back;
/// every later `BEGIN` on it would fail ("begin_with at non-zero transaction depth"), so such a
/// connection is closed instead.
fn leaves_clean<C: sqlx::Connection>(conn: &mut C) -> bool {
    let clean = !conn.is_in_transaction();
    if !clean {
        tracing::warn!("closing a database connection left inside a failed transaction");
    }
    clean
}

impl SqlStore {
    /// Applies the engine's migrations not yet applied.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        super::with_pool!(&self.pool, p => {
            sqlx::query("select 1").execute(p).await?;
        });
        Ok(())
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        super::with_pool!(&self.pool, p => p.close().await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// The state a COMMIT that failed on a full disk can leave behind: the driver still counts a
    /// transaction on the connection. Such a connection must not be handed out again.
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_closed_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = connect(&url, 1).await.unwrap();
        let Pool::Sqlite(pool) = store.pool() else {
            unreachable!()
        };
        {
            let mut conn = pool.acquire().await.unwrap();
            let tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
            std::mem::forget(tx);
            assert!(conn.is_in_transaction());
        }
        let tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .expect("the next write transaction gets a clean connection");
        tx.commit().await.unwrap();
    }
}
