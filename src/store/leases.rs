//! Who holds which outbox rows: delivery sessions with a heartbeat, lease renewal, and the
//! return of rows whose holder died or whose lease ran out.

use super::outbox::CLAIMED;
use super::runs::placeholders;
use super::{Claimed, Pool, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};
use sqlx::FromRow;

impl SqlStore {
    /// Opens a delivery session for this process; its id marks the rows it claims.
    pub async fn register_worker(&self, host: &str, pid: i64, now: DateTime<Utc>) -> Result<i64> {
        let now = ms(now);
        // Sessions dead for a day are forgotten; their rows were released long ago.
        Ok(with_pool!(&self.pool, p => {
            sqlx::query("delete from worker where heartbeat_at < $1")
                .bind(now - 86_400_000)
                .execute(p)
                .await?;
            sqlx::query_scalar(
                "insert into worker (host, pid, started_at, heartbeat_at, created_at)
                 values ($1, $2, $3, $3, $3) returning worker_id",
            )
            .bind(host)
            .bind(pid)
            .bind(now)
            .fetch_one(p)
            .await?
        }))
    }

    /// Says the session lives and extends the lease of `ids` (rows it is working on) to
    /// `lease_until`; returns those of `ids` it still holds.
    pub async fn heartbeat(
        &self,
        worker_id: i64,
        ids: &[i64],
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let renew = format!(
            "update outbox set lease_until = $1 where owner_id = $2 and status = 'sending'
             and outbox_id in ({}) returning outbox_id",
            placeholders(3, ids.len())
        );
        with_pool!(&self.pool, p => {
            sqlx::query("update worker set heartbeat_at = $1 where worker_id = $2 and heartbeat_at < $1")
                .bind(ms(now))
                .bind(worker_id)
                .execute(p)
                .await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = sqlx::query_scalar(&renew).bind(ms(lease_until)).bind(worker_id);
            for id in ids {
                q = q.bind(id);
            }
            Ok(q.fetch_all(p).await?)
        })
    }

    /// Claims like `claim`, marking the rows as held by `worker_id`.
    pub async fn claim_for(
        &self,
        worker_id: i64,
        channels: &[&str],
        limit: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Claimed>> {
        self.claim_rows(Some(worker_id), channels, limit, now, lease_until)
            .await
    }

    /// Returns to the queue rows whose lease ran out or whose session has not beaten since
    /// `dead_before` (a crashed process). Never `in_hand`, this session's rows still being
    /// worked on: they may be sent and waiting to be recorded.
    pub async fn release_abandoned(
        &self,
        me: i64,
        in_hand: &[i64],
        now: DateTime<Utc>,
        dead_before: DateTime<Utc>,
    ) -> Result<u64> {
        let keep = if in_hand.is_empty() {
            String::new()
        } else {
            format!(
                "and not (owner_id = $2 and outbox_id in ({}))",
                placeholders(4, in_hand.len())
            )
        };
        let sql = format!(
            "update outbox set status = 'pending', lease_until = null, owner_id = null, updated_at = $1
             where status = 'sending' {keep}
               and (lease_until < $1
                    or owner_id in (select worker_id from worker where heartbeat_at < $3 and worker_id <> $2))"
        );
        let n = with_pool!(&self.pool, p => {
            let mut q = sqlx::query(&sql).bind(ms(now)).bind(me).bind(ms(dead_before));
            for id in in_hand {
                q = q.bind(id);
            }
            q.execute(p).await?.rows_affected()
        });
        if n > 0 {
            tracing::warn!(
                rows = n,
                "returned rows of a dead or late worker to the queue"
            );
        }
        Ok(n)
    }

    /// Puts rows this session holds back in the queue, untried, due at `until` (a rate limit,
    /// a paused channel, a lease it can no longer vouch for). Rows another session took meanwhile
    /// are left alone.
    pub async fn give_back(
        &self,
        me: i64,
        ids: &[i64],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "update outbox set status = 'pending', lease_until = null, owner_id = null,
                attempts = attempts - 1, next_attempt_at = $1, updated_at = $2
             where status = 'sending' and owner_id = $3 and outbox_id in ({})",
            placeholders(4, ids.len())
        );
        with_pool!(&self.pool, p => {
            let mut q = sqlx::query(&sql).bind(ms(until)).bind(ms(now)).bind(me);
            for id in ids {
                q = q.bind(id);
            }
            q.execute(p).await?;
        });
        Ok(())
    }
}

impl SqlStore {
    /// Claims due rows on `channels`, transactional lane first, leased until `lease_until`
    /// and marked as held by `owner` (none for a claim outside a session).
    pub(super) async fn claim_rows(
        &self,
        owner: Option<i64>,
        channels: &[&str],
        limit: i64,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<Claimed>> {
        // The one dialect difference: PostgreSQL lets concurrent claimers skip each other's
        // rows; SQLite has one writer at a time, so its UPDATE … RETURNING is already exclusive.
        let lock = match self.pool {
            Pool::Postgres(_) => "for update skip locked",
            Pool::Sqlite(_) => "",
        };
        let sql = format!(
            "update outbox set status = 'sending', lease_until = $1, attempts = attempts + 1, updated_at = $2, owner_id = $4
             where outbox_id in (
                 select outbox_id from outbox
                 where status = 'pending' and next_attempt_at <= $2 and channel in ({})
                 order by lane, next_attempt_at, outbox_id
                 limit $3 {lock})
             returning {CLAIMED}",
            placeholders(5, channels.len())
        );
        with_pool!(&self.pool, p => {
            let mut q = sqlx::query(&sql).bind(ms(lease_until)).bind(ms(now)).bind(limit).bind(owner);
            for c in channels {
                q = q.bind(*c);
            }
            let mut rows = q.fetch_all(p).await?.iter().map(Claimed::from_row).collect::<sqlx::Result<Vec<_>>>()?;
            rows.sort_by_key(|r| r.outbox_id);
            Ok(rows)
        })
    }
}
