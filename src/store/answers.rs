//! Residents' answers, kept only as counts: "Did this message help you feel safer?" per run,
//! area and answer (`feedback_tally`), the pulse per question, area, quarter and answer
//! (`survey_tally`). A receipt refuses a second answer from the same resident in the same
//! transaction as the count, so the two never disagree, on either engine, however many posts
//! race. Receipts go after 30 days or at erasure; comments after 12 months.

use super::{BeginWrite, Millis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// What refuses a second answer: the keyed receipt, and the resident's keyed pseudonym that
/// erasure finds it by (both from `auth::answer`).
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    /// One per resident, kind and run.
    pub receipt: &'a str,
    /// The resident's pseudonym.
    pub resident: &'a str,
}

/// One answer to "Did this message help you feel safer?".
#[derive(Debug, Clone, Copy)]
pub struct FeedbackAnswer<'a> {
    /// `None` on the public message page, where nobody is known (rate-limited instead).
    pub receipt: Option<Receipt<'a>>,
    /// The message's run.
    pub run_id: i64,
    /// The area it counts for.
    pub area_id: i64,
    /// `yes`, `no` or `not_sure`.
    pub answer: &'a str,
    /// "What would help?", already checked.
    pub comment: Option<&'a str>,
}

/// One answer to a pulse survey.
#[derive(Debug, Clone, Copy)]
pub struct SurveyAnswer<'a> {
    /// Refuses a second answer from the same resident to the same survey run.
    pub receipt: Receipt<'a>,
    /// The question's slug.
    pub question: &'a str,
    /// The resident's area.
    pub area_id: i64,
    /// `2026-Q4`, the survey's quarter in UK time.
    pub quarter: &'a str,
    /// The answer's slug.
    pub answer: &'a str,
}

/// Whether an answer was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Counted (with its comment, if any).
    Counted,
    /// This resident had already answered: nothing changed.
    AlreadyAnswered,
}

/// Answers to a campaign's messages in one area, summed over its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackCounts {
    /// The area's slug.
    pub area: String,
    /// Answers `yes`.
    pub yes: i64,
    /// Answers `no`.
    pub no: i64,
    /// Answers `not_sure`.
    pub not_sure: i64,
}

/// A comment as editors see it: no resident, no address, only what was written.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedbackComment {
    /// Its id, for "hide".
    pub comment_id: i64,
    /// The area's slug.
    pub area: String,
    /// The answer it came with.
    pub answer: String,
    /// What was written.
    pub body: String,
    /// Hidden by an editor.
    pub hidden: bool,
    /// When.
    #[sqlx(try_from = "Millis")]
    pub created_at: DateTime<Utc>,
}

/// Adds one to a counter row, creating it at 1: one statement, safe under concurrency.
const COUNT_FEEDBACK: &str =
    "insert into feedback_tally (run_id, area_id, answer, count) values ($1, $2, $3, 1)
     on conflict (run_id, area_id, answer) do update set count = feedback_tally.count + 1";
const COUNT_SURVEY: &str = "insert into survey_tally (question, area_id, quarter, answer, count) values ($1, $2, $3, $4, 1)
     on conflict (question, area_id, quarter, answer) do update set count = survey_tally.count + 1";
const TAKE_RECEIPT: &str =
    "insert into answer_receipt (receipt, resident, created_at) values ($1, $2, $3)
     on conflict do nothing";

