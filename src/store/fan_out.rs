//! Fan-out under the sending rules: which outbox rows a run creates. A resident who had the same
//! campaign content within the run's repeat window gets no row (the run counts them); one over
//! the weekly cap gets a round-up row instead of an e-mail; routine e-mail due in quiet hours
//! waits until they end. Previews count with the very same query, so the number an editor
//! confirms is the number the fan-out creates.

use super::{BeginWrite, Pool, Result, SqlStore, StoreError, ms, push_in, with_pool};
use crate::domain::{RunStatus, SendingRules};
use chrono::{DateTime, Duration, Utc};
use sqlx::{QueryBuilder, Row};

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
    /// Everyone it would reach, across areas.
    pub fn residents(&self) -> i64 {
        self.by_area.iter().map(|(_, n)| n).sum()
    }
}

/// A run's audience question, as the fan-out asks it.
#[derive(Debug, Clone)]
pub struct AudienceQuery<'a> {
    /// The campaign's slug.
    pub campaign_slug: &'a str,
    /// The topic it is sent under.
    pub priority: &'a str,
    /// Hash of its content, for the repeat window.
    pub content_hash: &'a str,
    /// Area slugs it reaches.
    pub areas: &'a [String],
    /// Zero for a deliberate repeat (`--resend`).
    pub repeat_window: Duration,
    /// A pulse survey: residents who agreed to the pulse, whatever their topics.
    pub survey: bool,
}

