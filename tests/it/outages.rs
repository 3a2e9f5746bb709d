//! The database fails mid-delivery: PostgreSQL connections cut and refused for a while, SQLite
//! refusing writes or running out of space. Sent messages are kept in memory and recorded when
//! the database returns: nothing is sent twice, and no pooled connection is left inside a
//! broken transaction.

use crate::app::{TestApp, spawn_app};
use crate::leases::{each_once, keep_delivering, queue_done, until};
use crate::reliability::{residents, send};
use crate::smtp::{Script, SmtpSink};
use crate::support::{postgres, postgres_url, sqlite};
use beacon::store::Pool;
use chrono::Utc;
use sqlx::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

const RESIDENTS: usize = 150;

/// Starts a delivery of `RESIDENTS` messages to a slowish server and returns once a few went.
async fn delivering(
    app: &TestApp,
    sink: &SmtpSink,
) -> (
    Arc<beacon::delivery::Worker>,
    Arc<AtomicBool>,
    tokio::task::JoinHandle<()>,
) {
    residents(app, RESIDENTS).await;
    send(app, Utc::now()).await;
    let worker = Arc::new(app.services.worker().await.unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let task = keep_delivering(worker.clone(), stop.clone());
    until("delivery under way", || async { sink.count() >= 20 }).await;
    (worker, stop, task)
}

async fn finish_delivery(
    app: &TestApp,
    sink: &SmtpSink,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
) {
    until("everyone reached", || async {
        crate::reliability::to_counts(&sink.messages()).len() == RESIDENTS
    })
    .await;
    until("the queue is empty", || queue_done(app)).await;
    stop.store(true, Ordering::Relaxed);
    let _ = task.await;
    each_once(sink, RESIDENTS, app.db.name);
}

fn slow_sink() -> SmtpSink {
    SmtpSink::start_with(Script {
        delay_per_message: StdDuration::from_millis(15),
        ..Default::default()
    })
}

#[tokio::test]
async fn a_postgresql_outage_mid_delivery_sends_nothing_twice() {
    let Some(db) = postgres().await else { return };
    let name = url::Url::parse(&db.url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_string();
    let admin = sqlx::PgPool::connect(&postgres_url().unwrap())
        .await
        .unwrap();
    let sink = slow_sink();
    let app = spawn_app(db, &sink).await;
    let (worker, stop, task) = delivering(&app, &sink).await;

    // The server goes away for this database: every connection cut, new ones refused.
    sqlx::query(&format!(
        "alter database \"{name}\" allow_connections false"
    ))
    .execute(&admin)
    .await
    .unwrap();
    sqlx::query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1")
        .bind(&name)
        .execute(&admin)
        .await
        .unwrap();
    until("recording failed and is being retried", || async {
        worker.state.record_failures() >= 5
    })
    .await;
    let during = sink.count();
    sqlx::query(&format!("alter database \"{name}\" allow_connections true"))
        .execute(&admin)
        .await
        .unwrap();
    finish_delivery(&app, &sink, stop, task).await;
    assert!(during < RESIDENTS, "the outage struck mid-delivery");
    admin.close().await;
    app.finish().await;
}

/// Runs `sql` on every connection of the app's SQLite pool (pragmas are per connection).
async fn on_every_connection(app: &TestApp, sql: &[&str]) {
    let Pool::Sqlite(p) = app.services.store.pool() else {
        unreachable!()
    };
    let mut held = Vec::new();
    for _ in 0..p.options().get_max_connections() {
        held.push(p.acquire().await.unwrap());
    }
    for c in &mut held {
        for q in sql {
            sqlx::query(q).execute(&mut **c).await.unwrap();
        }
    }
}

/// Every pooled connection can still open a write transaction, and the file is sound.
async fn no_connection_left_in_a_transaction(app: &TestApp) {
    let Pool::Sqlite(p) = app.services.store.pool() else {
        unreachable!()
    };
    let mut held = Vec::new();
    for _ in 0..p.options().get_max_connections() {
        held.push(p.acquire().await.unwrap());
    }
    for c in &mut held {
        let tx = c
            .begin_with("BEGIN IMMEDIATE")
            .await
            .expect("a pooled connection was left inside a transaction");
        tx.commit().await.unwrap();
    }
    let check: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut *held[0])
        .await
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn a_sqlite_file_that_turns_read_only_mid_delivery_sends_nothing_twice() {
    let sink = slow_sink();
    let app = spawn_app(sqlite().await, &sink).await;
    let (worker, stop, task) = delivering(&app, &sink).await;
    on_every_connection(&app, &["pragma query_only = 1"]).await;
    until("recording failed and is being retried", || async {
        worker.state.record_failures() >= 5
    })
    .await;
    on_every_connection(&app, &["pragma query_only = 0"]).await;
    finish_delivery(&app, &sink, stop, task).await;
    no_connection_left_in_a_transaction(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn a_full_sqlite_disk_mid_delivery_sends_nothing_twice_and_leaves_no_broken_transaction() {
    let sink = slow_sink();
    let app = spawn_app(sqlite().await, &sink).await;
    let (worker, stop, task) = delivering(&app, &sink).await;
    // The disk fills: the file may not grow, and what room is left is taken.
    fill_the_disk(&app).await;
    until("recording failed and is being retried", || async {
        worker.state.record_failures() >= 3
    })
    .await;
    // Space returns.
    on_every_connection(
        &app,
        &["pragma max_page_count = 1073741823", "delete from filler"],
    )
    .await;
    finish_delivery(&app, &sink, stop, task).await;
    no_connection_left_in_a_transaction(&app).await;
    app.finish().await;
}

async fn fill_the_disk(app: &TestApp) {
    let Pool::Sqlite(p) = app.services.store.pool() else {
        unreachable!()
    };
    let mut held = Vec::new();
    for _ in 0..p.options().get_max_connections() {
        held.push(p.acquire().await.unwrap());
    }
    sqlx::query("create table if not exists filler (b blob)")
        .execute(&mut *held[0])
        .await
        .unwrap();
    let pages: i64 = sqlx::query_scalar("pragma page_count")
        .fetch_one(&mut *held[0])
        .await
        .unwrap();
    for c in &mut held {
        sqlx::query(&format!("pragma max_page_count = {}", pages + 2))
            .execute(&mut **c)
            .await
            .unwrap();
    }
    for size in [4000, 1000, 200, 20, 1] {
        for _ in 0..10_000 {
            if sqlx::query("insert into filler (b) values (zeroblob($1))")
                .bind(size)
                .execute(&mut *held[0])
                .await
                .is_err()
            {
                break;
            }
        }
    }
}
