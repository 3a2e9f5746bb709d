//! Runs: a campaign fired at a time, published to feeds and fanned out into the outbox.

use super::{BeginWrite, JsonList, Millis, Result, SqlStore, StoreError, ms, push_in, with_pool};
use crate::domain::{Channel, RunState, RunStatus};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, QueryBuilder, Row};

/// What fired a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The campaign's schedule.
    Schedule,
    /// Someone, from the console or the CLI.
    Manual,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
        }
    }
}

/// Everything a run needs, snapshotted from the campaign as it was when it fired.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// The campaign's slug.
    pub campaign_slug: String,
    /// The fire time it stands for.
    pub fire_at: DateTime<Utc>,
    /// What fired it.
    pub trigger: Trigger,
    /// A second send with the same key records nothing.
    pub idempotency_key: Option<String>,
    /// Hash of the campaign's content.
    pub content_hash: String,
    /// The campaign's title.
    pub title: String,
    /// The e-mail subject.
    pub subject: String,
    /// The summary for feeds and round-ups.
    pub summary: String,
    /// The Markdown body.
    pub body: String,
    /// The lead agency.
    pub lead: String,
    /// The topic.
    pub priority: String,
    /// Area slugs the run reaches (targets already expanded).
    pub areas: Vec<String>,
    /// The channels it goes out on.
    pub channels: Vec<Channel>,
    /// Webhook endpoint names that take this run.
    pub webhooks: Vec<String>,
    /// `Some(reason)` records the fire as skipped: nothing is published or sent.
    pub skip_reason: Option<String>,
    /// Residents who had this content within this window get no row; zero resends to all.
    pub repeat_window: chrono::Duration,
    /// Exempt from quiet hours and the weekly cap.
    pub urgent: bool,
    /// A pulse survey's question slug: only residents who agreed to the pulse get it.
    pub survey_question: Option<String>,
}

impl NewRun {
    /// A run of `c` at `fire_at` with the campaign's own content, to `areas` (expanded slugs) and
    /// the named webhooks; `default_repeat` unless the campaign sets its own.
    pub fn of(
        c: &crate::domain::Campaign,
        fire_at: DateTime<Utc>,
        trigger: Trigger,
        areas: Vec<String>,
        webhooks: Vec<String>,
        default_repeat: chrono::Duration,
    ) -> NewRun {
        NewRun {
            campaign_slug: c.slug.clone(),
            fire_at,
            trigger,
            idempotency_key: None,
            content_hash: c.content_hash.clone(),
            title: c.title.clone(),
            subject: c.subject.clone(),
            summary: c.summary.clone(),
            body: c.body.clone(),
            lead: c.lead.clone(),
            priority: c.priority.slug().to_string(),
            areas,
            channels: c.channels.clone(),
            webhooks,
            skip_reason: None,
            repeat_window: c.repeat_after.unwrap_or(default_repeat),
            urgent: c.urgent,
            survey_question: c.survey.map(|q| q.slug().to_string()),
        }
    }
}

/// A run as stored, with its snapshot.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Run {
    /// The run's id.
    pub run_id: i64,
    /// The campaign's slug.
    #[sqlx(rename = "slug")]
    pub campaign_slug: String,
    /// The fire time it stands for.
    #[sqlx(try_from = "Millis")]
    pub fire_at: DateTime<Utc>,
    /// How far its fan-out has gone.
    #[sqlx(try_from = "String")]
    pub status: RunStatus,
    /// Why it was skipped, if it was.
    pub reason: Option<String>,
    /// Hash of the content it sent.
    pub content_hash: String,
    /// The campaign's title then.
    pub title: String,
    /// The e-mail subject then.
    pub subject: String,
    /// The summary then.
    pub summary: String,
    /// The Markdown body then.
    pub body: String,
    /// The lead agency then.
    pub lead: String,
    /// The topic then.
    pub priority: String,
    /// Area slugs it reached.
    #[sqlx(try_from = "JsonList")]
    pub areas: Vec<String>,
    /// Channels it went out on.
    #[sqlx(try_from = "JsonList")]
    pub channels: Vec<String>,
    /// A pulse survey's question slug; `None` for a message.
    pub survey_question: Option<String>,
}

const RUN_COLUMNS: &str = "r.run_id, c.slug, r.fire_at, r.status, r.reason, r.content_hash, r.title, r.subject, r.summary, r.body, r.lead, r.priority, r.areas, r.channels, r.survey_question";

