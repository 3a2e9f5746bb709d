//! The anonymous counts reach reports are made of. Nothing here names a resident: every figure
//! comes from the `event` table (sign-ups, leavers, deliveries, feed readers) or from totals.

use super::{BeginWrite, MaybeMillis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// No single stored reader figure counts for more than this when summed: rows written before
/// claims were capped (or by anything else) can never overflow a report.
pub const MAX_READERS_PER_ROW: i64 = 1_000_000;

/// One day's joiners or leavers in one area.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DayCount {
    /// The area (none for all areas).
    pub area_slug: Option<String>,
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Residents who joined that day.
    pub joined: i64,
    /// Residents who left that day.
    #[sqlx(rename = "left_")]
    pub left: i64,
}

/// Sign-ups by where they came from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SourceCount {
    /// Where residents signed up (form, import, …).
    pub source: String,
    /// The area (none for all areas).
    pub area_slug: Option<String>,
    /// How many.
    pub count: i64,
}

/// What one campaign did in a period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CampaignCounts {
    /// The campaign's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its topic.
    pub priority: String,
    /// Runs in the period.
    pub runs: i64,
    /// The latest run in the period.
    #[sqlx(try_from = "MaybeMillis")]
    pub last_run: Option<DateTime<Utc>>,
    /// Messages delivered to residents (not webhook posts).
    pub delivered: i64,
    /// Distinct residents who got it by e-mail or round-up: two runs reaching one resident count once.
    pub residents: i64,
    /// Posts accepted by partners' webhooks.
    pub webhook_posts: i64,
    /// Messages given up on.
    pub failed: i64,
    /// Addresses that bounced.
    pub bounced: i64,
    /// Residents who left from its messages.
    pub unsubscribed: i64,
}

/// Distinct feed readers one process saw in one area on one day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReaderCount {
    /// The area's feed (none for the all-areas feed).
    pub area_slug: Option<String>,
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    /// Distinct readers seen that day.
    pub readers: i64,
}

impl SqlStore {
    /// Joiners and leavers per area and day, from the beginning up to `to`.
    pub async fn audience_days(&self, to: DateTime<Utc>) -> Result<Vec<DayCount>> {
        Ok(with_pool!(&self.pool, p => sqlx::query_as::<_, DayCount>(
            "select a.slug as area_slug, e.occurred_at / $1 as day,
                    cast(coalesce(sum(case when e.kind = 'signup' then e.count else 0 end), 0) as bigint) as joined,
                    cast(coalesce(sum(case when e.kind = 'left' then e.count else 0 end), 0) as bigint) as left_
             from event e left join area a on a.area_id = e.area_id
             where e.kind in ('signup', 'left') and e.occurred_at < $2
             group by a.slug, day
             order by day",
        )
        .bind(DAY_MS)
        .bind(ms(to))
        .fetch_all(p)
        .await?))
    }

