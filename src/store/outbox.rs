//! The outbox as workers see it: claim with a lease, then record each outcome.

use super::{BeginWrite, Millis, Result, SqlStore, ms, push_in, with_pool};
use crate::domain::{OutboxChannel, OutboxKind, OutboxStatus, SubscriberStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder, Row};
use std::collections::HashMap;

/// A claimed row: everything a worker needs to find what to send.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Claimed {
    /// The row's id.
    pub outbox_id: i64,
    /// The run it belongs to (none for transactional mail).
    pub run_id: Option<i64>,
    /// Its resident (none for a webhook post).
    pub subscriber_id: Option<i64>,
    /// The lane it waits in.
    #[sqlx(try_from = "String")]
    pub channel: OutboxChannel,
    /// What it carries.
    #[sqlx(try_from = "String")]
    pub kind: OutboxKind,
    /// The area the resident gets it for (their first of the run's areas).
    pub area_id: Option<i64>,
    /// The webhook endpoint's name, for a webhook post.
    pub target: Option<String>,
    /// JSON the message needs (transactional mail).
    pub payload: Option<String>,
    /// Including this one.
    pub attempts: i64,
    /// When it was queued.
    #[sqlx(try_from = "Millis")]
    pub created_at: DateTime<Utc>,
}

/// Who a message goes to, as they are now.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Recipient {
    /// The resident's id.
    pub subscriber_id: i64,
    /// Their address; none once erased.
    pub email: Option<String>,
    /// Where they stand now.
    #[sqlx(try_from = "String")]
    pub status: SubscriberStatus,
    /// Bumped to invalidate their older links.
    pub token_version: i64,
}

/// Why an attempt failed, and so what becomes of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Try again at this time.
    Retry(DateTime<Utc>),
    /// Give up on this row.
    Permanent,
    /// Give up, and suppress the address for every later run (a hard bounce).
    Bounce,
}

/// Rows per status and channel.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct QueueDepth {
    /// The outbox status.
    pub status: String,
    /// The outbox channel.
    pub channel: String,
    /// How many rows.
    pub count: i64,
}

/// The queue as `beacon outbox` and the dashboard show it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct OutboxStats {
    /// Rows per status and channel.
    pub depth: Vec<QueueDepth>,
    /// Seconds the oldest due pending row has waited.
    pub oldest_pending_secs: Option<i64>,
    /// Per channel: pending, retrying (last error, next attempt), failed today, paused by the
    /// circuit breaker (`paused` is the gauge a monitor reads).
    pub channels: Vec<super::ChannelReport>,
}

/// A new row for the priority lane: a message that is not a campaign run (confirmation mail,
/// a test send). `dedupe_key` makes enqueueing idempotent.
#[derive(Debug, Clone)]
pub struct Transactional {
    /// Enqueueing twice with the same key queues once.
    pub dedupe_key: String,
    /// The resident it goes to, if any.
    pub subscriber_id: Option<i64>,
    /// What it carries.
    pub kind: OutboxKind,
    /// What the message needs at send time.
    pub payload: serde_json::Value,
}

pub(super) const CLAIMED: &str = "outbox_id, run_id, subscriber_id, channel, kind, area_id, target, payload, attempts, created_at";

impl SqlStore {
    /// Returns rows whose lease ran out (their worker died) to the queue.
    pub async fn release_expired(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(&self.pool, p => sqlx::query(
            "update outbox set status = 'pending', lease_until = null, updated_at = $1
             where status = 'sending' and lease_until < $1",
        )
        .bind(ms(now))
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Claims up to `limit` due rows on `channels`, transactional lane first, leased until `lease_until`.
    pub async fn claim(
        &self,
        channels: &[&str],
        limit: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Claimed>> {
        self.claim_rows(None, channels, limit, now, lease_until)
            .await
    }

    /// The residents `ids` as they are now, by id.
    pub async fn recipients(&self, ids: &[i64]) -> Result<HashMap<i64, Recipient>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new(
                "select subscriber_id, email, status, token_version from subscriber where subscriber_id in ",
            );
            push_in!(q, ids);
            let q = q.build();
            let mut out = HashMap::with_capacity(ids.len());
            for r in q.fetch_all(p).await? {
                let rec = Recipient::from_row(&r)?;
                out.insert(rec.subscriber_id, rec);
            }
            Ok(out)
        })
    }

