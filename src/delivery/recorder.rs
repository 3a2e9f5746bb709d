//! Recording outcomes as the server gives them, in small groups; retrying the record (never
//! the send) while the database refuses; and logging a repeated error once with a count.

use super::Worker;
use crate::channels::SendError;
use crate::store::{Claimed, Failure, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::mpsc::UnboundedReceiver;

/// Rows written in one group at most.
const GROUP: usize = 64;

pub(super) enum Outcome {
    Sent,
    /// Must not go any more (the resident left since fan-out).
    Cancel,
    /// Not tried; back to the queue, due at this time.
    GiveBack(DateTime<Utc>),
    Failed {
        error: SendError,
        failure: Failure,
    },
}

/// One row's outcome, holding its place in the unrecorded window until it is written.
pub(super) struct Done {
    pub row: Claimed,
    pub outcome: Outcome,
    pub at: DateTime<Utc>,
    /// Dropped with the outcome once written, freeing the place in the window.
    pub _place: Option<OwnedSemaphorePermit>,
}

impl Worker {
    /// Writes outcomes as they arrive until every sender is done. A write that fails is tried
    /// again (after a short, growing pause) with what is left of its group; the heartbeat keeps
    /// the rows' leases meanwhile, so sent rows never return to the queue.
    pub(super) async fn record_all(&self, me: i64, mut rx: UnboundedReceiver<Done>) {
        while let Some(first) = rx.recv().await {
            let mut group = vec![first];
            while group.len() < GROUP {
                match rx.try_recv() {
                    Ok(d) => group.push(d),
                    Err(_) => break,
                }
            }
            let mut pause = std::time::Duration::from_millis(50);
            while let Err(e) = self.write(me, &mut group).await {
                self.state
                    .record_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if self.state.errors.first(&format!("record {e}")) {
                    tracing::error!(error = %e, rows = group.len(), "cannot record delivery outcomes; keeping them and retrying");
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(2));
            }
        }
    }

    /// Writes a group part by part, dropping each part once written, so a retry repeats only
    /// what failed.
    async fn write(&self, me: i64, group: &mut Vec<Done>) -> Result<(), StoreError> {
        let is_sent = |d: &Done| matches!(d.outcome, Outcome::Sent);
        if group.iter().any(is_sent) {
            let at = group.iter().filter(|d| is_sent(d)).map(|d| d.at).max();
            let rows: Vec<&Claimed> = group
                .iter()
                .filter(|d| is_sent(d))
                .map(|d| &d.row)
                .collect();
            self.store
                .mark_sent(&rows, at.unwrap_or_else(Utc::now))
                .await?;
            group.retain(|d| !is_sent(d));
        }
        let is_cancel = |d: &Done| matches!(d.outcome, Outcome::Cancel);
        if group.iter().any(is_cancel) {
            let at = group.iter().map(|d| d.at).max().unwrap_or_else(Utc::now);
            let ids: Vec<i64> = group
                .iter()
                .filter(|d| is_cancel(d))
                .map(|d| d.row.outbox_id)
                .collect();
            self.store
                .mark_cancelled(&ids, "recipient no longer subscribed", at)
                .await?;
            group.retain(|d| !is_cancel(d));
        }
        while let Some(pos) = group
            .iter()
            .position(|d| matches!(d.outcome, Outcome::Failed { .. }))
        {
            let d = &group[pos];
            if let Outcome::Failed { error, failure } = &d.outcome {
                self.store
                    .mark_failed(&d.row, *failure, &error.to_string(), d.at)
                    .await?;
            }
            group.remove(pos);
        }
        while let Some(until) = group.iter().find_map(|d| match d.outcome {
            Outcome::GiveBack(u) => Some(u),
            _ => None,
        }) {
            let same = |d: &Done| matches!(d.outcome, Outcome::GiveBack(u) if u == until);
            let at = group.iter().map(|d| d.at).max().unwrap_or_else(Utc::now);
            let ids: Vec<i64> = group
                .iter()
                .filter(|d| same(d))
                .map(|d| d.row.outbox_id)
                .collect();
            self.store.give_back(me, &ids, until, at).await?;
            group.retain(|d| !same(d));
        }
        Ok(())
    }
}

/// Repeated identical errors: the first of each kind is logged in full, the rest are counted
/// and reported once a minute as one line.
pub(super) struct ErrorLog {
    seen: Mutex<(Instant, HashMap<String, u64>)>,
}

impl Default for ErrorLog {
    fn default() -> Self {
        ErrorLog {
            seen: Mutex::new((Instant::now(), HashMap::new())),
        }
    }
}

impl ErrorLog {
    /// Counts `key`; true when it is the first of its kind since the last summary.
    pub fn first(&self, key: &str) -> bool {
        let mut s = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let n = s.1.entry(key.to_string()).or_default();
        *n += 1;
        *n == 1
    }

    /// Once a minute (or when `now`), logs how often each error repeated after its first line.
    pub fn summarise(&self, force: bool) {
        let mut s = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !force && s.0.elapsed() < std::time::Duration::from_secs(60) {
            return;
        }
        for (key, n) in s.1.drain() {
            if n > 1 {
                tracing::warn!(error = %key, repeats = n - 1, "the same failure happened again");
            }
        }
        s.0 = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_error_is_logged_once_then_counted() {
        let log = ErrorLog::default();
        assert!(log.first("email 550 5.7.1"));
        for _ in 0..5000 {
            assert!(!log.first("email 550 5.7.1"));
        }
        assert!(log.first("email 421"), "another error is logged in full");
        log.summarise(true);
        assert!(
            log.first("email 550 5.7.1"),
            "after the summary it is new again"
        );
    }
}
