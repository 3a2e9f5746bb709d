//! Published feed entries, newest first.

use super::{Millis, Result, SqlStore, from_ms, with_pool};
use crate::domain::FeedItem;
use chrono::{DateTime, Utc};

/// A published message as `feed_entry` joined to `run` gives it (`select r.run_id, r.title,
/// r.summary, r.body, r.lead, r.priority, f.created_at`), for the feeds and the archive.
#[derive(sqlx::FromRow)]
pub(super) struct FeedRow {
    run_id: i64,
    title: String,
    summary: String,
    body: String,
    lead: String,
    priority: String,
    #[sqlx(try_from = "Millis")]
    created_at: DateTime<Utc>,
}

impl From<FeedRow> for FeedItem {
    fn from(r: FeedRow) -> Self {
        FeedItem {
            run_id: r.run_id,
            title: r.title,
            summary: r.summary,
            body_markdown: r.body,
            lead: r.lead,
            priority: r.priority,
            published: r.created_at,
        }
    }
}

impl SqlStore {
    /// The newest `limit` messages published to `area` (an area slug or `all`).
    pub async fn feed_items(&self, area: &str, limit: i64) -> Result<Vec<FeedItem>> {
        with_pool!(&self.pool, p => {
            let rows: Vec<FeedRow> = sqlx::query_as(
                "select r.run_id, r.title, r.summary, r.body, r.lead, r.priority, f.created_at
                 from feed_entry f join run r on r.run_id = f.run_id
                 where f.area_slug = $1 order by f.created_at desc, r.run_id desc limit $2",
            )
            .bind(area)
            .bind(limit)
            .fetch_all(p)
            .await?;
            Ok(rows.into_iter().map(FeedItem::from).collect())
        })
    }

    /// When `area`'s feed began: the area's creation time (the earliest area's for `all`), so
    /// an empty feed has a true `updated` date. `None` for an unknown area.
    pub async fn feed_since(&self, area: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let t: Option<i64> = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select min(created_at) from area where slug = $1 or $1 = 'all'",
        )
        .bind(area)
        .fetch_one(p)
        .await?);
        Ok(t.map(from_ms))
    }

    /// Whether a run was published to feeds (only those are public in the archive).
    pub async fn is_published(&self, run_id: i64) -> Result<bool> {
        let n: i64 = with_pool!(&self.pool, p => sqlx::query_scalar(
            "select count(*) from run where run_id = $1 and status <> 'skipped'",
        )
        .bind(run_id)
        .fetch_one(p)
        .await?);
        Ok(n > 0)
    }
}
