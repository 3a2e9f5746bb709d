//! Demo data only: a past send, delivered at its fire time, so a newcomer's charts have history.

use super::{BeginWrite, Result, SqlStore, ms, with_pool};
use crate::domain::RunState;
use chrono::{DateTime, Utc};

impl SqlStore {
    /// Marks a run made for demo data as fanned out and delivered at `at` to every demo resident
    /// (an address at `example.invalid`) confirmed by then who follows its topic in one of its
    /// areas, with the delivery counts a real send records (a few refused, as in life). Returns
    /// the messages delivered.
    /// One statement per step, so memory stays flat however many residents there are.
    pub async fn deliver_demo_run(&self, run_id: i64, at: DateTime<Utc>) -> Result<i64> {
        let at = ms(at);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let delivered = sqlx::query(
                "insert into outbox (run_id, subscriber_id, channel, kind, lane, area_id, status, attempts,
                                     next_attempt_at, created_at, updated_at, sent_at)
                 select r.run_id, s.subscriber_id, 'email', 'campaign', 1, min(sub.area_id), 'sent', 1, $2, $2, $2, $2
                 from run r
                 join subscription sub on sub.priority = r.priority
                 join area a on a.area_id = sub.area_id
                 join subscriber s on s.subscriber_id = sub.subscriber_id
                 where r.run_id = $1 and s.status = 'confirmed' and s.email like '%@example.invalid'
                   and s.confirmed_at <= $2 and r.areas like '%\"' || a.slug || '\"%'
                 group by r.run_id, s.subscriber_id
                 on conflict do nothing",
            )
            .bind(run_id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // About one message in 150 is refused for good (a full or closed mailbox), as in life.
            let failed = sqlx::query(
                "update outbox set status = 'failed', sent_at = null, last_error = '552 mailbox full (demo data)'
                 where run_id = $1 and (subscriber_id * 7 + run_id) % 150 = 0",
            )
            .bind(run_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "insert into event (kind, occurred_at, area_id, campaign_id, run_id, priority, channel, count, created_at)
                 select case when o.status = 'sent' then 'delivered' else 'failed' end, $2, o.area_id,
                        r.campaign_id, r.run_id, r.priority, 'email', count(*), $2
                 from outbox o join run r on r.run_id = o.run_id
                 where o.run_id = $1
                 group by o.status, o.area_id, r.campaign_id, r.run_id, r.priority",
            )
            .bind(run_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("update run set status = 'queued', state = $3, finished_at = $2 where run_id = $1")
                .bind(run_id)
                .bind(at)
                .bind(if failed > 0 { RunState::SentWithFailures } else { RunState::Sent }.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(i64::try_from(delivered.saturating_sub(failed)).unwrap_or(i64::MAX))
        })
    }
}
