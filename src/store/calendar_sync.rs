//! Keeping the database's copy of areas and campaigns in step with the calendar files.

use super::{BeginWrite, Flag, Result, SqlStore, with_pool};
use crate::domain::{AreaDirectory, Campaign};
use chrono::{DateTime, Utc};

/// A campaign as the database knows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct StoredCampaign {
    /// The campaign's id.
    pub campaign_id: i64,
    /// Its file name without `.md`.
    pub slug: String,
    /// Hash of its content as last synced.
    pub content_hash: String,
    /// Paused in the console: the scheduler skips it.
    #[sqlx(try_from = "Flag")]
    pub paused: bool,
}

impl SqlStore {
    /// Upserts every area by slug; areas removed from the file stay, as history refers to them.
    pub async fn sync_areas(&self, areas: &AreaDirectory) -> Result<()> {
        let now = super::ms(Utc::now());
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            for a in areas.iter() {
                sqlx::query(
                    "insert into area (slug, name, district, households, created_at) values ($1, $2, $3, $4, $5)
                     on conflict (slug) do update set name = excluded.name, district = excluded.district,
                     households = excluded.households",
                )
                .bind(&a.slug)
                .bind(&a.name)
                .bind(a.district.slug())
                .bind(a.households.map(i64::from))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Upserts every campaign by slug, keeping each one's paused flag; a new campaign is
    /// known from `now` (the scheduler looks no earlier), a changed one updated at `now`.
    pub async fn sync_campaigns(
        &self,
        campaigns: &[Campaign],
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredCampaign>> {
        let now = super::ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            for c in campaigns {
                sqlx::query(
                    "insert into campaign (slug, title, priority, lead, content_hash, definition, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $7)
                     on conflict (slug) do update set title = excluded.title, priority = excluded.priority,
                     lead = excluded.lead, content_hash = excluded.content_hash, definition = excluded.definition,
                     updated_at = case when campaign.content_hash = excluded.content_hash
                                       then campaign.updated_at else excluded.updated_at end",
                )
                .bind(&c.slug)
                .bind(&c.title)
                .bind(c.priority.slug())
                .bind(&c.lead)
                .bind(&c.content_hash)
                .bind(&c.body)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        self.campaigns().await
    }

    /// Every stored campaign.
    pub async fn campaigns(&self) -> Result<Vec<StoredCampaign>> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_as("select campaign_id, slug, content_hash, paused from campaign order by slug")
                .fetch_all(p)
                .await?
        }))
    }

    /// Pauses or resumes a campaign; false when there is no such campaign.
    pub async fn set_campaign_paused(&self, slug: &str, paused: bool) -> Result<bool> {
        let now = super::ms(Utc::now());
        let n = with_pool!(&self.pool, p => sqlx::query("update campaign set paused = $1, updated_at = $2 where slug = $3")
            .bind(i64::from(paused))
            .bind(now)
            .bind(slug)
            .execute(p)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Returns the stored value for `key`, storing `value` first if there was none.
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String> {
        let now = super::ms(Utc::now());
        let v: String = with_pool!(&self.pool, p => {
            sqlx::query("insert into setting (key, value, created_at) values ($1, $2, $3) on conflict (key) do nothing")
                .bind(key)
                .bind(value)
                .bind(now)
                .execute(p)
                .await?;
            sqlx::query_scalar("select value from setting where key = $1").bind(key).fetch_one(p).await?
        });
        Ok(v)
    }

    /// The stored value for `key`, if any.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_scalar("select value from setting where key = $1")
            .bind(key)
            .fetch_optional(p)
            .await?),
        )
    }

    /// Stores `value` for `key`, replacing any.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let now = super::ms(Utc::now());
        with_pool!(&self.pool, p => {
            sqlx::query("insert into setting (key, value, created_at) values ($1, $2, $3) on conflict (key) do update set value = excluded.value")
                .bind(key)
                .bind(value)
                .bind(now)
                .execute(p)
                .await?;
        });
        Ok(())
    }
    /// Slugs of the campaigns paused in the console.
    pub async fn paused_campaigns(&self) -> Result<Vec<String>> {
        Ok(self
            .campaigns()
            .await?
            .into_iter()
            .filter(|c| c.paused)
            .map(|c| c.slug)
            .collect())
    }
}
