//! A resident's links: whether one still works, and retiring them all for a fresh one.

use super::{BeginWrite, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

impl SqlStore {
    /// Whether links of this version still work: the resident was not erased and has not
    /// asked for new links since.
    pub async fn link_is_live(&self, subscriber_id: i64, version: i64) -> Result<bool> {
        let found: Option<i64> = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select subscriber_id from subscriber
             where subscriber_id = $1 and token_version = $2 and status <> 'erased' and email is not null",
        )
        .bind(subscriber_id)
        .bind(version)
        .fetch_optional(p)
        .await?);
        Ok(found.is_some())
    }

    /// Kills every link the resident holds and queues a mail with a new manage link;
    /// `false` when the link used was already dead.
    pub async fn renew_links(
        &self,
        subscriber_id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "update subscriber set token_version = token_version + 1, updated_at = $1
                 where subscriber_id = $2 and token_version = $3 and status <> 'erased' and email is not null",
            )
            .bind(now)
            .bind(subscriber_id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            // The mail is built at send time with the version then current: the new link.
            sqlx::query(
                "insert into outbox (dedupe_key, subscriber_id, channel, kind, lane, payload, status, next_attempt_at, created_at, updated_at)
                 values ($1, $2, 'email', 'links', 0, '{}', 'pending', $3, $3, $3)",
            )
            .bind(format!("links:{subscriber_id}:{}", version + 1))
            .bind(subscriber_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}
