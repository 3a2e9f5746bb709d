//! Who holds which outbox rows: delivery sessions with a heartbeat, lease renewal, and the
//! return of rows whose holder died or whose lease ran out.

use super::outbox::CLAIMED;
use super::{Claimed, Pool, Result, SqlStore, ms, push_in, with_pool};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

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
        with_pool!(&self.pool, p => {
            sqlx::query("update worker set heartbeat_at = $1 where worker_id = $2 and heartbeat_at < $1")
                .bind(ms(now))
                .bind(worker_id)
                .execute(p)
                .await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = QueryBuilder::new("update outbox set lease_until = ");
            q.push_bind(ms(lease_until)).push(" where owner_id = ").push_bind(worker_id);
            q.push(" and status = 'sending' and outbox_id in ");
            push_in!(q, ids);
            q.push(" returning outbox_id");
            Ok(q.build_query_scalar().fetch_all(p).await?)
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
        let n = with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new(
                "update outbox set status = 'pending', lease_until = null, owner_id = null, updated_at = ",
            );
            q.push_bind(ms(now)).push(" where status = 'sending'");
            if !in_hand.is_empty() {
                q.push(" and not (owner_id = ").push_bind(me).push(" and outbox_id in ");
                push_in!(q, in_hand);
                q.push(")");
            }
            q.push(" and (lease_until < ").push_bind(ms(now));
            q.push(" or owner_id in (select worker_id from worker where heartbeat_at < ").push_bind(ms(dead_before));
            q.push(" and worker_id <> ").push_bind(me).push("))");
            q.build().execute(p).await?.rows_affected()
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
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new(
                "update outbox set status = 'pending', lease_until = null, owner_id = null,
                    attempts = attempts - 1, next_attempt_at = ",
            );
            q.push_bind(ms(until)).push(", updated_at = ").push_bind(ms(now));
            q.push(" where status = 'sending' and owner_id = ").push_bind(me);
            q.push(" and outbox_id in ");
            push_in!(q, ids);
            q.build().execute(p).await?;
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
        // PostgreSQL takes the ids as an array, so the update finds its rows by primary key
        // instead of hash-joining the subquery against a scan of the whole outbox.
        let (open, lock) = match self.pool {
            Pool::Postgres(_) => ("= any(array(", "for update skip locked))"),
            Pool::Sqlite(_) => ("in (", ")"),
        };
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new("update outbox set status = 'sending', lease_until = ");
            q.push_bind(ms(lease_until)).push(", attempts = attempts + 1, updated_at = ").push_bind(ms(now));
            q.push(", owner_id = ").push_bind(owner);
            q.push(format!(" where outbox_id {open}select outbox_id from outbox where status = 'pending' and next_attempt_at <= "));
            q.push_bind(ms(now)).push(" and channel in ");
            push_in!(q, channels.iter().copied());
            q.push(" order by lane, next_attempt_at, outbox_id limit ").push_bind(limit);
            q.push(format!(" {lock} returning {CLAIMED}"));
            let mut rows: Vec<Claimed> = q.build_query_as().fetch_all(p).await?;
            rows.sort_by_key(|r| r.outbox_id);
            Ok(rows)
        })
    }
}
