//! Keeping staff access in hand: the failed-sign-in window, who is locked, and API tokens' lives.

use super::{MaybeMillis, Millis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Duration, Utc};

/// An API token as staff see it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ApiToken {
    /// The token's name.
    pub name: String,
    /// The role it acts with.
    pub role: String,
    /// When it was made.
    #[sqlx(try_from = "Millis")]
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    #[sqlx(try_from = "MaybeMillis")]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl SqlStore {
    /// Counts a failed sign-in within a `LOCK_MINUTES` window opened by the first failure; locks
    /// the account for `LOCK_MINUTES` once `LOCK_AFTER_FAILURES` fall inside one window.
    pub async fn login_failed(&self, user_id: i64, now: DateTime<Utc>) -> Result<()> {
        let window = Duration::minutes(super::LOCK_MINUTES);
        let lock = ms(now + window);
        // Every right-hand side reads the row as it was before this update, on both engines.
        with_pool!(&self.pool, p => sqlx::query(
            "update admin_user set
                failed_logins = case when failures_since is null or failures_since <= $1 then 1 else failed_logins + 1 end,
                failures_since = case when failures_since is null or failures_since <= $1 then $2 else failures_since end,
                locked_until = case
                    when (case when failures_since is null or failures_since <= $1 then 1 else failed_logins + 1 end) >= $3
                    then $4 else locked_until end
             where admin_user_id = $5",
        )
        .bind(ms(now - window))
        .bind(ms(now))
        .bind(super::LOCK_AFTER_FAILURES)
        .bind(lock)
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Addresses of accounts locked at `now`.
    pub async fn locked_users(&self, now: DateTime<Utc>) -> Result<Vec<String>> {
        Ok(with_pool!(&self.pool, p => sqlx::query_scalar(
            "select email from admin_user where locked_until > $1 order by email",
        )
        .bind(ms(now))
        .fetch_all(p)
        .await?))
    }

    /// Every API token (never the token itself).
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as("select name, role, created_at, revoked_at from api_token order by revoked_at is not null, name, created_at")
                .fetch_all(p)
                .await?)
        })
    }

    /// Revokes every live token with this name; `false` when there was none.
    pub async fn revoke_api_token(&self, name: &str, now: DateTime<Utc>) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update api_token set revoked_at = $1 where name = $2 and revoked_at is null",
        )
        .bind(ms(now))
        .bind(name)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }
}
