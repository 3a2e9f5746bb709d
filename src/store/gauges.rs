//! What the metrics endpoint reads from the database when scraped: the queue by channel and
//! status, the oldest due row, runs by delivery state, and the pool. Each query is answered
//! from an index (`outbox_claim`, `outbox_digest_items`, `run_state`).

use super::{Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// Outbox rows of one channel in one open status.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxDepth {
    /// `email`, `webhook` or `digest`.
    pub channel: String,
    /// `pending` or `sending`.
    pub status: String,
    /// How many.
    #[sqlx(rename = "n")]
    pub rows: i64,
}

/// Connections of the database pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Open and free.
    pub idle: u32,
    /// Open and lent out.
    pub in_use: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Everything `/metrics` reads from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gauges {
    /// Every channel × open status, zero included, so a drained queue reads 0 (not its last value).
    pub outbox: Vec<OutboxDepth>,
    /// Seconds the oldest due row (pending, due by now, not held for the round-up) has waited.
    pub oldest_due_secs: i64,
    /// Runs by delivery state (every state, zero included).
    pub runs: Vec<(String, i64)>,
    /// The pool.
    pub pool: PoolUse,
}

const CHANNELS: [&str; 3] = ["email", "webhook", "digest"];
const OPEN: [&str; 2] = ["pending", "sending"];
const RUN_STATES: [&str; 5] = ["queued", "sending", "sent", "sent with failures", "skipped"];

impl SqlStore {
    /// The gauges as of `now`.
    pub async fn gauges(&self, now: DateTime<Utc>) -> Result<Gauges> {
        let found: Vec<OutboxDepth> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "select channel, status, count(*) as n from outbox
                 where status in ('pending', 'sending') group by channel, status",
            )
            .fetch_all(p)
            .await?
        });
        let mut outbox = Vec::new();
        for channel in CHANNELS {
            for status in OPEN {
                let rows = found
                    .iter()
                    .filter(|d| d.channel == channel && d.status == status)
                    .map(|d| d.rows)
                    .sum();
                outbox.push(OutboxDepth {
                    channel: channel.into(),
                    status: status.into(),
                    rows,
                });
            }
        }
        outbox.extend(
            found
                .into_iter()
                .filter(|d| !CHANNELS.contains(&d.channel.as_str())),
        );
        let oldest: Option<i64> = with_pool!(&self.pool, p => {
            sqlx::query_scalar(
                "select min(next_attempt_at) from outbox
                 where status = 'pending' and lane in (0, 1) and next_attempt_at <= $1
                   and channel <> 'digest'",
            )
            .bind(ms(now))
            .fetch_one(p)
            .await?
        });
        let oldest_due_secs = oldest.map_or(0, |t| (ms(now) - t).max(0) / 1000);
        let by_state: Vec<(String, i64)> = with_pool!(&self.pool, p => {
            sqlx::query_as("select state, count(*) from run group by state")
                .fetch_all(p)
                .await?
        });
        let runs = RUN_STATES
            .iter()
            .map(|s| {
                let n = by_state
                    .iter()
                    .filter(|(k, _)| k == s)
                    .map(|(_, n)| n)
                    .sum();
                (s.to_string(), n)
            })
            .collect();
        let pool = with_pool!(&self.pool, p => {
            let size = p.size();
            let idle = u32::try_from(p.num_idle()).unwrap_or(u32::MAX);
            PoolUse {
                idle,
                in_use: size.saturating_sub(idle),
                max: p.options().get_max_connections(),
            }
        });
        Ok(Gauges {
            outbox,
            oldest_due_secs,
            runs,
            pool,
        })
    }
}
