//! Fresh databases for each test: a new SQLite file always, and a new PostgreSQL database when
//! `BEACON_TEST_POSTGRES` names a server. Under `CI=true` a missing PostgreSQL is a failure.
//! `each_engine!(test_fn)` makes one test per engine, so a failure names its engine.
//! `TEST_LOG=1` shows the application's logs (filtered by `RUST_LOG`, `info` by default).

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
    /// Closes the pool; dropping then removes a PostgreSQL test database.
    pub async fn finish(self) {
        self.store.close().await;
    }
}

/// Drops the PostgreSQL database whether the test passed or panicked. The test's runtime may be
/// unwinding, so the cleanup runs on a thread of its own with a runtime of its own.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, db)) = self.cleanup.take() else {
            return;
        };
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async {
                if let Ok(admin) = beacon::store::connect(&admin_url, 1).await {
                    if let beacon::store::Pool::Postgres(p) = admin.pool() {
                        let _ =
                            sqlx::query(&format!("drop database if exists \"{db}\" with (force)"))
                                .execute(p)
                                .await;
                    }
                    admin.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// Logs to the test's output when `TEST_LOG` is set (as zero2prod does); once per process.
pub fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// One `#[tokio::test]` per engine for `async fn $name(db: TestDb)`: `$name::sqlite` always,
/// `$name::postgres` when `BEACON_TEST_POSTGRES` is set (skipped loudly otherwise, failing under CI).
macro_rules! each_engine {
    ($name:ident) => {
        each_engine!($name, flavor = "current_thread");
    };
    ($name:ident, flavor = $flavor:literal) => {
        mod $name {
            #[tokio::test(flavor = $flavor)]
            async fn sqlite() {
                crate::support::init_logs();
                super::$name(crate::support::sqlite().await).await;
            }

            #[tokio::test(flavor = $flavor)]
            async fn postgres() {
                crate::support::init_logs();
                if let Some(db) = crate::support::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    };
}

pub fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub async fn sqlite() -> TestDb {
    init_logs();
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
    init_logs();
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

/// The tests' calendar (a frozen copy of the shipped one, so copy edits break no test).
pub fn calendar() -> beacon::calendar::Calendar {
    beacon::calendar::load(&repo_path("tests/fixtures/campaigns"))
        .expect("the fixture calendar is valid")
}
