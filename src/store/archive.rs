//! The public message archive: what was published, newest first, a page at a time.

use super::feeds::FeedRow;
use super::{Result, SqlStore, with_pool};
use crate::domain::FeedItem;

/// One page of the archive and how many messages match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivePage {
    /// The messages on this page, newest first.
    pub items: Vec<FeedItem>,
    /// Messages matching the filters, on every page.
    pub total: i64,
}

impl SqlStore {
    /// Published messages for `area` (an area slug, or `all` for every message) and, unless
    /// `topic` is empty, that topic: `limit` of them from `offset`, newest first. Served by the
    /// `feed_entry (area_slug, run_id)` index, as the feeds are.
    pub async fn archive(
        &self,
        area: &str,
        topic: &str,
        offset: i64,
        limit: i64,
    ) -> Result<ArchivePage> {
        with_pool!(&self.pool, p => {
            let total: i64 = sqlx::query_scalar(
                "select count(*) from feed_entry f join run r on r.run_id = f.run_id
                 where f.area_slug = $1 and ($2 = '' or r.priority = $2)",
            )
            .bind(area)
            .bind(topic)
            .fetch_one(p)
            .await?;
            let rows: Vec<FeedRow> = sqlx::query_as(
                "select r.run_id, r.title, r.summary, r.body, r.lead, r.priority, f.created_at
                 from feed_entry f join run r on r.run_id = f.run_id
                 where f.area_slug = $1 and ($2 = '' or r.priority = $2)
                 order by f.created_at desc, r.run_id desc limit $3 offset $4",
            )
            .bind(area)
            .bind(topic)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
            let items = rows.into_iter().map(FeedItem::from).collect();
            Ok(ArchivePage { items, total })
        })
    }
}
