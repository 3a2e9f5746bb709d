//! A resident's own journey: sign up, confirm, change preferences, export, erase.
//!
//! Each use case is one transaction; mail it causes goes into the outbox in that same
//! transaction, so a crash can never confirm someone without a record or lose a confirmation.

use super::{BeginWrite, Result, SqlStore, ms, with_pool};
use crate::domain::SubscriberStatus;
use crate::domain::signup::{CONSENT_VERSION, Signup};
use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

/// Confirmation and "already subscribed" mails one address may be sent per day, however often
/// the form is posted with it: nobody can mail-bomb a third party through the sign-up form.
pub const MAILS_PER_ADDRESS_PER_DAY: i64 = 3;
pub use crate::domain::signup::CONFIRM_VALID_DAYS;

/// What a sign-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupOutcome {
    /// New or not yet confirmed: a confirmation mail is queued (unless the daily cap was hit).
    AwaitingConfirmation {
        /// The resident's id.
        subscriber_id: i64,
        /// False when today's cap of mails to this address was already reached.
        queued: bool,
    },
    /// Already confirmed: nothing changed; an "already subscribed" mail is queued instead.
    AlreadySubscribed {
        /// The resident's id.
        subscriber_id: i64,
        /// False when today's cap of mails to this address was already reached.
        queued: bool,
    },
}

/// What a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// The resident is now confirmed.
    Confirmed,
    /// They were already confirmed: nothing changed.
    AlreadyConfirmed,
    /// The link no longer matches anyone waiting to confirm (erased, left, or superseded).
    Gone,
}

/// What the manage page shows and edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The resident's id.
    pub subscriber_id: i64,
    /// Their address.
    pub email: String,
    /// Their postcode, if given.
    pub postcode: Option<String>,
    /// Where they stand (pending, confirmed, …).
    pub status: String,
    /// `immediate` or `weekly`.
    pub frequency: String,
    /// Paused by the resident: nothing is sent.
    pub paused: bool,
    /// Agreed to the feel-safe pulse.
    pub pulse: bool,
    /// Area slugs they follow.
    pub areas: Vec<String>,
    /// Topics they follow.
    pub topics: Vec<String>,
}

/// A change made on the manage page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferenceChange {
    /// Area slugs to follow.
    pub areas: Vec<String>,
    /// Topics to follow.
    pub topics: Vec<String>,
    /// `immediate` or `weekly`.
    pub frequency: String,
    /// Pause everything.
    pub paused: bool,
}

pub(super) use super::resident_sql::{
    queue_mail, record_consent, record_signup, replace_subscriptions,
};

fn confirm_payload(now: i64) -> serde_json::Value {
    serde_json::json!({ "expires": now / 1000 + CONFIRM_VALID_DAYS * 24 * 3600 })
}

impl SqlStore {
    /// Records a sign-up (consent, source, areas and topics) and queues the mail it needs.
    pub async fn sign_up(&self, s: &Signup, now: DateTime<Utc>) -> Result<SignupOutcome> {
        let now = ms(now);
        let topics: Vec<String> = s.topics.iter().map(|t| t.slug().to_string()).collect();
        let areas = s.area_slugs.clone();
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let existing = sqlx::query("select subscriber_id, status from subscriber where email = $1")
                .bind(s.email.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let outcome = match existing {
                Some(row) => {
                    // Anyone can type this address, so the record stays as it is; the choices
                    // wait as a request until its own link is used. A confirmed address gets the
                    // same work and the same job (the worker sends it "already subscribed"), so
                    // neither the answer nor its timing tells a confirmed address apart.
                    let id: i64 = row.try_get("subscriber_id")?;
                    let confirmed = super::state::<SubscriberStatus>(row.try_get("status")?)? == SubscriberStatus::Confirmed;
                    let request: i64 = sqlx::query_scalar(
                        "insert into signup_request (subscriber_id, postcode, frequency, areas, topics, consent_version, source, created_at, pulse)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning signup_request_id",
                    )
                    .bind(id)
                    .bind(s.postcode.as_str())
                    .bind(s.frequency.as_str())
                    .bind(serde_json::json!(areas).to_string())
                    .bind(serde_json::json!(topics).to_string())
                    .bind(CONSENT_VERSION)
                    .bind(&s.source)
                    .bind(now)
                    .bind(i64::from(s.pulse))
                    .fetch_one(&mut *tx)
                    .await?;
                    let mut payload = confirm_payload(now);
                    payload["request"] = request.into();
                    let queued = queue_mail!(tx, id, "confirm", payload, now);
                    if !queued {
                        sqlx::query("delete from signup_request where signup_request_id = $1")
                            .bind(request)
                            .execute(&mut *tx)
                            .await?;
                    }
                    if confirmed {
                        SignupOutcome::AlreadySubscribed { subscriber_id: id, queued }
                    } else {
                        SignupOutcome::AwaitingConfirmation { subscriber_id: id, queued }
                    }
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "insert into subscriber (email, postcode, status, frequency, consent_version, consent_at, source, created_at, updated_at)
                         values ($1, $2, 'pending', $3, $4, $5, $6, $5, $5) returning subscriber_id",
                    )
                    .bind(s.email.as_str())
                    .bind(s.postcode.as_str())
                    .bind(s.frequency.as_str())
                    .bind(CONSENT_VERSION)
                    .bind(now)
                    .bind(&s.source)
                    .fetch_one(&mut *tx)
                    .await?;
                    replace_subscriptions!(tx, id, &areas, &topics, &s.source, now);
                    if s.pulse {
                        super::pulse::pulse_consent!(tx, id, true, &s.source, now);
                    }
                    let queued = queue_mail!(tx, id, "confirm", confirm_payload(now), now);
                    SignupOutcome::AwaitingConfirmation { subscriber_id: id, queued }
                }
            };
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Queues a fresh confirmation mail for someone still pending (an expired link's page).
    pub async fn resend_confirmation(
        &self,
        subscriber_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let status: Option<String> = sqlx::query_scalar("select status from subscriber where subscriber_id = $1")
                .bind(subscriber_id)
                .fetch_optional(&mut *tx)
                .await?;
            if status.map(super::state).transpose()? != Some(SubscriberStatus::Pending) {
                return Ok(false);
            }
            let queued = queue_mail!(tx, subscriber_id, "confirm", confirm_payload(now), now);
            tx.commit().await?;
            Ok(queued)
        })
    }

