//! Staff accounts, their sessions, API tokens and the audit log.

use super::{BeginWrite, Flag, MaybeMillis, Millis, Result, SqlStore, StoreError, ms, with_pool};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A staff account as the users page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct StaffUser {
    /// The account's id.
    #[sqlx(rename = "admin_user_id")]
    pub id: i64,
    /// The address they sign in with.
    pub email: String,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
    /// Disabled accounts cannot sign in.
    #[sqlx(try_from = "Flag")]
    pub disabled: bool,
    /// The last successful sign-in, if any.
    #[sqlx(try_from = "MaybeMillis")]
    pub last_login_at: Option<DateTime<Utc>>,
    /// When the account was added.
    #[sqlx(try_from = "Millis")]
    pub created_at: DateTime<Utc>,
}

/// What login needs to check a password.
#[derive(Clone, sqlx::FromRow)]
pub struct Credentials {
    /// The account's id.
    #[sqlx(rename = "admin_user_id")]
    pub id: i64,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
    /// The argon2 hash of the password.
    pub password_hash: String,
    /// Disabled accounts cannot sign in.
    #[sqlx(try_from = "Flag")]
    pub disabled: bool,
    /// Set after too many failed sign-ins: no sign-in before then.
    #[sqlx(try_from = "MaybeMillis")]
    pub locked_until: Option<DateTime<Utc>>,
    /// Signed in with a one-time password that must now be replaced.
    #[sqlx(try_from = "Flag")]
    pub must_change_password: bool,
}

/// The member of staff behind a live session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionUser {
    /// The signed-in account's id.
    #[sqlx(rename = "admin_user_id")]
    pub user_id: i64,
    /// The address they signed in with.
    pub email: String,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    /// Until a new password is set, the session may only do that (or sign out).
    #[sqlx(try_from = "Flag")]
    pub must_change_password: bool,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// Who did it (an address, or `UNKNOWN_ACTOR`).
    pub actor: String,
    /// What they did.
    pub action: String,
    /// On what, in words.
    pub detail: Option<String>,
    /// From where.
    pub ip: Option<String>,
    /// When.
    #[sqlx(try_from = "Millis", rename = "created_at")]
    pub at: DateTime<Utc>,
}

/// Failed logins before an account is locked, and for how long.
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// How long an account stays locked after `LOCK_AFTER_FAILURES` failed sign-ins.
pub const LOCK_MINUTES: i64 = 15;
/// The actor of a failed sign-in with an address no account has: the typed text is not kept.
pub const UNKNOWN_ACTOR: &str = "(unknown address)";

/// The longest actor and detail the audit log keeps (an address is at most 254 characters).
const MAX_ACTOR_CHARS: usize = 254;
const MAX_DETAIL_CHARS: usize = 1000;

/// Audit text on one line, without control characters, at most `max` characters: whatever a
/// form was sent, one entry stays one readable line.
fn clean(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect()
}

impl SqlStore {
    /// Adds a staff account; a conflict if the address is taken.
    pub async fn add_user(
        &self,
        email: &str,
        password_hash: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.insert_user(email, password_hash, role, false, now)
            .await
    }

    /// Adds a staff account, with a password to replace at first sign-in when `one_time`;
    /// a conflict if the address is taken.
    pub(super) async fn insert_user(
        &self,
        email: &str,
        password_hash: &str,
        role: &str,
        one_time: bool,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id: Option<i64> = with_pool!(&self.pool, p => sqlx::query_scalar(
            "insert into admin_user (email, password_hash, role, must_change_password, created_at)
             values ($1, $2, $3, $4, $5)
             on conflict (email) do nothing returning admin_user_id",
        )
        .bind(email)
        .bind(password_hash)
        .bind(role)
        .bind(i64::from(one_time))
        .bind(ms(now))
        .fetch_optional(p)
        .await?);
        id.ok_or_else(|| StoreError::Conflict(format!("a user {email} already exists")))
    }

