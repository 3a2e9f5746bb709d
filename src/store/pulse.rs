//! The feel-safe pulse's own consent: given at sign-up or on the manage page, withdrawn on the
//! manage page, each change kept in the consent history with the pulse wording's version.

use super::{BeginWrite, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};

/// Turns the pulse on or off for a resident inside the caller's transaction, recording the
/// consent or withdrawal only when it changes. Binds are the resident's id, the source and
/// `now` (milliseconds).
macro_rules! pulse_consent {
    ($tx:expr, $id:expr, $on:expr, $source:expr, $now:expr) => {{
        let changed = if $on {
            sqlx::query(
                "update subscriber set pulse_at = $1, pulse_version = $2 where subscriber_id = $3 and pulse_at is null",
            )
            .bind($now)
            .bind(crate::domain::survey::PULSE_VERSION)
            .bind($id)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query(
                "update subscriber set pulse_at = null, pulse_version = null where subscriber_id = $1 and pulse_at is not null",
            )
            .bind($id)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
        };
        if changed > 0 {
            sqlx::query(
                "insert into consent_event (subscriber_id, action, consent_version, source, occurred_at, created_at)
                 values ($1, $2, $3, $4, $5, $5)",
            )
            .bind($id)
            .bind(if $on { "consent" } else { "withdrawal" })
            .bind(crate::domain::survey::PULSE_VERSION)
            .bind($source)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
pub(super) use pulse_consent;

impl SqlStore {
    /// The manage page's pulse choice; false when the link is stale or the resident erased.
    pub async fn set_pulse(
        &self,
        subscriber_id: i64,
        version: i64,
        on: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let now = ms(now);
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let live: Option<i64> = sqlx::query_scalar(
                "select subscriber_id from subscriber where subscriber_id = $1 and token_version = $2 and status <> 'erased'",
            )
            .bind(subscriber_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
            if live.is_none() {
                return Ok(false);
            }
            pulse_consent!(tx, subscriber_id, on, "manage", now);
            tx.commit().await?;
            Ok(true)
        })
    }
}