    /// Confirms the resident if the link's `version` is still current.
    pub async fn confirm(
        &self,
        subscriber_id: i64,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<ConfirmOutcome> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let status: Option<String> = sqlx::query_scalar(
                "select status from subscriber where subscriber_id = $1 and token_version = $2",
            )
            .bind(subscriber_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            match status.map(super::state).transpose()? {
                Some(SubscriberStatus::Pending) => {}
                Some(SubscriberStatus::Confirmed) => return Ok(ConfirmOutcome::AlreadyConfirmed),
                Some(SubscriberStatus::Unsubscribed | SubscriberStatus::Bounced | SubscriberStatus::Erased)
                | None => return Ok(ConfirmOutcome::Gone),
            }
            sqlx::query("update subscriber set status = 'confirmed', confirmed_at = $1, updated_at = $1 where subscriber_id = $2")
                .bind(now)
                .bind(subscriber_id)
                .execute(&mut *tx)
                .await?;
            record_consent!(tx, subscriber_id, "consent", None::<&str>, now, now);
            // The audience grows when a resident confirms: counted by area and source, anonymously.
            sqlx::query(
                "insert into event (kind, occurred_at, area_id, source, count, created_at)
                 select 'signup', $1, min(sub.area_id), min(s.source), 1, $1
                 from subscription sub join subscriber s on s.subscriber_id = sub.subscriber_id
                 where sub.subscriber_id = $2
                 having count(*) > 0",
            )
            .bind(now)
            .bind(subscriber_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ConfirmOutcome::Confirmed)
        })
    }

    /// `None` when the link's version is stale or the person was erased.
    pub async fn preferences(
        &self,
        subscriber_id: i64,
        version: i64,
    ) -> Result<Option<Preferences>> {
        with_pool!(&self.pool, p => {
            let Some(row) = sqlx::query(
                "select email, postcode, status, frequency, paused, pulse_at from subscriber
                 where subscriber_id = $1 and token_version = $2 and status <> 'erased' and email is not null",
            )
            .bind(subscriber_id)
            .bind(version)
            .fetch_optional(p)
            .await?
            else {
                return Ok(None);
            };
            let subs = sqlx::query(
                "select a.slug, sub.priority from subscription sub join area a on a.area_id = sub.area_id
                 where sub.subscriber_id = $1 order by a.slug, sub.priority",
            )
            .bind(subscriber_id)
            .fetch_all(p)
            .await?;
            let mut areas: Vec<String> = Vec::new();
            let mut topics: Vec<String> = Vec::new();
            for r in &subs {
                let a: String = r.try_get("slug")?;
                let t: String = r.try_get("priority")?;
                if !areas.contains(&a) {
                    areas.push(a);
                }
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
            topics.sort();
            Ok(Some(Preferences {
                subscriber_id,
                email: row.try_get("email")?,
                postcode: row.try_get("postcode")?,
                status: row.try_get("status")?,
                frequency: row.try_get("frequency")?,
                paused: row.try_get::<i64, _>("paused")? != 0,
                pulse: row.try_get::<Option<i64>, _>("pulse_at")?.is_some(),
                areas,
                topics,
            }))
        })
    }

    /// Replaces a resident's choices; false when the link is stale or the resident erased.
    pub async fn change_preferences(
        &self,
        subscriber_id: i64,
        version: i64,
        change: &PreferenceChange,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "update subscriber set frequency = $1, paused = $2, updated_at = $3
                 where subscriber_id = $4 and token_version = $5 and status not in ('erased')",
            )
            .bind(&change.frequency)
            .bind(i64::from(change.paused))
            .bind(now)
            .bind(subscriber_id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            replace_subscriptions!(tx, subscriber_id, &change.areas, &change.topics, "manage", now);
            tx.commit().await?;
            Ok(true)
        })
    }
}
