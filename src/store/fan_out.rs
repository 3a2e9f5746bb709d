//! Fan-out under the sending rules: which outbox rows a run creates. A resident who had the same
//! campaign content within the run's repeat window gets no row (the run counts them); one over
//! the weekly cap gets a round-up row instead of an e-mail; routine e-mail due in quiet hours
//! waits until they end. Previews count with the very same query, so the number an editor
//! confirms is the number the fan-out creates.

use super::runs::placeholders;
use super::{BeginWrite, Pool, Result, SqlStore, StoreError, ms, with_pool};
use crate::domain::SendingRules;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// Serialises fan-outs across processes on PostgreSQL, so two runs fanned out at once still
/// see each other's rows when they apply the repeat window and the cap.
const FAN_OUT_LOCK: i64 = 0x6265_6163_6f6e; // "beacon"

/// Who a send would reach, counted by the fan-out's own query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudienceCount {
    /// Residents who would get it (immediately or in their round-up), by their first area.
    pub by_area: Vec<(String, i64)>,
    /// Residents left out because they had this content within the repeat window.
    pub already_had_it: i64,
}

impl AudienceCount {
    pub fn residents(&self) -> i64 {
        self.by_area.iter().map(|(_, n)| n).sum()
    }
}

/// A run's audience question, as the fan-out asks it.
#[derive(Debug, Clone)]
pub struct AudienceQuery<'a> {
    pub campaign_slug: &'a str,
    pub priority: &'a str,
    pub content_hash: &'a str,
    pub areas: &'a [String],
    /// Zero for a deliberate repeat (`--resend`).
    pub repeat_window: Duration,
}

/// The residents a run reaches. Binds: $1 priority, $2 campaign id, $3 content hash, $4 repeat
/// window start (ms), $5 checkpoint, $6 apply the repeat window (0/1), $7… area slugs.
fn eligible(areas: usize) -> String {
    format!(
        "from subscriber s
         join subscription sub on sub.subscriber_id = s.subscriber_id
         where s.subscriber_id > $5 and s.status = 'confirmed' and s.paused = 0
           and sub.priority = $1
           and sub.area_id in (select area_id from area where slug in ({}))
           and ($6 = 0 or not exists (
               select 1 from outbox o join run r on r.run_id = o.run_id
               where o.subscriber_id = s.subscriber_id and o.kind = 'campaign'
                 and o.created_at > $4 and o.status not in ('cancelled', 'failed')
                 and r.campaign_id = $2 and r.content_hash = $3))",
        placeholders(7, areas.max(1))
    )
}

macro_rules! bind_eligible {
    ($q:expr, $priority:expr, $campaign:expr, $hash:expr, $since:expr, $checkpoint:expr, $apply:expr, $areas:expr) => {{
        let mut q = $q
            .bind($priority)
            .bind($campaign)
            .bind($hash)
            .bind($since)
            .bind($checkpoint)
            .bind($apply);
        if $areas.is_empty() {
            q = q.bind("");
        }
        for a in $areas {
            q = q.bind(a);
        }
        q
    }};
}

/// The start of the repeat window, as stored times (a zero window excludes no one).
fn since(now: DateTime<Utc>, window: Duration) -> i64 {
    if window <= Duration::zero() {
        i64::MAX
    } else {
        ms(now - window)
    }
}

impl SqlStore {
    /// Fans the next batch of matching residents into the outbox from the run's checkpoint;
    /// returns how many residents it looked at. At 0 the run is fully queued.
    pub async fn fan_out_batch(
        &self,
        run_id: i64,
        limit: i64,
        rules: &SendingRules,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let postgres = matches!(self.pool, Pool::Postgres(_));
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            if postgres {
                sqlx::query("select pg_advisory_xact_lock($1)").bind(FAN_OUT_LOCK).execute(&mut *tx).await?;
            }
            let row = sqlx::query(
                "select status, priority, areas, fanout_checkpoint, campaign_id, content_hash, urgent, repeat_window_ms
                 from run where run_id = $1",
            )
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("run"))?;
            let status: String = row.try_get("status")?;
            if status != "fanning" {
                return Ok(0);
            }
            let priority: String = row.try_get("priority")?;
            let areas: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("areas")?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let checkpoint: i64 = row.try_get("fanout_checkpoint")?;
            let campaign_id: i64 = row.try_get("campaign_id")?;
            let hash: String = row.try_get("content_hash")?;
            let urgent: i64 = row.try_get("urgent")?;
            let window = Duration::milliseconds(row.try_get("repeat_window_ms")?);
            let since = since(now, window);
            let k = 7 + areas.len().max(1);