    /// Every area's slug by id.
    pub async fn area_slugs(&self) -> Result<HashMap<i64, String>> {
        with_pool!(&self.pool, p => {
            let rows = sqlx::query("select area_id, slug from area").fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get("area_id")?, r.try_get("slug")?))).collect()
        })
    }

    /// Marks rows sent and counts them as delivered, per run and area, in one transaction.
    pub async fn mark_sent(&self, rows: &[&Claimed], now: DateTime<Utc>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = ms(now);
        let mut counts: HashMap<(Option<i64>, Option<i64>, &str), i64> = HashMap::new();
        for r in rows.iter().filter(|r| r.run_id.is_some()) {
            *counts
                .entry((r.run_id, r.area_id, r.channel.as_str()))
                .or_default() += 1;
        }
        let postgres = matches!(self.pool, super::Pool::Postgres(_));
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            if postgres {
                // The outcome need not wait for the server's disk: a Beacon crash loses nothing
                // committed, and a server crash or power loss can only return the last moment's
                // rows to the queue (sent again, never lost), as synchronous=NORMAL does on SQLite.
                // A commit per few messages otherwise spends most of its time in fsync.
                sqlx::query("set local synchronous_commit = off").execute(&mut *tx).await?;
            }
            let mut q = QueryBuilder::new("update outbox set status = 'sent', sent_at = ");
            q.push_bind(now).push(", updated_at = ").push_bind(now);
            q.push(", lease_until = null where outbox_id in ");
            push_in!(q, rows.iter().map(|r| r.outbox_id));
            q.build().execute(&mut *tx).await?;
            // One statement for every (run, area, channel) in the group: a group of messages to
            // 30 areas is one round trip, not 30.
            if !counts.is_empty() {
                let mut q = QueryBuilder::new(
                    "insert into event (kind, occurred_at, area_id, campaign_id, run_id, priority, channel, count, created_at)
                     select 'delivered', ",
                );
                q.push_bind(now).push(", v.column2, r.campaign_id, r.run_id, r.priority, v.column3, v.column4, ").push_bind(now);
                q.push(" from (");
                q.push_values(counts, |mut b, ((run_id, area_id, channel), n)| {
                    b.push_bind(run_id).push_bind(area_id).push_bind(channel).push_bind(n);
                });
                q.push(") v join run r on r.run_id = v.column1");
                q.build().execute(&mut *tx).await?;
            }
            // A weekly digest delivers every message it lists: count them against their runs.
            let digests: Vec<i64> = rows.iter().filter(|r| r.kind == OutboxKind::Digest).map(|r| r.outbox_id).collect();
            if !digests.is_empty() {
                let mut q = QueryBuilder::new(
                    "insert into event (kind, occurred_at, area_id, campaign_id, run_id, priority, channel, count, created_at)
                     select 'delivered', ",
                );
                q.push_bind(now);
                q.push(", o.area_id, r.campaign_id, r.run_id, r.priority, 'email', count(*), ").push_bind(now);
                q.push(" from outbox o join run r on r.run_id = o.run_id where o.digest_id in ");
                push_in!(q, &digests);
                q.push(" group by o.area_id, r.campaign_id, r.run_id, r.priority");
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Rows that must not be sent after all (the resident left since fan-out).
    pub async fn mark_cancelled(
        &self,
        ids: &[i64],
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new("update outbox set status = 'cancelled', last_error = ");
            q.push_bind(reason).push(", updated_at = ").push_bind(ms(now));
            q.push(", lease_until = null where outbox_id in ");
            push_in!(q, ids);
            q.build().execute(p).await?;
        });
        Ok(())
    }

    /// Puts claimed rows back, untried, until `until` (a rate limit's window is full).
    pub async fn defer(&self, ids: &[i64], until: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new(
                "update outbox set status = 'pending', lease_until = null, attempts = attempts - 1, next_attempt_at = ",
            );
            q.push_bind(ms(until)).push(", updated_at = ").push_bind(ms(now));
            q.push(" where status = 'sending' and outbox_id in ");
            push_in!(q, ids);
            q.build().execute(p).await?;
        });
        Ok(())
    }

    /// Records a failed attempt: retry, give up, or give up and suppress the address.
    pub async fn mark_failed(
        &self,
        row: &Claimed,
        failure: Failure,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now_ms = ms(now);
        let (status, next, outcome) = match failure {
            Failure::Retry(at) => (OutboxStatus::Pending, ms(at), "transient"),
            Failure::Permanent | Failure::Bounce => (OutboxStatus::Failed, now_ms, "permanent"),
        };
        let error: String = error.chars().take(1000).collect();
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "update outbox set status = $1, next_attempt_at = $2, last_error = $3, lease_until = null, updated_at = $4
                 where outbox_id = $5 and status <> 'sent'",
            )
            .bind(status.as_str())
            .bind(next)
            .bind(&error)
            .bind(now_ms)
            .bind(row.outbox_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("insert into delivery_attempt (outbox_id, attempt, outcome, error, created_at) values ($1, $2, $3, $4, $5)")
                .bind(row.outbox_id)
                .bind(row.attempts)
                .bind(outcome)
                .bind(&error)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
            if status == OutboxStatus::Failed {
                let kind = if failure == Failure::Bounce { "bounced" } else { "failed" };
                sqlx::query(
                    "insert into event (kind, occurred_at, area_id, campaign_id, run_id, priority, channel, count, created_at)
                     select $1, $2, $3, r.campaign_id, r.run_id, r.priority, $4, 1, $2 from run r where r.run_id = $5",
                )
                .bind(kind)
                .bind(now_ms)
                .bind(row.area_id)
                .bind(row.channel.as_str())
                .bind(row.run_id)
                .execute(&mut *tx)
                .await?;
            }
            if let (Failure::Bounce, Some(sid)) = (failure, row.subscriber_id) {
                sqlx::query(super::LEFT_EVENT).bind(now_ms).bind(sid).execute(&mut *tx).await?;
                sqlx::query("update subscriber set status = 'bounced', bounced_at = $1, updated_at = $1, suppressed_reason = $3 where subscriber_id = $2 and status <> 'erased'")
                    .bind(now_ms)
                    .bind(sid)
                    .bind(&error)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Queues transactional mail; false when its `dedupe_key` was queued before.
    pub async fn enqueue(&self, msg: &Transactional, now: DateTime<Utc>) -> Result<bool> {
        let now = ms(now);
        let n = with_pool!(&self.pool, p => sqlx::query(
            "insert into outbox (dedupe_key, subscriber_id, channel, kind, lane, payload, status, next_attempt_at, created_at, updated_at)
             values ($1, $2, 'email', $3, 0, $4, 'pending', $5, $5, $5) on conflict do nothing",
        )
        .bind(&msg.dedupe_key)
        .bind(msg.subscriber_id)
        .bind(msg.kind.as_str())
        .bind(msg.payload.to_string())
        .bind(now)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// The queue's depth, age and per-channel state.
    pub async fn stats(&self, now: DateTime<Utc>) -> Result<OutboxStats> {
        with_pool!(&self.pool, p => {
            let depth = sqlx::query("select status, channel, count(*) as n from outbox group by status, channel order by status, channel")
                .fetch_all(p)
                .await?
                .iter()
                .map(|r| Ok(QueueDepth { status: r.try_get("status")?, channel: r.try_get("channel")?, count: r.try_get("n")? }))
                .collect::<sqlx::Result<Vec<_>>>()?;
            let oldest: Option<i64> = sqlx::query_scalar("select min(created_at) from outbox where status in ('pending', 'sending') and channel <> 'digest'")
                .fetch_one(p)
                .await?;
            let channels = self.channel_report(super::channel_state::london_midnight(now)).await?;
            Ok(OutboxStats { depth, oldest_pending_secs: oldest.map(|t| (ms(now) - t).max(0) / 1000), channels })
        })
    }
}
