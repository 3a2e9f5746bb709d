//! Fresh databases for each test: a new SQLite file always, and a new PostgreSQL database when
//! `BEACON_TEST_POSTGRES` names a server. Under `CI=true` a missing PostgreSQL is a failure.

#![allow(dead_code)]

use beacon::store::SqlStore;
use std::path::PathBuf;

pub struct TestDb {
    pub url: String,
    pub store: SqlStore,
    pub name: &'static str,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, db)) = self.cleanup
            && let Ok(admin) = beacon::store::connect(&admin_url, 1).await
        {
            if let beacon::store::Pool::Postgres(p) = admin.pool() {
                let _ = sqlx::query(&format!("drop database if exists \"{db}\" with (force)"))
                    .execute(p)
                    .await;
            }
            admin.close().await;
        }
    }
}

pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("beacon.db").display());
    let store = beacon::store::open(&url, 4).await.expect("open sqlite");
    TestDb {
        url,
        store,
        name: "sqlite",
        cleanup: None,
        _dir: Some(dir),
    }
}

/// The server to test against, or `None` (loudly) when there is none and this is not CI.
pub fn postgres_url() -> Option<String> {
    match std::env::var("BEACON_TEST_POSTGRES") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but BEACON_TEST_POSTGRES is not set: PostgreSQL tests cannot be skipped in CI"
                );
            }
            eprintln!(
                "SKIPPING PostgreSQL: set BEACON_TEST_POSTGRES=postgres://… to run these tests on PostgreSQL too"
            );
            None
        }
    }
}

pub async fn postgres() -> Option<TestDb> {
    let admin_url = postgres_url()?;
    let db = format!("beacon_t_{}", rand_suffix());
    let admin = beacon::store::connect(&admin_url, 1)
        .await
        .unwrap_or_else(|e| panic!("BEACON_TEST_POSTGRES is set but unreachable: {e}"));
    if let beacon::store::Pool::Postgres(p) = admin.pool() {
        sqlx::query(&format!("create database \"{db}\""))
            .execute(p)
            .await
            .expect("create test database");
    }
    admin.close().await;
    let mut url = url::Url::parse(&admin_url).expect("BEACON_TEST_POSTGRES is a URL");
    url.set_path(&db);
    let url = url.to_string();
    let store = beacon::store::open(&url, 8).await.expect("open postgres");
    Some(TestDb {
        url,
        store,
        name: "postgres",
        cleanup: Some((admin_url, db)),
        _dir: None,
    })
}

/// SQLite, then PostgreSQL when configured.
pub async fn engines() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}

pub fn rand_suffix() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}

/// The repository's real calendar.
pub fn calendar() -> beacon::calendar::Calendar {
    beacon::calendar::load(&repo_path("campaigns")).expect("the shipped calendar is valid")
}
