//! Weekly digests. Fan-out puts a weekly resident's campaign rows on channel `digest`, where no
//! worker claims them; gathering turns each resident's waiting rows into one e-mail row (unique
//! per resident and digest period) and ties every item to it, in one transaction.

use super::{BeginWrite, Flag, Millis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// One message listed in a digest.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DigestItem {
    /// The run the message came from.
    pub run_id: i64,
    /// The run's title.
    pub title: String,
    /// The run's summary.
    pub summary: String,
    /// The run's topic.
    pub priority: String,
    /// The area the resident had it for.
    pub area_id: Option<i64>,
    /// When the run fired.
    #[sqlx(try_from = "Millis", rename = "fire_at")]
    pub sent_at: DateTime<Utc>,
    /// Folded here by the weekly limit (the resident asked for e-mail as it happens).
    #[sqlx(try_from = "Flag")]
    pub held_over: bool,
}

impl SqlStore {
    /// Queues one digest per confirmed resident with waiting items; `period` names the digest
    /// (its scheduled time) so gathering twice for the same period queues nothing new.
    pub async fn gather_digests(&self, period: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
        let now = ms(now);
        let suffix = format!(":{}", ms(period));
        let payload = serde_json::json!({ "period": period.to_rfc3339() }).to_string();
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let queued = sqlx::query(
                "insert into outbox (dedupe_key, subscriber_id, channel, kind, lane, payload, status, next_attempt_at, created_at, updated_at)
                 select 'digest:' || cast(o.subscriber_id as text) || $1, o.subscriber_id, 'email', 'digest', 1, $2, 'pending', $3, $3, $3
                 from outbox o join subscriber s on s.subscriber_id = o.subscriber_id
                 where o.channel = 'digest' and o.status = 'pending' and s.status = 'confirmed'
                 group by o.subscriber_id
                 on conflict do nothing",
            )
            .bind(&suffix)
            .bind(&payload)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "update outbox set status = 'sent', sent_at = $2, updated_at = $2,
                    digest_id = (select d.outbox_id from outbox d
                                 where d.dedupe_key = 'digest:' || cast(outbox.subscriber_id as text) || $1)
                 where channel = 'digest' and status = 'pending'
                   and exists (select 1 from outbox d
                               where d.dedupe_key = 'digest:' || cast(outbox.subscriber_id as text) || $1)",
            )
            .bind(&suffix)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(queued)
        })
    }

    /// The items one digest e-mail carries, oldest first.
    pub async fn digest_items(&self, digest_outbox_id: i64) -> Result<Vec<DigestItem>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as(
                "select r.run_id, r.title, r.summary, r.priority, o.area_id, r.fire_at,
                    cast(case when o.held = 'cap' then 1 else 0 end as bigint) as held_over
                 from outbox o join run r on r.run_id = o.run_id
                 where o.digest_id = $1 order by r.fire_at, r.run_id",
            )
            .bind(digest_outbox_id)
            .fetch_all(p)
            .await?)
        })
    }
}
