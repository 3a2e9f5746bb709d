//! What the workers of one process share: their delivery session, the circuit breaker, the
//! window of sent-but-unrecorded messages, throttling holds, and the rows in hand.

use super::breaker::{Breaker, BreakerSettings};
use super::recorder::ErrorLog;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, Semaphore};

/// How a process guards its work against faults.
#[derive(Debug, Clone, Copy)]
pub struct Reliability {
    pub heartbeat: std::time::Duration,
    /// Another process silent this long is dead; its rows are taken back.
    pub dead_after: Duration,
    /// How often a paused channel is probed with one message.
    pub probe_every: Duration,
    pub breaker: BreakerSettings,
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability {
            heartbeat: std::time::Duration::from_secs(2),
            dead_after: Duration::seconds(15),
            probe_every: Duration::seconds(60),
            breaker: BreakerSettings::default(),
        }
    }
}

/// What a process's workers share: their session, the breaker, the unrecorded window.
pub struct WorkerState {
    pub(super) session: OnceCell<i64>,
    pub(super) last_beat: Mutex<Option<DateTime<Utc>>>,
    pub(super) breaker: Breaker,
    /// Messages sent (or on the wire) and not yet recorded: at most the SMTP pool size.
    pub(super) window: Arc<Semaphore>,
    paused: Mutex<HashSet<String>>,
    /// Per channel: hold sends until, and the hold's current length in seconds.
    throttle: Mutex<HashMap<String, (DateTime<Utc>, i64)>>,
    /// Rows finished per second, as last observed: sizes the next claim.
    pub(super) rate: Mutex<Option<f64>>,
    pub(super) errors: ErrorLog,
    pub(super) record_failures: AtomicU64,
    /// Rows this process's steps are working on (claimed, not yet recorded).
    in_hand: Mutex<HashSet<i64>>,
}

/// Rows in hand for one step; they leave the set however the step ends.
pub(super) struct InHand<'a> {
    state: &'a WorkerState,
    ids: Vec<i64>,
}

impl Drop for InHand<'_> {
    fn drop(&mut self) {
        if let Ok(mut h) = self.state.in_hand.lock() {
            for id in &self.ids {
                h.remove(id);
            }
        }
    }
}

impl WorkerState {
    pub fn new(window: usize, breaker: BreakerSettings) -> Self {
        WorkerState {
            session: OnceCell::new(),
            last_beat: Mutex::new(None),
            breaker: Breaker::new(breaker),
            window: Arc::new(Semaphore::new(window.max(1))),
            paused: Mutex::default(),
            throttle: Mutex::default(),
            rate: Mutex::new(None),
            errors: ErrorLog::default(),
            record_failures: AtomicU64::new(0),
            in_hand: Mutex::default(),
        }
    }

    /// Times a group of outcomes could not be written and was tried again.
    pub fn record_failures(&self) -> u64 {
        self.record_failures.load(Ordering::Relaxed)
    }

    /// Logs a failed worker step (the database is down, say) once, then counts repeats.
    pub fn step_failed(&self, error: &dyn std::fmt::Display) {
        if self.errors.first(&format!("worker step: {error}")) {
            tracing::error!(%error, "worker step failed; will retry (repeats are counted, not logged)");
        }
    }

    /// This process's delivery session, once it has one.
    pub fn session(&self) -> Option<i64> {
        self.session.get().copied()
    }

    pub(super) fn take_in_hand(&self, ids: Vec<i64>) -> InHand<'_> {
        if let Ok(mut h) = self.in_hand.lock() {
            h.extend(ids.iter().copied());
        }
        InHand { state: self, ids }
    }

    pub(super) fn in_hand(&self) -> Vec<i64> {
        self.in_hand
            .lock()
            .map(|h| h.iter().copied().collect())
            .unwrap_or_default()
    }

    pub(super) fn is_paused(&self, channel: &str) -> bool {
        self.paused.lock().is_ok_and(|p| p.contains(channel))
    }

    pub(super) fn set_paused(&self, channel: &str, paused: bool) {
        if let Ok(mut p) = self.paused.lock() {
            if paused {
                p.insert(channel.to_string());
            } else {
                p.remove(channel);
            }
        }
    }

    pub(super) fn throttled_until(
        &self,
        channel: &str,
        at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let t = self.throttle.lock().ok()?;
        t.get(channel).map(|(u, _)| *u).filter(|u| *u > at)
    }

    /// A throttling reply: hold the channel 5 s, doubling while it lasts, up to 5 min.
    pub(super) fn throttle(&self, channel: &str, at: DateTime<Utc>) -> DateTime<Utc> {
        let mut t = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        let secs = t.get(channel).map_or(5, |(_, s)| (s * 2).min(300));
        let until = at + Duration::seconds(secs);
        t.insert(channel.to_string(), (until, secs));
        until
    }

    pub(super) fn went_through(&self, channel: &str) {
        if let Ok(mut t) = self.throttle.lock() {
            t.remove(channel);
        }
    }
}
