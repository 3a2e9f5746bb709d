//! The console's "last 7 days": messages settled per channel (delivered or given up on), the
//! figures GOV.UK Notify heads its dashboard with; and each staff member's secret calendar
//! address (`calendar_feed`), kept as a SHA-256 only.

use super::{Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One channel's settled messages over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ChannelWeek {
    /// `email` or `webhook`.
    pub channel: String,
    /// Handed to the mail server or accepted by the partner.
    pub delivered: i64,
    /// Given up on: refused for good, bounced, or out of retries.
    pub failed: i64,
}

impl SqlStore {
    /// Per channel, the messages that settled (sent or failed) at or after `since`.
    pub async fn settled_by_channel(&self, since: DateTime<Utc>) -> Result<Vec<ChannelWeek>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_as::<_, ChannelWeek>(
            "select channel,
                    cast(sum(case when status = 'sent' then 1 else 0 end) as bigint) as delivered,
                    cast(sum(case when status = 'failed' then 1 else 0 end) as bigint) as failed
             from outbox
             where updated_at >= $1 and status in ('sent', 'failed') and channel <> 'digest'
             group by channel order by channel",
        )
        .bind(ms(since))
        .fetch_all(p)
        .await?),
        )
    }

    /// Gives a staff member a new secret calendar address (its hash), replacing any old one.
    pub async fn set_calendar_feed(
        &self,
        user_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query(
            "insert into calendar_feed (admin_user_id, token_hash, created_at) values ($1, $2, $3)
             on conflict (admin_user_id) do update set token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(ms(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Revokes a staff member's calendar address. Whether there was one.
    pub async fn revoke_calendar_feed(&self, user_id: i64) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query("delete from calendar_feed where admin_user_id = $1")
            .bind(user_id)
            .execute(p)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Whether a staff member has a calendar address now.
    pub async fn has_calendar_feed(&self, user_id: i64) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select count(*) from calendar_feed where admin_user_id = $1",
        )
        .bind(user_id)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }

    /// Whether a calendar address (by its hash) is live: it exists and its owner may still sign in.
    pub async fn calendar_feed_is_live(&self, token_hash: &str) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select count(*) from calendar_feed f join admin_user u on u.admin_user_id = f.admin_user_id
             where f.token_hash = $1 and u.disabled = 0",
        )
        .bind(token_hash)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }
}