            // The batch: everyone matching, repeat or not, so the checkpoint moves past both.
            let sql = format!(
                "select count(*) as n, max(b.subscriber_id) as m from (
                    select s.subscriber_id {} group by s.subscriber_id order by s.subscriber_id limit ${k}) b",
                eligible(areas.len())
            );
            let q = bind_eligible!(sqlx::query(&sql), &priority, campaign_id, &hash, since, checkpoint, 0_i64, &areas);
            let b = q.bind(limit).fetch_one(&mut *tx).await?;
            let seen: i64 = b.try_get("n")?;
            let Some(batch_max) = b.try_get::<Option<i64>, _>("m")? else {
                sqlx::query("update run set status = 'queued', finished_at = $1 where run_id = $2")
                    .bind(ms(now))
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(0);
            };

            let release = match rules.quiet_hours {
                Some(q) if urgent == 0 => q.release(now).unwrap_or(now),
                _ => now,
            };
            // One row per resident, however many of the run's areas they follow; the footer
            // names the first. Nothing passes through this process: memory stays flat.
            let sql = format!(
                "insert into outbox (run_id, subscriber_id, channel, kind, lane, area_id, status, next_attempt_at, created_at, updated_at, held)
                 select ${k}, b.subscriber_id,
                        case when b.weekly = 1 or b.over_cap = 1 then 'digest' else 'email' end,
                        'campaign', 1, b.area_id, 'pending',
                        case when b.weekly = 1 or b.over_cap = 1 then ${n} else ${rel} end, ${n}, ${n},
                        case when b.weekly = 1 then null when b.over_cap = 1 then 'cap'
                             when ${rel} > ${n} then 'quiet' else null end
                 from (
                    select s.subscriber_id, min(sub.area_id) as area_id,
                           case when s.frequency = 'weekly' then 1 else 0 end as weekly,
                           case when ${urg} = 0 and ${cap} > 0 and (
                               select count(*) from outbox o2 join run r2 on r2.run_id = o2.run_id
                               where o2.subscriber_id = s.subscriber_id and o2.kind = 'campaign'
                                 and o2.channel = 'email' and o2.created_at > ${week}
                                 and o2.status not in ('cancelled', 'failed') and r2.urgent = 0
                           ) >= ${cap} then 1 else 0 end as over_cap
                    {} and s.subscriber_id <= ${max}
                    group by s.subscriber_id, s.frequency
                 ) b
                 where true
                 order by b.subscriber_id
                 on conflict do nothing
                 returning held",
                eligible(areas.len()),
                n = k + 1,
                rel = k + 2,
                urg = k + 3,
                cap = k + 4,
                week = k + 5,
                max = k + 6,
            );
            let q = bind_eligible!(sqlx::query_scalar::<_, Option<String>>(&sql), &priority, campaign_id, &hash, since, checkpoint, 1_i64, &areas);
            let held = q
                .bind(run_id)
                .bind(ms(now))
                .bind(ms(release))
                .bind(urgent)
                .bind(i64::from(rules.max_per_week))
                .bind(ms(now - Duration::days(7)))
                .bind(batch_max)
                .fetch_all(&mut *tx)
                .await?;
            let folded = held.iter().filter(|h| h.as_deref() == Some("cap")).count() as i64;
            let quiet = held.iter().any(|h| h.as_deref() == Some("quiet"));
            sqlx::query(
                "update run set fanout_checkpoint = $1, skipped_repeat = skipped_repeat + $2, folded = folded + $3,
                    held_until = case when $4 = 1 then $5 else held_until end
                 where run_id = $6",
            )
            .bind(batch_max)
            .bind(seen - held.len() as i64)
            .bind(folded)
            .bind(i64::from(quiet))
            .bind(ms(release))
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(seen as usize)
        })
    }

    /// What `fan_out_batch` would create for a new run now.
    pub async fn audience(
        &self,
        q: &AudienceQuery<'_>,
        now: DateTime<Utc>,
    ) -> Result<AudienceCount> {
        let since = since(now, q.repeat_window);
        let per_area = format!(
            "select a.slug as slug, count(*) as n from (
                select min(sub.area_id) as area_id {} group by s.subscriber_id) b
             join area a on a.area_id = b.area_id
             group by a.slug order by a.slug",
            eligible(q.areas.len())
        );
        let everyone = format!(
            "select count(*) from (select s.subscriber_id {} group by s.subscriber_id) b",
            eligible(q.areas.len())
        );
        with_pool!(&self.pool, p => {
            let campaign_id: Option<i64> = sqlx::query_scalar("select campaign_id from campaign where slug = $1")
                .bind(q.campaign_slug)
                .fetch_optional(p)
                .await?;
            let campaign_id = campaign_id.unwrap_or(-1);
            let rows = bind_eligible!(sqlx::query(&per_area), q.priority, campaign_id, q.content_hash, since, 0_i64, 1_i64, q.areas)
                .fetch_all(p)
                .await?;
            let by_area = rows
                .iter()
                .map(|r| Ok((r.try_get("slug")?, r.try_get("n")?)))
                .collect::<sqlx::Result<Vec<(String, i64)>>>()?;
            let all: i64 = bind_eligible!(sqlx::query_scalar(&everyone), q.priority, campaign_id, q.content_hash, since, 0_i64, 0_i64, q.areas)
                .fetch_one(p)
                .await?;
            let residents: i64 = by_area.iter().map(|(_, n)| n).sum();
            Ok(AudienceCount { by_area, already_had_it: all - residents })
        })
    }

    /// Moves runs on: queued → sending once a message is tried; → sent (or sent with failures)
    /// when nothing of theirs waits but round-up items. Returns how many runs changed.
    pub async fn settle_runs(&self, now: DateTime<Utc>) -> Result<u64> {
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let started = sqlx::query(
                "update run set state = 'sending'
                 where state = 'queued' and exists (
                     select 1 from outbox o where o.run_id = run.run_id and o.channel <> 'digest'
                       and (o.attempts > 0 or o.status <> 'pending'))",
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let done = sqlx::query(
                "update run set finished_at = $1,
                    state = case when exists (select 1 from outbox o where o.run_id = run.run_id and o.status = 'failed')
                                 then 'sent with failures' else 'sent' end
                 where state in ('queued', 'sending') and status = 'queued'
                   and not exists (
                     select 1 from outbox o where o.run_id = run.run_id and o.channel <> 'digest'
                       and o.status in ('pending', 'sending'))",
            )
            .bind(ms(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(started + done)
        })
    }
}
