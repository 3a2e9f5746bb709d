//! Published feed entries, newest first.

use super::{Result, SqlStore, from_ms, with_pool};
use crate::domain::FeedItem;
use sqlx::Row;

impl SqlStore {
    /// The newest `limit` messages published to `area` (an area slug or `all`).
    pub async fn feed_items(&self, area: &str, limit: i64) -> Result<Vec<FeedItem>> {
        with_pool!(&self.pool, p => {
            let rows = sqlx::query(
                "select r.run_id, r.title, r.summary, r.body, r.lead, r.priority, f.created_at
                 from feed_entry f join run r on r.run_id = f.run_id
                 where f.area_slug = $1 order by f.created_at desc, r.run_id desc limit $2",
            )
            .bind(area)
            .bind(limit)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(FeedItem {
                        run_id: r.try_get("run_id")?,
                        title: r.try_get("title")?,
                        summary: r.try_get("summary")?,
                        body_markdown: r.try_get("body")?,
                        lead: r.try_get("lead")?,
                        priority: r.try_get("priority")?,
                        published: from_ms(r.try_get("created_at")?),
                    })
                })
                .collect()
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
