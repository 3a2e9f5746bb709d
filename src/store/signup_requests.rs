//! Sign-ups for an address already on file. They wait as requests, apart from the resident's
//! record, until the request's own confirmation link is used: typing someone's address into
//! the form can never change what they chose, nor let their older link confirm someone else's
//! choices.

use super::residents::{
    CONFIRM_VALID_DAYS, ConfirmOutcome, MAILS_PER_ADDRESS_PER_DAY, queue_mail, record_consent,
    record_signup, replace_subscriptions,
};
use super::{BeginWrite, Result, SqlStore, StoreError, ms, with_pool};
use crate::domain::SubscriberStatus;
use crate::domain::signup::CONSENT_VERSION;
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// What a waiting request asks for, as its confirmation mail describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRequest {
    /// The resident on file.
    pub subscriber_id: i64,
    /// Area slugs asked for.
    pub areas: Vec<String>,
    /// Topics asked for.
    pub topics: Vec<String>,
    /// `immediate` or `weekly`.
    pub frequency: String,
}

fn list(json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("signup_request: {e}")))
}

impl SqlStore {
    /// The waiting request `request_id`, if any.
    pub async fn signup_request(&self, request_id: i64) -> Result<Option<SignupRequest>> {
        let row = with_pool!(&self.pool, p => {
            let r = sqlx::query("select subscriber_id, areas, topics, frequency from signup_request where signup_request_id = $1")
                .bind(request_id)
                .fetch_optional(p)
                .await?;
            match r {
                Some(r) => Some((
                    r.try_get::<i64, _>("subscriber_id")?,
                    r.try_get::<String, _>("areas")?,
                    r.try_get::<String, _>("topics")?,
                    r.try_get::<String, _>("frequency")?,
                )),
                None => None,
            }
        });
        row.map(|(subscriber_id, areas, topics, frequency)| {
            Ok(SignupRequest {
                subscriber_id,
                areas: list(&areas)?,
                topics: list(&topics)?,
                frequency,
            })
        })
        .transpose()
    }

    /// Applies the request to the resident's record (whose link version must be `version`),
    /// records the consent, and forgets the request. Also returns the resident's id.
    pub async fn confirm_request(
        &self,
        request_id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<(ConfirmOutcome, i64)> {
        let now = ms(now);
        let oldest = now - Duration::days(CONFIRM_VALID_DAYS).num_milliseconds();
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let Some(r) = sqlx::query(
                "select q.subscriber_id, q.postcode, q.frequency, q.areas, q.topics, q.consent_version,
                        q.source, q.pulse, s.status
                 from signup_request q join subscriber s on s.subscriber_id = q.subscriber_id
                 where q.signup_request_id = $1 and s.token_version = $2 and s.status <> 'erased'
                   and q.created_at >= $3",
            )
            .bind(request_id)
            .bind(version)
            .bind(oldest)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok((ConfirmOutcome::Gone, 0));
            };
            let id: i64 = r.try_get("subscriber_id")?;
            let source: String = r.try_get("source")?;
            let was: SubscriberStatus = super::state(r.try_get("status")?)?;
            let areas = list(&r.try_get::<String, _>("areas")?)?;
            let topics = list(&r.try_get::<String, _>("topics")?)?;
            if was == SubscriberStatus::Confirmed {
                // Leaving the audience before rejoining it with the new choices keeps counts by area right.
                sqlx::query(super::LEFT_EVENT).bind(now).bind(id).execute(&mut *tx).await?;
            }
            sqlx::query(
                "update subscriber set status = 'confirmed', postcode = $1, frequency = $2, paused = 0,
                    consent_version = $3, consent_at = $4, source = $5, confirmed_at = $4, updated_at = $4
                 where subscriber_id = $6",
            )
            .bind(r.try_get::<String, _>("postcode")?)
            .bind(r.try_get::<String, _>("frequency")?)
            .bind(r.try_get::<String, _>("consent_version")?)
            .bind(now)
            .bind(&source)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            replace_subscriptions!(tx, id, &areas, &topics, &source, now);
            record_signup!(tx, id, &source, now);
            record_consent!(tx, id, "consent", None::<&str>, now, now);
            if r.try_get::<i64, _>("pulse")? != 0 {
                super::pulse::pulse_consent!(tx, id, true, &source, now);
            }
            sqlx::query("delete from signup_request where signup_request_id = $1")
                .bind(request_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((ConfirmOutcome::Confirmed, id))
        })
    }

    /// Queues a fresh confirmation of a request still waiting (an expired link's page).
    pub async fn resend_request(&self, request_id: i64, now: DateTime<Utc>) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "select q.subscriber_id from signup_request q join subscriber s on s.subscriber_id = q.subscriber_id
                 where q.signup_request_id = $1 and s.status <> 'erased'",
            )
            .bind(request_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Ok(false);
            };
            // The request gets a fresh life, as its new link does.
            sqlx::query("update signup_request set created_at = $1 where signup_request_id = $2")
                .bind(now)
                .bind(request_id)
                .execute(&mut *tx)
                .await?;
            let payload = serde_json::json!({
                "expires": now / 1000 + CONFIRM_VALID_DAYS * 24 * 3600,
                "request": request_id,
            });
            let queued = queue_mail!(tx, id, "confirm", payload, now);
            tx.commit().await?;
            Ok(queued)
        })
    }
}
