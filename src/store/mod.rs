//! Storage: one [`SqlStore`] over SQLite or PostgreSQL, chosen by URL, with one inherent method
//! per use case, grouped by file (`outbox.rs`, `runs.rs`, …). There is no storage trait: nothing
//! substitutes the store (tests run against real databases of both engines), so a trait would
//! only declare every method twice.
//!
//! Queries are written once, in SQL both engines speak, and compiled for each engine by
//! [`with_pool!`]; the few dialect differences live beside the query that needs them. Lists of
//! values are bound with `sqlx::QueryBuilder`; rows are read with `FromRow`, times through
//! [`Millis`], pipeline states through the enums of `domain::pipeline`.
//!
//! Why `with_pool!` and not sqlx's `Any` driver: `Any` decodes only the types every driver
//! shares, so no `chrono` types and no per-engine `Decode` (our `Millis` and `MaybeMillis`
//! decode through each engine's own `i64`); the places that must differ — `FOR UPDATE SKIP
//! LOCKED` and the advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite — would still branch
//! on the backend; and its drivers are installed at run time. The macro costs one `match` per query and compiles each body against
//! the engine's typed pool, so a query that one engine cannot type fails the build, not a run.

#![warn(missing_docs)]

mod admin;
mod answers;
mod archive;
mod calendar_sync;
mod channel_state;
mod columns;
mod connect;
mod console;
mod console_week;
mod crime;
mod demo;
mod digests;
mod erasure;
mod export;
mod fan_out;
mod feeds;
mod gauges;
mod leases;
mod outbox;
mod perception;
mod pulse;
mod reach;
mod resident_links;
mod resident_sql;
mod residents;
mod revisions;
mod runs;
mod signup_requests;
mod staff_access;
mod staff_accounts;
mod subscriber_cells;
mod subscribers;

pub use admin::{
    AuditEntry, Credentials, LOCK_AFTER_FAILURES, LOCK_MINUTES, SessionUser, StaffUser,
    UNKNOWN_ACTOR,
};
pub use answers::{
    FeedbackAnswer, FeedbackComment, FeedbackCounts, Receipt, Recorded, SurveyAnswer,
};
pub use archive::ArchivePage;
pub use calendar_sync::StoredCampaign;
pub use channel_state::{ChannelReport, PausedChannel, Unsuppressed};
pub(crate) use columns::state;
pub use columns::{Flag, JsonList, MaybeMillis, Millis, from_ms, ms};
pub use connect::{connect, open};
pub use console::{RecentFailure, RunSummary, SubscriberCounts};
pub use console_week::ChannelWeek;
pub use crime::{CrimeRow, ImportedMonth};
pub use digests::DigestItem;
pub use fan_out::{AudienceCount, AudienceQuery};
pub use gauges::{Gauges, OutboxDepth, PoolUse};
pub use outbox::{Claimed, Failure, OutboxStats, QueueDepth, Recipient, Transactional};
pub use perception::{FeedbackCount, SurveyCount};
pub use reach::{CampaignCounts, DayCount, ReaderCount, SourceCount};
pub use residents::{
    CONFIRM_VALID_DAYS, ConfirmOutcome, MAILS_PER_ADDRESS_PER_DAY, PreferenceChange, Preferences,
    SignupOutcome,
};
pub use revisions::{
    CALENDAR_VERSION_SETTING, NewRevision, Revision, RevisionState, SERVER_AUTHOR, SERVER_REASON,
};
pub use runs::{NewRun, Run, Trigger};
pub use signup_requests::SignupRequest;
pub use staff_access::ApiToken;
pub use subscriber_cells::SubscriberCell;
pub use subscribers::{ConfirmedSubscriber, ImportOutcome};

use sqlx::{PgPool, SqlitePool};

/// The live pool of whichever engine the URL named.
#[derive(Clone, Debug)]
pub enum Pool {
    /// A SQLite file.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the engine's typed pool; the body compiles once per engine.
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Appends `(v1, v2, …)` to a `sqlx::QueryBuilder`, each value bound (a macro, not a function,
/// so it does not name the builder's type, which differs between sqlx 0.8 and 0.9).
macro_rules! push_in {
    ($qb:expr, $values:expr) => {{
        $qb.push("(");
        let mut list = $qb.separated(", ");
        for v in $values {
            list.push_bind(v);
        }
        list.push_unseparated(")");
    }};
}
pub(crate) use push_in;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no engine we speak.
    #[error("database URL `{0}` is not supported; use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// A migration failed.
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The named thing does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The change clashes with what is stored (e.g. a taken address).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be read back.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The one implementation, over either engine.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) pool: Pool,
}

impl SqlStore {
    /// The engine's pool, for the few callers that must run raw SQL (tests, health checks).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// Records that a confirmed resident left the audience (unsubscribed, bounced, erased), against
/// their first area, as their sign-up was: reach reports subtract it, and erasure cannot change
/// it. Run it before the status changes; binds `$1` now, `$2` subscriber id. (`having` because
/// an aggregate over no rows still yields one row.)
pub(crate) const LEFT_EVENT: &str =
    "insert into event (kind, occurred_at, area_id, count, created_at)
     select 'left', $1, min(sub.area_id), 1, $1 from subscription sub
     where sub.subscriber_id = $2
       and exists (select 1 from subscriber s where s.subscriber_id = $2 and s.status = 'confirmed')
     having count(*) > 0";

/// Opens a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails at once with
/// "database is locked" when another writer got in between, which the busy timeout cannot cure.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, Self::Db>>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>>> + Send
    {
        self.begin()
    }
}