impl SqlStore {
    /// Records the run, its feed entries and webhook rows in one transaction. `None` when this
    /// (campaign, fire time) or idempotency key already has a run: nothing is written twice.
    pub async fn create_run(&self, run: &NewRun, now: DateTime<Utc>) -> Result<Option<i64>> {
        let now = ms(now);
        let channels: Vec<&str> = run.channels.iter().map(|c| c.as_str()).collect();
        let status = match (&run.skip_reason, run.channels.contains(&Channel::Email)) {
            (Some(_), _) => RunStatus::Skipped,
            (None, true) => RunStatus::Fanning,
            (None, false) => RunStatus::Queued,
        };
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let campaign_id: Option<i64> = sqlx::query_scalar("select campaign_id from campaign where slug = $1")
                .bind(&run.campaign_slug)
                .fetch_optional(&mut *tx)
                .await?;
            let campaign_id = campaign_id.ok_or(StoreError::NotFound("campaign"))?;
            let run_id: Option<i64> = sqlx::query_scalar(
                "insert into run (campaign_id, fire_at, trigger, status, reason, content_hash, title, subject, summary,
                    body, lead, priority, areas, channels, idempotency_key, created_at, finished_at, state, urgent, repeat_window_ms, survey_question)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
                 on conflict do nothing returning run_id",
            )
            .bind(campaign_id)
            .bind(ms(run.fire_at))
            .bind(run.trigger.as_str())
            .bind(status.as_str())
            .bind(&run.skip_reason)
            .bind(&run.content_hash)
            .bind(&run.title)
            .bind(&run.subject)
            .bind(&run.summary)
            .bind(&run.body)
            .bind(&run.lead)
            .bind(&run.priority)
            .bind(serde_json::to_string(&run.areas).unwrap_or_default())
            .bind(serde_json::to_string(&channels).unwrap_or_default())
            .bind(&run.idempotency_key)
            .bind(now)
            .bind((status != RunStatus::Fanning).then_some(now))
            .bind(match status {
                RunStatus::Skipped => RunState::Skipped,
                RunStatus::Fanning | RunStatus::Queued | RunStatus::Finished => RunState::Queued,
            }.as_str())
            .bind(i64::from(run.urgent))
            .bind(run.repeat_window.num_milliseconds().max(0))
            .bind(&run.survey_question)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(run_id) = run_id else {
                return Ok(None);
            };
            if run.skip_reason.is_none() {
                if run.channels.contains(&Channel::Feed) {
                    for area in run.areas.iter().map(String::as_str).chain(["all"]) {
                        sqlx::query("insert into feed_entry (run_id, area_slug, created_at) values ($1, $2, $3) on conflict do nothing")
                            .bind(run_id)
                            .bind(area)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                if run.channels.contains(&Channel::Webhook) {
                    // One post per partner per message, listing every area it covers.
                    for hook in &run.webhooks {
                        sqlx::query(
                            "insert into outbox (dedupe_key, run_id, channel, kind, lane, target, status,
                                next_attempt_at, created_at, updated_at)
                             values ($1, $2, 'webhook', 'webhook', 1, $3, 'pending', $4, $4, $4)
                             on conflict do nothing",
                        )
                        .bind(format!("run:{run_id}:webhook:{hook}"))
                        .bind(run_id)
                        .bind(hook)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            tx.commit().await?;
            Ok(Some(run_id))
        })
    }

    /// Runs whose fan-out has not finished (e.g. the process stopped half-way).
    pub async fn unfinished_fan_outs(&self) -> Result<Vec<i64>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_scalar("select run_id from run where status = 'fanning' order by run_id")
            .fetch_all(p)
            .await?),
        )
    }

    /// The latest fire time recorded for a campaign, whatever its trigger.
    pub async fn last_fire(&self, campaign_slug: &str) -> Result<Option<DateTime<Utc>>> {
        let v: Option<i64> = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select max(r.fire_at) from run r join campaign c on c.campaign_id = r.campaign_id where c.slug = $1",
        )
        .bind(campaign_slug)
        .fetch_one(p)
        .await?);
        Ok(v.map(super::from_ms))
    }

    /// When the campaign was first synced (the scheduler never fires earlier).
    pub async fn campaign_created_at(&self, campaign_slug: &str) -> Result<Option<DateTime<Utc>>> {
        let v: Option<i64> = with_pool!(&self.pool, p => sqlx::query_scalar("select created_at from campaign where slug = $1")
            .bind(campaign_slug)
            .fetch_optional(p)
            .await?);
        Ok(v.map(super::from_ms))
    }

    /// One run, with its snapshot.
    pub async fn run(&self, run_id: i64) -> Result<Option<Run>> {
        let sql = format!(
            "select {RUN_COLUMNS} from run r join campaign c on c.campaign_id = r.campaign_id where r.run_id = $1"
        );
        with_pool!(&self.pool, p => {
            match sqlx::query(&sql).bind(run_id).fetch_optional(p).await? {
                Some(r) => Ok(Some(Run::from_row(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// A campaign's latest runs, newest first.
    pub async fn runs_of(&self, campaign_slug: &str, limit: i64) -> Result<Vec<Run>> {
        let sql = format!(
            "select {RUN_COLUMNS} from run r join campaign c on c.campaign_id = r.campaign_id where c.slug = $1 order by r.fire_at desc limit $2"
        );
        with_pool!(&self.pool, p => {
            sqlx::query(&sql).bind(campaign_slug).bind(limit).fetch_all(p).await?.iter().map(Run::from_row).collect::<sqlx::Result<_>>().map_err(Into::into)
        })
    }

    /// Confirmed, immediate subscribers to `priority` per area, for dry runs and previews.
    pub async fn audience_by_area(
        &self,
        priority: &str,
        areas: &[String],
    ) -> Result<Vec<(String, i64)>> {
        if areas.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(&self.pool, p => {
            let mut q = QueryBuilder::new(
                "select a.slug, count(distinct s.subscriber_id) as n
                 from area a
                 join subscription sub on sub.area_id = a.area_id and sub.priority = ",
            );
            q.push_bind(priority);
            q.push(
                " join subscriber s on s.subscriber_id = sub.subscriber_id
                 where s.status = 'confirmed' and s.paused = 0 and s.frequency = 'immediate' and a.slug in ",
            );
            push_in!(q, areas);
            q.push(" group by a.slug order by a.slug");
            let rows = q.build().fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get("slug")?, r.try_get("n")?))).collect()
        })
    }
}
