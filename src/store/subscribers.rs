//! Residents and what they follow: imports, demo data, leaving.

use super::residents::{record_consent, record_signup};
use super::{BeginWrite, Result, SqlStore, StoreError, ms, push_in, with_pool};
use crate::domain::SubscriberStatus;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// A resident to add as already confirmed (imports from partners' lists, demo data).
#[derive(Debug, Clone)]
pub struct ConfirmedSubscriber {
    /// Their address.
    pub email: String,
    /// Their postcode, if known.
    pub postcode: Option<String>,
    /// Area slugs they follow (at least one).
    pub area_slugs: Vec<String>,
    /// Topics they follow.
    pub priorities: Vec<String>,
    /// The consent wording they agreed to.
    pub consent_version: String,
    /// When they consented.
    pub consent_at: DateTime<Utc>,
    /// Where they came from.
    pub source: String,
}

/// What an import did with one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new resident.
    Added,
    /// The address was already known; nothing about it changed.
    Unchanged,
}

impl SqlStore {
    /// Adds confirmed residents in one transaction; existing addresses are left as they are.
    pub async fn add_confirmed(
        &self,
        batch: &[ConfirmedSubscriber],
        now: DateTime<Utc>,
    ) -> Result<Vec<ImportOutcome>> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let mut out = Vec::with_capacity(batch.len());
            for s in batch {
                let id: Option<i64> = sqlx::query_scalar(
                    "insert into subscriber (email, postcode, status, consent_version, consent_at, source, confirmed_at, created_at, updated_at)
                     values ($1, $2, 'confirmed', $3, $4, $5, $6, $6, $6)
                     on conflict (email) do nothing returning subscriber_id",
                )
                .bind(&s.email)
                .bind(&s.postcode)
                .bind(&s.consent_version)
                .bind(ms(s.consent_at))
                .bind(&s.source)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    out.push(ImportOutcome::Unchanged);
                    continue;
                };
                if s.area_slugs.is_empty() {
                    return Err(StoreError::Conflict("a subscriber needs at least one area".into()));
                }
                for priority in &s.priorities {
                    let mut q = QueryBuilder::new(
                        "insert into subscription (subscriber_id, area_id, priority, consent_version, consent_at, source, created_at)
                         select ",
                    );
                    q.push_bind(id).push(", area_id, ").push_bind(priority);
                    q.push(", ").push_bind(&s.consent_version);
                    q.push(", ").push_bind(ms(s.consent_at));
                    q.push(", ").push_bind(&s.source);
                    q.push(", ").push_bind(now);
                    q.push(" from area where slug in ");
                    push_in!(q, &s.area_slugs);
                    q.push(" on conflict do nothing");
                    q.build().execute(&mut *tx).await?;
                }
                record_signup!(tx, id, &s.source, now);
                record_consent!(tx, id, "consent", None::<&str>, ms(s.consent_at), now);
                out.push(ImportOutcome::Added);
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Unsubscribes if the link's version is current; `false` if the link is stale or unknown.
    pub async fn unsubscribe(
        &self,
        subscriber_id: i64,
        token_version: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let status: Option<String> = sqlx::query_scalar("select status from subscriber where subscriber_id = $1 and token_version = $2")
                .bind(subscriber_id)
                .bind(token_version)
                .fetch_optional(&mut *tx)
                .await?;
            match status.map(super::state).transpose()? {
                None | Some(SubscriberStatus::Erased) => return Ok(false),
                Some(SubscriberStatus::Unsubscribed) => return Ok(true),
                Some(SubscriberStatus::Pending | SubscriberStatus::Confirmed | SubscriberStatus::Bounced) => {}
            }
            sqlx::query(super::LEFT_EVENT).bind(now).bind(subscriber_id).execute(&mut *tx).await?;
            record_consent!(tx, subscriber_id, "withdrawal", Some("unsubscribe"), now, now);
            sqlx::query("update subscriber set status = 'unsubscribed', unsubscribed_at = $1, updated_at = $1 where subscriber_id = $2")
                .bind(now)
                .bind(subscriber_id)
                .execute(&mut *tx)
                .await?;
            // Counted against the campaign that last reached them, for "unsubscribed within 7 days".
            sqlx::query(
                "insert into event (kind, occurred_at, area_id, campaign_id, run_id, priority, count, created_at)
                 select 'unsubscribed', $1, o.area_id, r.campaign_id, r.run_id, r.priority, 1, $1
                 from outbox o join run r on r.run_id = o.run_id
                 where o.subscriber_id = $2 and o.status = 'sent' and o.sent_at >= $3
                 order by o.sent_at desc limit 1",
            )
            .bind(now)
            .bind(subscriber_id)
            .bind(now - 7 * 24 * 3600 * 1000)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "update outbox set status = 'cancelled', last_error = 'unsubscribed', updated_at = $1
                 where subscriber_id = $2 and status = 'pending' and lane = 1",
            )
            .bind(now)
            .bind(subscriber_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// A resident's status, if they exist.
    pub async fn subscriber_status(&self, subscriber_id: i64) -> Result<Option<String>> {
        Ok(
            with_pool!(&self.pool, p => sqlx::query_scalar("select status from subscriber where subscriber_id = $1")
            .bind(subscriber_id)
            .fetch_optional(p)
            .await?),
        )
    }
}
