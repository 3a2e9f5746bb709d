//! The loops `serve` runs beside the web server: scheduler ticks, delivery workers, calendar
//! reloads (requested in the database or by SIGHUP) and feed-reader flushes; each ends when told to stop.

use super::{CALENDAR_VERSION, Services};
use crate::delivery::Worker;
use crate::store::SqlStore;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        () = tokio::time::sleep(d) => false,
        _ = stop.changed() => true,
    }
}

pub(super) async fn scheduler_loop(s: Arc<Services>, mut stop: watch::Receiver<bool>) {
    let max_wait = chrono::Duration::seconds(s.config.delivery.tick_secs.max(1) as i64);
    loop {
        let now = Utc::now();
        if let Err(e) = s.scheduler.tick(now).await {
            tracing::error!(error = %e, "scheduler tick failed; will retry");
        }
        let wake = s.scheduler.next_wake(Utc::now(), max_wait);
        let wait = (wake - Utc::now())
            .to_std()
            .unwrap_or(Duration::from_millis(200));
        if sleep_or_stop(wait.max(Duration::from_millis(200)), &mut stop).await {
            return;
        }
    }
}

/// Picks up `beacon reload` requests (a version in the database), whatever roles this process
/// has: web-only processes show the calendar too.
pub(super) async fn watch_reload_requests(s: Arc<Services>, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(s.config.delivery.tick_secs.clamp(1, 30));
    let mut version = s.store.setting(CALENDAR_VERSION).await.ok().flatten();
    loop {
        if sleep_or_stop(every, &mut stop).await {
            return;
        }
        if let Ok(v) = s.store.setting(CALENDAR_VERSION).await
            && v != version
        {
            version = v;
            if let Err(e) = s.reload(Utc::now()).await {
                tracing::error!(error = %format!("{e:#}"), "calendar reload refused; keeping the old calendar");
            }
        }
    }
}

/// Writes feed-reader counts every minute, and once more on the way out.
pub(super) async fn flush_feed_readers(
    readers: Arc<crate::web::feed_readers::FeedReaders>,
    store: Arc<SqlStore>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stopping = sleep_or_stop(Duration::from_secs(60), &mut stop).await;
        readers.flush(store.as_ref(), Utc::now()).await;
        if stopping {
            return;
        }
    }
}

/// Claims and sends until told to stop; idle, it polls every half second or wakes as soon as
/// this process's scheduler queues a batch.
pub(super) async fn worker_loop(
    w: Arc<Worker>,
    queued: Arc<tokio::sync::Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        // Listening before the claim: a batch queued while this step runs still wakes it.
        let next_batch = queued.notified();
        tokio::pin!(next_batch);
        next_batch.as_mut().enable();
        let idle = match w.run_once(Utc::now()).await {
            Ok(r) => r.claimed == 0,
            Err(e) => {
                w.state.step_failed(&e);
                true
            }
        };
        if idle {
            tokio::select! {
                stopping = sleep_or_stop(Duration::from_millis(500), &mut stop) => if stopping { return },
                () = next_batch => {}
            }
        }
    }
}

#[cfg(unix)]
pub(super) async fn reload_on_sighup(s: Arc<Services>, mut stop: watch::Receiver<bool>) {
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
        return;
    };
    loop {
        tokio::select! {
            _ = hup.recv() => {
                if let Err(e) = s.reload(Utc::now()).await {
                    tracing::error!(error = %format!("{e:#}"), "calendar reload refused; keeping the old calendar");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
