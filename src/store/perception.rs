//! The answer counts reach reports read for residents' perception: survey answers per area and
//! quarter, and "did this help you feel safer?" answers per campaign. Both tables hold only
//! aggregates; they are written by the feedback and survey pages.

use super::{Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// Answers to one survey question in one area and quarter.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SurveyCount {
    /// The question's slug (`feel_safe_after_dark`, `informed`).
    pub question: String,
    /// The area's slug.
    pub area_slug: String,
    /// `YYYY-Qn`.
    pub quarter: String,
    /// The answer's slug.
    pub answer: String,
    /// How many gave it.
    pub count: i64,
}

/// Answers to "did this help you feel safer?" for one campaign.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedbackCount {
    /// The campaign's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its topic.
    pub priority: String,
    /// `yes`, `no` or `not_sure`.
    pub answer: String,
    /// How many gave it, over the campaign's runs in the period.
    pub count: i64,
}

impl SqlStore {
    /// Every survey count of quarters up to and including `last_quarter` (`YYYY-Qn` sorts as text).
    pub async fn survey_counts(&self, last_quarter: &str) -> Result<Vec<SurveyCount>> {
        with_pool!(&self.pool, p => Ok(sqlx::query_as::<_, SurveyCount>(
            "select t.question, a.slug as area_slug, t.quarter, t.answer, t.count
             from survey_tally t join area a on a.area_id = t.area_id
             where t.quarter <= $1
             order by t.quarter, a.slug, t.question, t.answer",
        )
        .bind(last_quarter)
        .fetch_all(p)
        .await?))
    }

    /// Feedback answers per campaign, over runs fired in `[from, to)`.
    pub async fn feedback_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FeedbackCount>> {
        with_pool!(&self.pool, p => Ok(sqlx::query_as::<_, FeedbackCount>(
            "select c.slug, c.title, c.priority, f.answer, cast(sum(f.count) as bigint) as count
             from feedback_tally f join run r on r.run_id = f.run_id
             join campaign c on c.campaign_id = r.campaign_id
             where r.fire_at >= $1 and r.fire_at < $2
             group by c.slug, c.title, c.priority, f.answer
             order by c.slug, f.answer",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(p)
        .await?))
    }
}