    /// Every staff account, for the users page.
    pub async fn users(&self) -> Result<Vec<StaffUser>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as("select admin_user_id, email, role, disabled, last_login_at, created_at from admin_user order by email")
                .fetch_all(p)
                .await?)
        })
    }

    /// Disables or re-enables an account (never the last enabled admin); false when nothing changed.
    pub async fn set_user_disabled(&self, email: &str, disabled: bool) -> Result<bool> {
        let n = with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            if disabled {
                // The console must always keep someone who can manage accounts.
                let others: i64 = sqlx::query_scalar(
                    "select count(*) from admin_user where role = 'admin' and disabled = 0 and email <> $1",
                )
                .bind(email)
                .fetch_one(&mut *tx)
                .await?;
                let is_admin: Option<String> = sqlx::query_scalar(
                    "select role from admin_user where email = $1 and role = 'admin' and disabled = 0",
                )
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
                if is_admin.is_some() && others == 0 {
                    return Err(StoreError::Conflict(format!(
                        "{email} is the last active admin; add or enable another admin first"
                    )));
                }
            }
            let n = sqlx::query("update admin_user set disabled = $1 where email = $2")
                .bind(i64::from(disabled))
                .bind(email)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if disabled {
                sqlx::query("delete from session where admin_user_id in (select admin_user_id from admin_user where email = $1)")
                    .bind(email)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            n
        });
        Ok(n == 1)
    }

    /// What a sign-in checks against, for `email`.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as("select admin_user_id, role, password_hash, disabled, locked_until, must_change_password from admin_user where email = $1")
                .bind(email)
                .fetch_optional(p)
                .await?)
        })
    }

    /// Records a good sign-in: clears the failure count and notes the time.
    pub async fn login_succeeded(&self, user_id: i64, now: DateTime<Utc>) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query(
            "update admin_user set failed_logins = 0, failures_since = null, locked_until = null, last_login_at = $1 where admin_user_id = $2",
        )
        .bind(ms(now))
        .bind(user_id)
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// Opens a session for `user_id`; only the hash of its cookie value is stored.
    pub async fn create_session(
        &self,
        session_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ip: Option<&str>,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(&self.pool, p => {
            sqlx::query("delete from session where expires_at < $1")
                .bind(ms(now))
                .execute(p)
                .await?;
            sqlx::query(
                "insert into session (session_id, admin_user_id, csrf_token, ip, expires_at, created_at)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(session_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(ip)
            .bind(ms(expires))
            .bind(ms(now))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The live session whose cookie hashes to `session_hash`, if any.
    pub async fn session(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionUser>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as(
                "select u.admin_user_id, u.email, u.role, s.csrf_token, u.must_change_password from session s
                 join admin_user u on u.admin_user_id = s.admin_user_id
                 where s.session_id = $1 and s.expires_at > $2 and u.disabled = 0",
            )
            .bind(session_hash)
            .bind(ms(now))
            .fetch_optional(p)
            .await?)
        })
    }

    /// Ends a session (signing out).
    pub async fn end_session(&self, session_hash: &str) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query("delete from session where session_id = $1")
            .bind(session_hash)
            .execute(p)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Stores a new API token by its hash; the token itself is never stored.
    pub async fn add_api_token(
        &self,
        token_hash: &str,
        name: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(&self.pool, p => sqlx::query(
            "insert into api_token (token_hash, name, role, created_at) values ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(name)
        .bind(role)
        .bind(ms(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The name and role of a live API token.
    pub async fn api_token(&self, token_hash: &str) -> Result<Option<(String, String)>> {
        with_pool!(&self.pool, p => {
            let r = sqlx::query("select name, role from api_token where token_hash = $1 and revoked_at is null")
                .bind(token_hash)
                .fetch_optional(p)
                .await?;
            match r {
                Some(r) => Ok(Some((r.try_get("name")?, r.try_get("role")?))),
                None => Ok(None),
            }
        })
    }

    /// Appends a line to the audit log.
    pub async fn audit(
        &self,
        user_id: Option<i64>,
        actor: &str,
        action: &str,
        detail: Option<&str>,
        ip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let actor = clean(actor, MAX_ACTOR_CHARS);
        let detail = detail.map(|d| clean(d, MAX_DETAIL_CHARS));
        with_pool!(&self.pool, p => sqlx::query(
            "insert into audit_log (admin_user_id, actor, action, detail, ip, created_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(&actor)
        .bind(action)
        .bind(&detail)
        .bind(ip)
        .bind(ms(now))
        .execute(p)
        .await
        .map(|_| ())?);
        Ok(())
    }

    /// The newest lines of the audit log.
    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        with_pool!(&self.pool, p => {
            Ok(sqlx::query_as("select actor, action, detail, ip, created_at from audit_log order by audit_log_id desc limit $1")
                .bind(limit)
                .fetch_all(p)
                .await?)
        })
    }
}
