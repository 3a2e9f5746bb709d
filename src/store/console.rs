//! What the community-safety team's console reads: run history, audience counts, failures.

use super::{MaybeMillis, Millis, Result, SqlStore, with_pool};
use crate::domain::{RunState, RunStatus};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};

/// A run as the console lists it: its state and what became of its messages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RunSummary {
    /// The run's id.
    pub run_id: i64,
    /// The campaign's slug.
    #[sqlx(rename = "slug")]
    pub campaign: String,
    /// When it fired.
    #[sqlx(try_from = "Millis")]
    pub fire_at: DateTime<Utc>,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// How far its fan-out has gone.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "finished")]
    pub status: RunStatus,
    /// Its delivery as an operator sees it.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "sent with failures")]
    pub state: RunState,
    /// Why it was skipped, if it was.
    pub reason: Option<String>,
    /// Messages still waiting or being sent.
    pub queued: i64,
    /// Messages delivered to residents (e-mail, including in round-ups).
    pub delivered: i64,
    /// Posts accepted by partners' webhooks: not residents.
    pub webhook_posts: i64,
    /// Residents left out because they had this content within the repeat window.
    pub skipped_repeat: i64,
    /// Messages folded into residents' weekly round-ups by the weekly cap.
    pub folded: i64,
    /// When e-mail held by quiet hours goes out.
    #[sqlx(try_from = "MaybeMillis")]
    pub held_until: Option<DateTime<Utc>>,
    /// Messages given up on.
    pub failed: i64,
    /// Addresses that bounced.
    pub bounced: i64,
    /// Residents who left from this run's messages.
    pub unsubscribed: i64,
}

/// Residents counted for the subscribers page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriberCounts {
    /// Residents by status.
    pub by_status: Vec<(String, i64)>,
    /// Confirmed residents following each area (someone in two areas counts in both).
    pub by_area: Vec<(String, i64)>,
    /// Confirmed residents following each topic.
    pub by_topic: Vec<(String, i64)>,
    /// Confirmed residents by where they signed up.
    pub by_source: Vec<(String, i64)>,
}

/// A recent failed attempt, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecentFailure {
    /// When.
    #[sqlx(try_from = "Millis", rename = "created_at")]
    pub at: DateTime<Utc>,
    /// The outbox channel.
    pub channel: String,
    /// The outbox kind.
    pub kind: String,
    /// The campaign, for a run's message.
    #[sqlx(rename = "slug")]
    pub campaign: Option<String>,
    /// `transient` or `permanent`.
    pub outcome: String,
    /// The error, as recorded.
    pub error: String,
}

fn pairs<R: Row>(rows: &[R]) -> sqlx::Result<Vec<(String, i64)>>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter()
        .map(|r| Ok((r.try_get("k")?, r.try_get("n")?)))
        .collect()
}

impl SqlStore {
    /// Runs with their state and counts, newest first; `slug` empty for every campaign, `run_id`
    /// 0 for every run, and only runs before `before` (fire time, run id) when given.
    async fn run_summaries(
        &self,
        slug: &str,
        run_id: i64,
        before: Option<(DateTime<Utc>, i64)>,
        limit: i64,
    ) -> Result<Vec<RunSummary>> {
        let (before_at, before_id) =
            before.map_or((i64::MAX, i64::MAX), |(t, id)| (super::ms(t), id));
        with_pool!(&self.pool, p => {
            sqlx::query(
                "select r.run_id, c.slug, r.fire_at, r.trigger, r.status, r.state, r.reason, r.skipped_repeat, r.folded, r.held_until,
                    (select count(*) from outbox o where o.run_id = r.run_id and o.status in ('pending', 'sending') and o.channel <> 'digest') as queued,
                    cast(coalesce((select sum(e.count) from event e where e.run_id = r.run_id and e.kind = 'delivered' and e.channel <> 'webhook'), 0) as bigint) as delivered,
                    cast(coalesce((select sum(e.count) from event e where e.run_id = r.run_id and e.kind = 'delivered' and e.channel = 'webhook'), 0) as bigint) as webhook_posts,
                    cast(coalesce((select sum(e.count) from event e where e.run_id = r.run_id and e.kind = 'failed'), 0) as bigint) as failed,
                    cast(coalesce((select sum(e.count) from event e where e.run_id = r.run_id and e.kind = 'bounced'), 0) as bigint) as bounced,
                    cast(coalesce((select sum(e.count) from event e where e.run_id = r.run_id and e.kind = 'unsubscribed'), 0) as bigint) as unsubscribed
                 from run r join campaign c on c.campaign_id = r.campaign_id
                 where ($1 = '' or c.slug = $1) and ($3 = 0 or r.run_id = $3)
                   and (r.fire_at < $4 or (r.fire_at = $4 and r.run_id < $5))
                 order by r.fire_at desc, r.run_id desc limit $2",
            )
            .bind(slug)
            .bind(limit)
            .bind(run_id)
            .bind(before_at)
            .bind(before_id)
            .fetch_all(p)
            .await?
            .iter()
            .map(RunSummary::from_row)
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(Into::into)
        })
    }
}

