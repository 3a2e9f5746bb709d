//! Workers: leases after a kill, two workers on one PostgreSQL, the hourly rate limit.

use super::*;

async fn a_worker_killed_mid_batch_loses_nothing_once_its_lease_expires(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..6 {
        app.resident(&format!("r{i}@example.com"), &["chesham"], &[BURGLARY])
            .await;
    }
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    // A worker claims three rows and dies before sending them.
    let dead = app
        .services
        .store
        .claim(&["email"], 3, t0, t0 + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(dead.len(), 3);
    assert_eq!(
        app.drain(t0).await.sent,
        3,
        "{}: the leased rows wait",
        app.db.name
    );
    assert_eq!(
        app.drain(t0 + Duration::minutes(6)).await.sent,
        3,
        "expired leases return to the queue"
    );
    let msgs = sink.wait_for(6, StdDuration::from_secs(10));
    assert_eq!(msgs.len(), 6);
    assert!(to_counts(&msgs).values().all(|n| *n == 1));
    app.finish().await;
}
each_engine!(a_worker_killed_mid_batch_loses_nothing_once_its_lease_expires);

#[tokio::test]
async fn two_workers_on_one_postgresql_deliver_each_message_once() {
    let Some(db) = postgres().await else { return };
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(300, "chesham", BURGLARY).await;
    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    let second = app.services.worker().await.unwrap();
    let (a, b) = tokio::join!(app.drain(t0), async {
        let mut sent = 0;
        loop {
            let r = second.run_once(t0).await.unwrap();
            sent += r.sent;
            if r.claimed == 0 {
                return sent;
            }
        }
    });
    assert_eq!(a.sent + b, 300);
    let msgs = sink.wait_for(300, StdDuration::from_secs(20));
    assert_eq!(msgs.len(), 300);
    assert!(to_counts(&msgs).values().all(|n| *n == 1));
    app.finish().await;
}

#[tokio::test]
async fn an_hourly_rate_limit_holds_the_rest_back_in_the_queue_without_blocking_a_worker() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        crate::support::sqlite().await,
        &sink,
        Options {
            configure: |c| c.delivery.rate_per_hour = 2,
            ..Options::default()
        },
    )
    .await;
    for i in 0..5 {
        app.resident(&format!("r{i}@example.com"), &["chesham"], &[BURGLARY])
            .await;
    }
    let now = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], now, None)
        .await
        .unwrap();
    let report = app.drain(now).await;
    assert_eq!(report.sent, 2);
    assert_eq!(sink.wait_for(2, StdDuration::from_secs(10)).len(), 2);
    let stats = app.services.store.stats(Utc::now()).await.unwrap();
    let pending: i64 = stats
        .depth
        .iter()
        .filter(|d| d.status == "pending" && d.channel == "email")
        .map(|d| d.count)
        .sum();
    assert_eq!(pending, 3, "the rest wait for the window, untried");
    app.finish().await;
}