    /// Sign-ups per source and area in `[from, to)`.
    pub async fn signups_by_source(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SourceCount>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_as::<_, SourceCount>(
            "select coalesce(e.source, 'unknown') as source, a.slug as area_slug,
                    cast(coalesce(sum(e.count), 0) as bigint) as count
             from event e left join area a on a.area_id = e.area_id
             where e.kind = 'signup' and e.occurred_at >= $1 and e.occurred_at < $2
             group by coalesce(e.source, 'unknown'), a.slug
             order by count desc, source",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(p)
        .await?),
        )
    }

    /// Per campaign, over runs fired in `[from, to)`: delivered, failed, bounced, unsubscribed
    /// within 7 days of a message.
    pub async fn campaign_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CampaignCounts>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as(
                "select c.slug, c.title, c.priority,
                        count(distinct r.run_id) as runs, max(r.fire_at) as last_run,
                        (select count(distinct o.subscriber_id) from outbox o join run r2 on r2.run_id = o.run_id
                         where r2.campaign_id = c.campaign_id and r2.fire_at >= $1 and r2.fire_at < $2
                           and o.kind = 'campaign' and o.status = 'sent') as residents,
                        cast(coalesce(sum(case when e.kind = 'delivered' and coalesce(e.channel, '') <> 'webhook' then e.count end), 0) as bigint) as delivered,
                        cast(coalesce(sum(case when e.kind = 'delivered' and e.channel = 'webhook' then e.count end), 0) as bigint) as webhook_posts,
                        cast(coalesce(sum(case when e.kind = 'failed' then e.count end), 0) as bigint) as failed,
                        cast(coalesce(sum(case when e.kind = 'bounced' then e.count end), 0) as bigint) as bounced,
                        cast(coalesce(sum(case when e.kind = 'unsubscribed' then e.count end), 0) as bigint) as unsubscribed
                 from run r join campaign c on c.campaign_id = r.campaign_id
                 left join event e on e.run_id = r.run_id
                 where r.fire_at >= $1 and r.fire_at < $2 and r.status <> 'skipped'
                 group by c.campaign_id, c.slug, c.title, c.priority
                 order by c.slug",
            )
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(p)
            .await?)
        })
    }

    /// Feed readers per area and day in `[from, to)`.
    pub async fn feed_readers(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ReaderCount>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_as::<_, ReaderCount>(
            "select a.slug as area_slug, e.occurred_at / $1 as day,
                    cast(coalesce(sum(case when e.count > $4 then $4 when e.count < 0 then 0 else e.count end), 0) as bigint) as readers
             from event e left join area a on a.area_id = e.area_id
             where e.kind in ('feed_readers', 'feed_claim') and e.occurred_at >= $2 and e.occurred_at < $3
             group by a.slug, day
             order by day",
        )
        .bind(DAY_MS)
        .bind(ms(from))
        .bind(ms(to))
        .bind(MAX_READERS_PER_ROW)
        .fetch_all(p)
        .await?),
        )
    }

    /// Keeps one (capped) claim per aggregator, feed and day: the largest any process saw.
    pub async fn record_feed_claim(
        &self,
        day: i64,
        area_slug: Option<&str>,
        agent: &str,
        readers: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.replace_reader_row(
            "feed_claim",
            day,
            area_slug,
            agent,
            readers.clamp(0, MAX_READERS_PER_ROW),
            true,
            now,
        )
        .await
    }

    /// Replaces this process's count of distinct readers for a day and feed (`None` = all areas).
    pub async fn record_feed_readers(
        &self,
        day: i64,
        area_slug: Option<&str>,
        instance: &str,
        readers: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.replace_reader_row(
            "feed_readers",
            day,
            area_slug,
            instance,
            readers.clamp(0, MAX_READERS_PER_ROW),
            false,
            now,
        )
        .await
    }
}

impl SqlStore {
    /// Replaces the `kind` row for a day, feed and `detail` (a process, or an aggregator);
    /// with `keep_larger`, a smaller figure never replaces a larger one.
    #[allow(clippy::too_many_arguments)]
    async fn replace_reader_row(
        &self,
        kind: &str,
        day: i64,
        area_slug: Option<&str>,
        detail: &str,
        readers: i64,
        keep_larger: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = day * DAY_MS;
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let area_id: Option<i64> = match area_slug {
                Some(slug) => sqlx::query_scalar("select area_id from area where slug = $1")
                    .bind(slug)
                    .fetch_optional(&mut *tx)
                    .await?,
                None => None,
            };
            let before: Option<i64> = sqlx::query_scalar(
                "select max(count) from event where kind = $1 and occurred_at = $2 and detail = $3
                 and coalesce(area_id, 0) = $4",
            )
            .bind(kind)
            .bind(at)
            .bind(detail)
            .bind(area_id.unwrap_or(0))
            .fetch_one(&mut *tx)
            .await?;
            let readers = if keep_larger { readers.max(before.unwrap_or(0)) } else { readers };
            sqlx::query(
                "delete from event where kind = $1 and occurred_at = $2 and detail = $3
                 and coalesce(area_id, 0) = $4",
            )
            .bind(kind)
            .bind(at)
            .bind(detail)
            .bind(area_id.unwrap_or(0))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "insert into event (kind, occurred_at, area_id, detail, count, created_at)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(kind)
            .bind(at)
            .bind(area_id)
            .bind(detail)
            .bind(readers)
            .bind(ms(now))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
