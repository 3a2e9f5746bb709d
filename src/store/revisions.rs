//! The history of every campaign file: each version saved in the console, held for approval or
//! found changed on the server, with who, when and why, and its full text.

use super::{BeginWrite, MaybeMillis, Millis, Result, SqlStore, ms, with_pool};
use chrono::{DateTime, Utc};
use strum::{Display, EnumString, IntoStaticStr};

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Display, EnumString, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum RevisionState {
    /// Written to the file from the console.
    Saved,
    /// Found in the file on load or reload, changed by hand.
    Server,
    /// An editor's change waiting for an admin; not in the file.
    Pending,
    /// A pending change an admin approved and wrote to the file.
    Approved,
    /// A pending change an admin turned down.
    Rejected,
    /// A pending change replaced by a later one before anyone decided.
    Superseded,
}

impl RevisionState {
    /// Whether this version was (at its time) the file on disk.
    pub fn on_disk(self) -> bool {
        matches!(self, Self::Saved | Self::Server | Self::Approved)
    }
}

impl TryFrom<String> for RevisionState {
    type Error = strum::ParseError;
    fn try_from(s: String) -> std::result::Result<Self, Self::Error> {
        s.parse()
    }
}

/// One version of one campaign file.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Revision {
    /// The version's id.
    pub revision_id: i64,
    /// The campaign.
    pub slug: String,
    /// The whole file.
    pub content: String,
    /// SHA-256 of `content`, as the loader computes it.
    pub content_hash: String,
    /// The file's hash when the change was begun (`""`: a new file).
    pub base_hash: String,
    /// Where it stands.
    #[sqlx(try_from = "String")]
    pub state: RevisionState,
    /// Who saved it (`server` for a change found in the file).
    pub author: String,
    /// The one-line reason given.
    pub reason: String,
    /// When it was saved or found.
    #[sqlx(try_from = "Millis")]
    pub created_at: DateTime<Utc>,
    /// The admin who approved or rejected it.
    pub decided_by: Option<String>,
    /// When they did.
    #[sqlx(try_from = "MaybeMillis")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// A version to record.
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    /// The campaign.
    pub slug: &'a str,
    /// The whole file.
    pub content: &'a str,
    /// SHA-256 of `content`.
    pub content_hash: &'a str,
    /// The file's hash when the change was begun.
    pub base_hash: &'a str,
    /// Where it stands.
    pub state: RevisionState,
    /// Who saved it.
    pub author: &'a str,
    /// Their account, if a person.
    pub user_id: Option<i64>,
    /// Why.
    pub reason: &'a str,
}

/// The author of versions found in the files.
pub const SERVER_AUTHOR: &str = "server";
/// Their reason.
pub const SERVER_REASON: &str = "edited on the server";
/// The reason on each file's first history entry on a new install.
pub const FIRST_SEEN_REASON: &str = "as first found on the server";

/// The setting `beacon reload` and the console bump; every running `serve` reloads when it changes.
pub const CALENDAR_VERSION_SETTING: &str = "calendar_version";

const COLUMNS: &str = "revision_id, slug, content, content_hash, base_hash, state, author, reason, created_at, decided_by, decided_at";

