//! Channels as operators see them: paused by the circuit breaker or not, and what waits on each;
//! and lifting a suppression the mail server caused.

use super::{MaybeMillis, Millis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

/// A channel the breaker paused.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PausedChannel {
    /// `email` or `webhook`.
    pub channel: String,
    /// When the breaker first paused it.
    #[sqlx(try_from = "Millis")]
    pub paused_at: DateTime<Utc>,
    /// Why, in the breaker's words.
    pub reason: String,
}

/// What waits on one channel, for `beacon outbox` and the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ChannelReport {
    /// `email` or `webhook`.
    pub channel: String,
    /// Due or waiting, never tried.
    pub pending: i64,
    /// Tried, failed for a reason that may pass, waiting for the next attempt.
    pub retrying: i64,
    /// Claimed by a worker right now.
    pub sending: i64,
    /// Rows given up on since midnight (London).
    pub failed_today: i64,
    /// The latest error of a row waiting to be retried.
    #[sqlx(skip)]
    pub last_error: Option<String>,
    /// When the next retry is due.
    #[sqlx(try_from = "MaybeMillis", rename = "next_at")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Set when the breaker paused the channel: why.
    #[sqlx(skip)]
    pub paused: Option<PausedChannel>,
}

/// A lifted suppression: who, and the reply that had caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsuppressed {
    /// The resident's id.
    pub subscriber_id: i64,
    /// The server reply that had suppressed them.
    pub reason: Option<String>,
}

impl SqlStore {
    /// Pauses `channel` (keeps the first pause time); the next probe is due at `probe_at`.
    pub async fn pause_channel(
        &self,
        channel: &str,
        reason: &str,
        now: DateTime<Utc>,
        probe_at: DateTime<Utc>,
    ) -> Result<()> {
        let reason: String = reason.chars().take(500).collect();
        with_pool!(&self.pool, p => {
            sqlx::query(
                "insert into channel_state (channel, paused_at, reason, probe_at, updated_at, created_at)
                 values ($1, $2, $3, $4, $2, $2)
                 on conflict (channel) do update set
                    paused_at = coalesce(channel_state.paused_at, excluded.paused_at),
                    reason = excluded.reason, probe_at = excluded.probe_at, updated_at = excluded.updated_at",
            )
            .bind(channel)
            .bind(ms(now))
            .bind(&reason)
            .bind(ms(probe_at))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Resumes `channel`; false when it was not paused.
    pub async fn resume_channel(&self, channel: &str, now: DateTime<Utc>) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update channel_state set paused_at = null, probe_at = null, updated_at = $1
             where channel = $2 and paused_at is not null",
        )
        .bind(ms(now))
        .bind(channel)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// The channels the breaker has paused.
    pub async fn paused_channels(&self) -> Result<Vec<PausedChannel>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as(
                "select channel, paused_at, coalesce(reason, '') as reason from channel_state
                 where paused_at is not null order by channel",
            )
            .fetch_all(p)
            .await?)
        })
    }

    /// Takes the right to send one probe on a paused channel (one process wins); the next
    /// probe is then due at `next`.
    pub async fn take_probe(
        &self,
        channel: &str,
        now: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update channel_state set probe_at = $1
             where channel = $2 and paused_at is not null and (probe_at is null or probe_at <= $3)",
        )
        .bind(ms(next))
        .bind(channel)
        .bind(ms(now))
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Per channel: pending, retrying (last error, next attempt), sending, failed since
    /// `day_start`, paused.
    pub async fn channel_report(&self, day_start: DateTime<Utc>) -> Result<Vec<ChannelReport>> {
        let paused = self.paused_channels().await?;
        let mut out: Vec<ChannelReport> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "select channel,
                    cast(sum(case when status = 'pending' and attempts = 0 then 1 else 0 end) as bigint) as pending,
                    cast(sum(case when status = 'pending' and attempts > 0 then 1 else 0 end) as bigint) as retrying,
                    cast(sum(case when status = 'sending' then 1 else 0 end) as bigint) as sending,
                    cast(sum(case when status = 'failed' then 1 else 0 end) as bigint) as failed_today,
                    min(case when status = 'pending' and attempts > 0 then next_attempt_at end) as next_at
                 from outbox
                 where channel <> 'digest'
                   and (status in ('pending', 'sending') or (status = 'failed' and updated_at >= $1))
                 group by channel order by channel",
            )
            .bind(ms(day_start))
            .fetch_all(p)
            .await?
        });
        for c in &mut out {
            c.last_error = with_pool!(&self.pool, p => sqlx::query_scalar(
                "select last_error from outbox where channel = $1 and status = 'pending' and attempts > 0
                 and last_error is not null order by updated_at desc limit 1",
            )
            .bind(&c.channel)
            .fetch_optional(p)
            .await?);
        }
        for pc in paused {
            match out.iter_mut().find(|c| c.channel == pc.channel) {
                Some(c) => c.paused = Some(pc),
                None => out.push(ChannelReport {
                    channel: pc.channel.clone(),
                    pending: 0,
                    retrying: 0,
                    sending: 0,
                    failed_today: 0,
                    last_error: None,
                    next_attempt_at: None,
                    paused: Some(pc),
                }),
            }
        }
        Ok(out)
    }

    /// Makes a bounced address confirmed again; `None` when it was not suppressed.
    pub async fn unsuppress(
        &self,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Unsuppressed>> {
        let row: Option<(i64, Option<String>)> = with_pool!(&self.pool, p => {
            sqlx::query(
                "update subscriber set status = 'confirmed', bounced_at = null, updated_at = $1
                 where email = $2 and status = 'bounced'
                 returning subscriber_id, suppressed_reason",
            )
            .bind(ms(now))
            .bind(email)
            .fetch_optional(p)
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get("subscriber_id")?, r.try_get("suppressed_reason")?)))
            .transpose()?
        });
        Ok(row.map(|(subscriber_id, reason)| Unsuppressed {
            subscriber_id,
            reason,
        }))
    }
}

/// The start of `now`'s day in Europe/London: "failed today" means what the team means by today.
pub(super) fn london_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone;
    let day = now.with_timezone(&crate::domain::LONDON).date_naive();
    day.and_hms_opt(0, 0, 0)
        .and_then(|d| crate::domain::LONDON.from_local_datetime(&d).earliest())
        .map_or(now - chrono::Duration::hours(24), |d| d.with_timezone(&Utc))
}