/// Pushes `from … where …` for the residents a run reaches onto a `QueryBuilder`, each value
/// bound: confirmed and not paused, past `checkpoint`, following `priority` in one of `areas`,
/// and (when `apply` is 1) without this campaign content since `since`. A survey (`survey` 1)
/// reaches only residents who agreed to the pulse, and does not ask which topics they follow:
/// the pulse is a consent of its own.
macro_rules! push_eligible {
    ($q:expr, $priority:expr, $campaign:expr, $hash:expr, $since:expr, $checkpoint:expr, $apply:expr, $areas:expr, $survey:expr) => {{
        let q = &mut $q;
        let survey: i64 = $survey;
        q.push(" from subscriber s join subscription sub on sub.subscriber_id = s.subscriber_id where s.subscriber_id > ");
        q.push_bind($checkpoint);
        q.push(" and s.status = 'confirmed' and s.paused = 0");
        if survey == 1 {
            q.push(" and s.pulse_at is not null");
        } else {
            q.push(" and sub.priority = ").push_bind($priority);
        }
        q.push(" and sub.area_id in (select area_id from area where slug in ");
        // No areas reach no one (an empty `in ()` is not SQL).
        let slugs: Vec<&str> = if $areas.is_empty() {
            vec![""]
        } else {
            $areas.iter().map(|a| a.as_str()).collect()
        };
        push_in!(q, slugs);
        q.push(") and (").push_bind($apply);
        q.push(
            " = 0 or not exists (select 1 from outbox o join run r on r.run_id = o.run_id
               where o.subscriber_id = s.subscriber_id and o.kind = 'campaign' and o.created_at > ",
        );
        q.push_bind($since);
        q.push(" and o.status not in ('cancelled', 'failed') and r.campaign_id = ").push_bind($campaign);
        q.push(" and r.content_hash = ").push_bind($hash).push("))");
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
                "select status, priority, areas, fanout_checkpoint, campaign_id, content_hash, urgent, repeat_window_ms,
                    survey_question from run where run_id = $1",
            )
            .bind(run_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("run"))?;
            let status: RunStatus = super::state(row.try_get("status")?)?;
            if status != RunStatus::Fanning {
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
            let survey = i64::from(row.try_get::<Option<String>, _>("survey_question")?.is_some());

            // The batch: everyone matching, repeat or not, so the checkpoint moves past both.
            let mut q = QueryBuilder::new("select count(*) as n, max(b.subscriber_id) as m from (select s.subscriber_id");
            push_eligible!(q, &priority, campaign_id, &hash, since, checkpoint, 0_i64, &areas, survey);
            q.push(" group by s.subscriber_id order by s.subscriber_id limit ").push_bind(limit).push(") b");
            let b = q.build().fetch_one(&mut *tx).await?;
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
            let (now_ms, release_ms) = (ms(now), ms(release));
            let cap = i64::from(rules.max_per_week);
            let mut q = QueryBuilder::new(
                "insert into outbox (run_id, subscriber_id, channel, kind, lane, area_id, status, next_attempt_at, created_at, updated_at, held) select ",
            );
            q.push_bind(run_id);
            q.push(
                ", b.subscriber_id, case when b.weekly = 1 or b.over_cap = 1 then 'digest' else 'email' end,
                 'campaign', 1, b.area_id, 'pending', case when b.weekly = 1 or b.over_cap = 1 then ",
            );
            q.push_bind(now_ms).push(" else ").push_bind(release_ms).push(" end, ");
            q.push_bind(now_ms).push(", ").push_bind(now_ms);
            q.push(", case when b.weekly = 1 then null when b.over_cap = 1 then 'cap' when ");
            q.push_bind(release_ms).push(" > ").push_bind(now_ms);
            q.push(
                " then 'quiet' else null end
                 from (select s.subscriber_id, min(sub.area_id) as area_id,
                    case when s.frequency = 'weekly' and ",
            );
            // A survey asks its own question by e-mail: never folded into a round-up.
            q.push_bind(survey).push(" = 0 then 1 else 0 end as weekly, case when ");
            q.push_bind(urgent.max(survey)).push(" = 0 and ").push_bind(cap);
            q.push(
                " > 0 and (select count(*) from outbox o2 join run r2 on r2.run_id = o2.run_id
                    where o2.subscriber_id = s.subscriber_id and o2.kind = 'campaign'
                      and o2.channel = 'email' and o2.created_at > ",
            );
            q.push_bind(ms(now - Duration::days(7)));
            // Pulse surveys have their own consent and limit: they do not use up the alerts' cap.
            q.push(" and o2.status not in ('cancelled', 'failed') and r2.urgent = 0 and r2.survey_question is null) >= ")
                .push_bind(cap);
            q.push(" then 1 else 0 end as over_cap");
            push_eligible!(q, &priority, campaign_id, &hash, since, checkpoint, 1_i64, &areas, survey);
            q.push(" and s.subscriber_id <= ").push_bind(batch_max);
            q.push(
                " group by s.subscriber_id, s.frequency) b
                 where true order by b.subscriber_id on conflict do nothing returning held",
            );
            let held: Vec<Option<String>> = q.build_query_scalar().fetch_all(&mut *tx).await?;
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
        with_pool!(&self.pool, p => {
            let campaign_id: Option<i64> = sqlx::query_scalar("select campaign_id from campaign where slug = $1")
                .bind(q.campaign_slug)
                .fetch_optional(p)
                .await?;
            let campaign_id = campaign_id.unwrap_or(-1);
            let mut per_area = QueryBuilder::new("select a.slug as slug, count(*) as n from (select min(sub.area_id) as area_id");
            push_eligible!(per_area, q.priority, campaign_id, q.content_hash, since, 0_i64, 1_i64, q.areas, i64::from(q.survey));
            per_area.push(" group by s.subscriber_id) b join area a on a.area_id = b.area_id group by a.slug order by a.slug");
            let rows = per_area.build().fetch_all(p).await?;
            let by_area = rows
                .iter()
                .map(|r| Ok((r.try_get("slug")?, r.try_get("n")?)))
                .collect::<sqlx::Result<Vec<(String, i64)>>>()?;
            let mut everyone = QueryBuilder::new("select count(*) from (select s.subscriber_id");
            push_eligible!(everyone, q.priority, campaign_id, q.content_hash, since, 0_i64, 0_i64, q.areas, i64::from(q.survey));
            everyone.push(" group by s.subscriber_id) b");
            let all: i64 = everyone.build_query_scalar().fetch_one(p).await?;
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