impl SqlStore {
    /// The latest runs of one campaign, newest first.
    pub async fn campaign_runs(&self, slug: &str, limit: i64) -> Result<Vec<RunSummary>> {
        self.run_summaries(slug, 0, None, limit).await
    }

    /// One page of a campaign's runs, newest first, after the page that ended at `before`.
    pub async fn campaign_runs_before(
        &self,
        slug: &str,
        before: Option<(DateTime<Utc>, i64)>,
        limit: i64,
    ) -> Result<Vec<RunSummary>> {
        self.run_summaries(slug, 0, before, limit).await
    }

    /// One run with its state and counts.
    pub async fn run_summary(&self, run_id: i64) -> Result<Option<RunSummary>> {
        if run_id <= 0 {
            return Ok(None);
        }
        Ok(self.run_summaries("", run_id, None, 1).await?.pop())
    }

    /// The latest runs of every campaign, newest first.
    pub async fn recent_runs(&self, limit: i64) -> Result<Vec<RunSummary>> {
        self.run_summaries("", 0, None, limit).await
    }

    /// Residents by status (sign-ups still pending counted only if made before `pending_before`,
    /// so a fresh sign-up moves no figure), and confirmed residents by area, topic and source.
    pub async fn subscriber_counts(
        &self,
        pending_before: DateTime<Utc>,
    ) -> Result<SubscriberCounts> {
        with_pool!(&self.pool, p => {
            let by_status = sqlx::query(
                "select status as k, count(*) as n from subscriber
                 where status <> 'pending' or created_at < $1
                 group by status order by status",
            )
            .bind(super::ms(pending_before))
            .fetch_all(p).await?;
            let by_area = sqlx::query(
                "select a.slug as k, count(distinct s.subscriber_id) as n
                 from subscription sub join subscriber s on s.subscriber_id = sub.subscriber_id
                 join area a on a.area_id = sub.area_id
                 where s.status = 'confirmed' group by a.slug order by a.slug",
            )
            .fetch_all(p).await?;
            let by_topic = sqlx::query(
                "select sub.priority as k, count(distinct s.subscriber_id) as n
                 from subscription sub join subscriber s on s.subscriber_id = sub.subscriber_id
                 where s.status = 'confirmed' group by sub.priority order by sub.priority",
            )
            .fetch_all(p).await?;
            let by_source = sqlx::query(
                "select source as k, count(*) as n from subscriber where status = 'confirmed'
                 group by source order by n desc, source",
            )
            .fetch_all(p).await?;
            Ok(SubscriberCounts {
                by_status: pairs(&by_status)?,
                by_area: pairs(&by_area)?,
                by_topic: pairs(&by_topic)?,
                by_source: pairs(&by_source)?,
            })
        })
    }

    /// The id and link version of the resident with exactly this address.
    pub async fn subscriber_by_email(&self, email: &str) -> Result<Option<(i64, i64)>> {
        with_pool!(&self.pool, p => {
            let r = sqlx::query("select subscriber_id, token_version from subscriber where email = $1")
                .bind(email)
                .fetch_optional(p)
                .await?;
            match r {
                Some(r) => Ok(Some((r.try_get("subscriber_id")?, r.try_get("token_version")?))),
                None => Ok(None),
            }
        })
    }

    /// The newest failed attempts.
    pub async fn recent_failures(&self, limit: i64) -> Result<Vec<RecentFailure>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as(
                "select d.created_at, d.outcome, d.error, o.channel, o.kind, c.slug
                 from delivery_attempt d join outbox o on o.outbox_id = d.outbox_id
                 left join run r on r.run_id = o.run_id
                 left join campaign c on c.campaign_id = r.campaign_id
                 order by d.delivery_attempt_id desc limit $1",
            )
            .bind(limit)
            .fetch_all(p)
            .await?)
        })
    }
}