impl SqlStore {
    /// Counts one feedback answer (and keeps its comment), unless its receipt was used.
    pub async fn record_feedback(
        &self,
        a: &FeedbackAnswer<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            if let Some(r) = a.receipt {
                let taken = sqlx::query(TAKE_RECEIPT).bind(r.receipt).bind(r.resident).bind(now)
                    .execute(&mut *tx).await?.rows_affected();
                if taken == 0 {
                    return Ok(Recorded::AlreadyAnswered);
                }
            }
            sqlx::query(COUNT_FEEDBACK).bind(a.run_id).bind(a.area_id).bind(a.answer)
                .execute(&mut *tx).await?;
            if let Some(body) = a.comment {
                sqlx::query(
                    "insert into feedback_comment (run_id, area_id, answer, body, created_at) values ($1, $2, $3, $4, $5)",
                )
                .bind(a.run_id)
                .bind(a.area_id)
                .bind(a.answer)
                .bind(body)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Recorded::Counted)
        })
    }

    /// Counts one pulse answer, unless this resident already answered this survey run.
    pub async fn record_survey_answer(
        &self,
        a: &SurveyAnswer<'_>,
        now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let taken = sqlx::query(TAKE_RECEIPT).bind(a.receipt.receipt).bind(a.receipt.resident).bind(now)
                .execute(&mut *tx).await?.rows_affected();
            if taken == 0 {
                return Ok(Recorded::AlreadyAnswered);
            }
            sqlx::query(COUNT_SURVEY).bind(a.question).bind(a.area_id).bind(a.quarter).bind(a.answer)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Recorded::Counted)
        })
    }

    /// Deletes a resident's receipts (at erasure), found by their pseudonym.
    pub async fn forget_answer_receipts(&self, resident: &str) -> Result<u64> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query("delete from answer_receipt where resident = $1")
            .bind(resident)
            .execute(p)
            .await?
            .rows_affected()),
        )
    }

    /// Retention: receipts taken before `receipts_before`, comments written before
    /// `comments_before`. Returns how many of each went.
    pub async fn purge_answers(
        &self,
        receipts_before: DateTime<Utc>,
        comments_before: DateTime<Utc>,
    ) -> Result<(u64, u64)> {
        with_pool!(&self.pool, p => {
            let receipts = sqlx::query("delete from answer_receipt where created_at < $1")
                .bind(ms(receipts_before))
                .execute(p)
                .await?
                .rows_affected();
            let comments = sqlx::query("delete from feedback_comment where created_at < $1")
                .bind(ms(comments_before))
                .execute(p)
                .await?
                .rows_affected();
            Ok((receipts, comments))
        })
    }

    /// Answers to a campaign's messages per area (areas with none left out).
    pub async fn feedback_by_area(&self, campaign_slug: &str) -> Result<Vec<FeedbackCounts>> {
        use sqlx::Row;
        with_pool!(&self.pool, p => {
            let rows = sqlx::query(
                "select a.slug,
                    cast(sum(case when t.answer = 'yes' then t.count else 0 end) as bigint) as yes,
                    cast(sum(case when t.answer = 'no' then t.count else 0 end) as bigint) as no,
                    cast(sum(case when t.answer = 'not_sure' then t.count else 0 end) as bigint) as not_sure
                 from feedback_tally t
                 join run r on r.run_id = t.run_id
                 join campaign c on c.campaign_id = r.campaign_id
                 join area a on a.area_id = t.area_id
                 where c.slug = $1
                 group by a.slug order by a.slug",
            )
            .bind(campaign_slug)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(FeedbackCounts {
                        area: r.try_get("slug")?,
                        yes: r.try_get("yes")?,
                        no: r.try_get("no")?,
                        not_sure: r.try_get("not_sure")?,
                    })
                })
                .collect::<sqlx::Result<_>>()
                .map_err(Into::into)
        })
    }

    /// A campaign's latest comments, newest first, hidden ones included (marked).
    pub async fn feedback_comments(
        &self,
        campaign_slug: &str,
        limit: i64,
    ) -> Result<Vec<FeedbackComment>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as::<_, FeedbackComment>(
                "select f.comment_id, a.slug as area, f.answer, f.body, f.hidden <> 0 as hidden, f.created_at
                 from feedback_comment f
                 join run r on r.run_id = f.run_id
                 join campaign c on c.campaign_id = r.campaign_id
                 join area a on a.area_id = f.area_id
                 where c.slug = $1
                 order by f.created_at desc, f.comment_id desc limit $2",
            )
            .bind(campaign_slug)
            .bind(limit)
            .fetch_all(p)
            .await?)
        })
    }

    /// Hides one of a campaign's comments; false if it is not one of that campaign's.
    pub async fn hide_comment(&self, campaign_slug: &str, comment_id: i64) -> Result<bool> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query(
                "update feedback_comment set hidden = 1
                 where comment_id = $1 and run_id in (
                     select r.run_id from run r join campaign c on c.campaign_id = r.campaign_id where c.slug = $2)",
            )
            .bind(comment_id)
            .bind(campaign_slug)
            .execute(p)
            .await?
            .rows_affected()
                == 1)
        })
    }
}
