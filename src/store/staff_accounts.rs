//! A staff account's life cycle beyond sign-in: one-time passwords that must be replaced,
//! changing a password, and an administrator's reset, unlock and re-enable.

use super::{BeginWrite, Result, SqlStore, with_pool};
use chrono::{DateTime, Utc};

/// What an account's stored hash becomes once its one-time password has been used: not a
/// valid PHC string, so no password ever matches it.
const SPENT: &str = "!one-time password used";

impl SqlStore {
    /// Adds an account whose (one-time) password must be replaced at first sign-in.
    pub async fn add_user_once(
        &self,
        email: &str,
        password_hash: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.insert_user(email, password_hash, role, true, now)
            .await
    }

    /// Spends a one-time password at its first sign-in: it never works again.
    pub async fn spend_one_time_password(&self, user_id: i64) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query(
            "update admin_user set password_hash = $1 where admin_user_id = $2 and must_change_password = 1",
        )
        .bind(SPENT)
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Sets a password the member of staff chose; ends their other sessions.
    pub async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<()> {
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            sqlx::query(
                "update admin_user set password_hash = $1, must_change_password = 0 where admin_user_id = $2",
            )
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("delete from session where admin_user_id = $1 and session_id <> $2")
                .bind(user_id)
                .bind(keep_session)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A new one-time password for `email`: unlocks, ends sessions, forces a change. `false` if
    /// there is no such account.
    pub async fn reset_password(&self, email: &str, password_hash: &str) -> Result<bool> {
        let n = with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "update admin_user set password_hash = $1, must_change_password = 1,
                    failed_logins = 0, locked_until = null
                 where email = $2",
            )
            .bind(password_hash)
            .bind(email)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query("delete from session where admin_user_id in (select admin_user_id from admin_user where email = $1)")
                .bind(email)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n
        });
        Ok(n == 1)
    }

    /// Clears failed sign-ins and any lock.
    pub async fn unlock_user(&self, email: &str) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update admin_user set failed_logins = 0, locked_until = null where email = $1",
        )
        .bind(email)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }

    /// Re-enables a disabled account; false when unknown.
    pub async fn enable_user(&self, email: &str) -> Result<bool> {
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update admin_user set disabled = 0 where email = $1",
        )
        .bind(email)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n == 1)
    }
}
