//! Forgetting people: erasure on request (UK GDPR Article 17), and sign-ups never confirmed.
//! Both go through `forget!`, so what is removed and what anonymous count stays is one decision.

use super::{BeginWrite, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// Stale unconfirmed sign-ups forgotten per call; the rest wait for the next tick.
const PURGE_BATCH: i64 = 500;

/// Forgets one subscriber inside the caller's transaction: counts them out of the audience if
/// they were in it, drops email, postcode and choices, kills every link, cancels what is queued,
/// and scrubs what mail servers said (refusals often quote the address). Sent rows stay, as
/// anonymous delivery counts.
macro_rules! forget {
    ($tx:expr, $id:expr, $now:expr) => {{
        sqlx::query(super::LEFT_EVENT).bind($now).bind($id).execute(&mut *$tx).await?;
        sqlx::query(
            "insert into event (kind, occurred_at, area_id, count, created_at)
             select 'erased', $1, min(area_id), 1, $1 from subscription where subscriber_id = $2
             having count(*) > 0",
        )
        .bind($now)
        .bind($id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "update subscriber set email = null, postcode = null, status = 'erased', erased_at = $1,
                token_version = token_version + 1, updated_at = $1
             where subscriber_id = $2",
        )
        .bind($now)
        .bind($id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("delete from subscription where subscriber_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        // Consent history and waiting sign-up requests are kept until erasure, not after.
        for table in ["consent_event", "signup_request"] {
            sqlx::query(&format!("delete from {table} where subscriber_id = $1"))
                .bind($id)
                .execute(&mut *$tx)
                .await?;
        }
        sqlx::query(
            "update outbox set payload = null,
                status = case when status in ('pending', 'sending') then 'cancelled' else status end,
                last_error = case when last_error is null and status not in ('pending', 'sending') then null else 'erased' end,
                updated_at = $1
             where subscriber_id = $2",
        )
        .bind($now)
        .bind($id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "update delivery_attempt set error = 'erased'
             where outbox_id in (select outbox_id from outbox where subscriber_id = $1)",
        )
        .bind($id)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl SqlStore {
    /// Removes the person's data, keeping only anonymous counts; every link they hold dies.
    pub async fn erase(
        &self,
        subscriber_id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let current: Option<i64> = sqlx::query_scalar(
                "select subscriber_id from subscriber where subscriber_id = $1 and token_version = $2 and status <> 'erased'",
            )
            .bind(subscriber_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            if current.is_none() {
                return Ok(false);
            }
            forget!(tx, subscriber_id, now);
            tx.commit().await?;
        });
        self.checkpoint().await;
        Ok(true)
    }

    /// Deletes the details of sign-ups never confirmed since `before`: nobody agreed to keep them.
    pub async fn purge_unconfirmed(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let stale: Vec<i64> = sqlx::query_scalar(
                "select subscriber_id from subscriber where status = 'pending' and updated_at < $1
                 order by subscriber_id limit $2",
            )
            .bind(ms(before))
            .bind(PURGE_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            for id in &stale {
                forget!(tx, *id, now);
            }
            // Requests never confirmed within a link's life go too (the resident's record stays).
            sqlx::query("delete from signup_request where created_at < $1")
                .bind(ms(before))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            if !stale.is_empty() {
                self.checkpoint().await;
            }
            Ok(stale.len() as u64)
        })
    }
}

impl SqlStore {
    /// On SQLite, copies the write-ahead log into the database and empties it, so the rows as
    /// they were before an erasure do not linger in the `-wal` file. A busy database may refuse
    /// for now; the next checkpoint (SQLite's own, or the next erasure) finishes the job.
    async fn checkpoint(&self) {
        if let super::Pool::Sqlite(p) = &self.pool
            && let Err(e) = sqlx::query("pragma wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await
        {
            tracing::warn!(error = %e, "cannot checkpoint the database after an erasure");
        }
    }
}