impl SqlStore {
    /// Records a version; an editor's new pending change supersedes the campaign's older ones.
    pub async fn add_revision(&self, r: &NewRevision<'_>, now: DateTime<Utc>) -> Result<i64> {
        let state: &'static str = r.state.into();
        let reason: String = r.reason.trim().chars().take(300).collect();
        with_pool!(&self.pool, p => {
            let mut tx = p.begin_write().await?;
            if r.state == RevisionState::Pending {
                sqlx::query("update campaign_revision set state = 'superseded', decided_at = $1 where slug = $2 and state = 'pending'")
                    .bind(ms(now))
                    .bind(r.slug)
                    .execute(&mut *tx)
                    .await?;
            }
            let id: i64 = sqlx::query_scalar(
                "insert into campaign_revision (slug, content, content_hash, base_hash, state, author, admin_user_id, reason, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning revision_id",
            )
            .bind(r.slug)
            .bind(r.content)
            .bind(r.content_hash)
            .bind(r.base_hash)
            .bind(state)
            .bind(r.author)
            .bind(r.user_id)
            .bind(&reason)
            .bind(ms(now))
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A campaign's versions, newest first.
    pub async fn revisions(&self, slug: &str, limit: i64) -> Result<Vec<Revision>> {
        let sql = format!(
            "select {COLUMNS} from campaign_revision where slug = $1 order by revision_id desc limit $2"
        );
        with_pool!(&self.pool, p => Ok(sqlx::query_as(&sql).bind(slug).bind(limit).fetch_all(p).await?))
    }

    /// One version.
    pub async fn revision(&self, id: i64) -> Result<Option<Revision>> {
        let sql = format!("select {COLUMNS} from campaign_revision where revision_id = $1");
        with_pool!(&self.pool, p => Ok(sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
    }

    /// The newest version that was the file on disk.
    pub async fn last_on_disk(&self, slug: &str) -> Result<Option<Revision>> {
        let sql = format!(
            "select {COLUMNS} from campaign_revision where slug = $1 and state in ('saved', 'server', 'approved')
             order by revision_id desc limit 1"
        );
        with_pool!(&self.pool, p => Ok(sqlx::query_as(&sql).bind(slug).fetch_optional(p).await?))
    }

    /// Every change waiting for approval, oldest first.
    pub async fn pending_revisions(&self) -> Result<Vec<Revision>> {
        let sql = format!(
            "select {COLUMNS} from campaign_revision where state = 'pending' order by revision_id"
        );
        with_pool!(&self.pool, p => Ok(sqlx::query_as(&sql).fetch_all(p).await?))
    }

    /// Approves or rejects a pending change; `false` when it was no longer pending.
    pub async fn decide_revision(
        &self,
        id: i64,
        to: RevisionState,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let state: &'static str = to.into();
        let n = with_pool!(&self.pool, p => sqlx::query(
            "update campaign_revision set state = $1, decided_by = $2, decided_at = $3 where revision_id = $4 and state = 'pending'",
        )
        .bind(state)
        .bind(by)
        .bind(ms(now))
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// Copies the calendar into the database (areas, campaigns) and records each file changed
    /// by hand since the history last saw it (`files`: slug, text, hash), as a reload does.
    pub async fn sync_calendar(
        &self,
        areas: &crate::domain::AreaDirectory,
        campaigns: &[crate::domain::Campaign],
        files: &[(String, String, String)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.sync_areas(areas).await?;
        self.sync_campaigns(campaigns, now).await?;
        let found = self.record_server_edits(files, now).await?;
        if !found.is_empty() {
            tracing::info!(campaigns = ?found, "campaign files edited on the server recorded in their history");
        }
        Ok(())
    }

    /// Asks every running `serve` on this database to reload the calendar.
    pub async fn request_calendar_reload(&self, now: DateTime<Utc>) -> Result<()> {
        self.set_setting(
            CALENDAR_VERSION_SETTING,
            &now.timestamp_millis().to_string(),
        )
        .await
    }

    /// Records, as "edited on the server", each file (slug, text, hash) whose hash differs from
    /// the newest version on disk the history knows (or that the history has never seen).
    /// Returns the slugs recorded.
    pub async fn record_server_edits(
        &self,
        files: &[(String, String, String)],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let mut recorded = Vec::new();
        let fresh_install: bool = with_pool!(&self.pool, p => sqlx::query_scalar::<_, i64>(
            "select count(*) from (select 1 from campaign_revision limit 1) as any_revision",
        )
        .fetch_one(p)
        .await?)
            == 0;
        for (slug, text, hash) in files {
            let last = self.last_on_disk(slug).await?;
            if last.as_ref().is_some_and(|r| &r.content_hash == hash) {
                continue;
            }
            // On a new install every file is new to the history: each is kept as its first
            // version, not reported as an edit. Later, a new file is one added on the server.
            let first = fresh_install;
            self.add_revision(
                &NewRevision {
                    slug,
                    content: text,
                    content_hash: hash,
                    base_hash: "",
                    state: RevisionState::Server,
                    author: SERVER_AUTHOR,
                    user_id: None,
                    reason: if first {
                        FIRST_SEEN_REASON
                    } else {
                        SERVER_REASON
                    },
                },
                now,
            )
            .await?;
            if !first {
                recorded.push(slug.clone());
            }
        }
        Ok(recorded)
    }
}
