//! Residents counted per area, topic and status, for partners' scripts (the API).

use super::{Result, SqlStore, with_pool};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Residents following one topic in one area, in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberCell {
    /// The area's slug.
    pub area: String,
    /// The topic (priority slug).
    pub topic: String,
    /// The residents' status.
    pub status: String,
    /// How many residents.
    pub count: i64,
}

impl SqlStore {
    /// Residents per area, topic and status, ordered by those three; a sign-up still pending
    /// counts only if made before `pending_before`, so a fresh sign-up moves no figure.
    pub async fn subscriber_cells(
        &self,
        pending_before: DateTime<Utc>,
    ) -> Result<Vec<SubscriberCell>> {
        with_pool!(&self.pool, p => {
            sqlx::query(
                "select a.slug as area, sub.priority as topic, s.status as status,
                        count(distinct s.subscriber_id) as n
                 from subscription sub join subscriber s on s.subscriber_id = sub.subscriber_id
                 join area a on a.area_id = sub.area_id
                 where s.status <> 'pending' or s.created_at < $1
                 group by a.slug, sub.priority, s.status order by a.slug, sub.priority, s.status",
            )
            .bind(super::ms(pending_before))
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| {
                Ok(SubscriberCell {
                    area: r.try_get("area")?,
                    topic: r.try_get("topic")?,
                    status: r.try_get("status")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<sqlx::Result<Vec<_>>>()
            .map_err(Into::into)
        })
    }
}
