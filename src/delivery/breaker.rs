//! The circuit breaker: a sliding window of recent attempts per channel. When too many fail
//! permanently, or fail with the same reply, the channel is paused before a misbehaving server
//! can fail (or suppress) the whole list.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
pub struct BreakerSettings {
    pub window: usize,
    pub min_attempts: usize,
    pub percent: u32,
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings {
            window: 200,
            min_attempts: 50,
            percent: 20,
        }
    }
}

/// One attempt as the breaker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Ok,
    /// Failed for a reason that may pass; `key` names the reply.
    Transient {
        key: String,
    },
    /// Failed for good (including a mailbox bounce).
    Permanent {
        key: String,
    },
}

#[derive(Default)]
struct Window {
    attempts: VecDeque<Attempt>,
}

#[derive(Default)]
pub struct Breaker {
    settings: BreakerSettings,
    channels: Mutex<HashMap<String, Window>>,
}

impl Breaker {
    pub fn new(settings: BreakerSettings) -> Self {
        Breaker {
            settings,
            channels: Mutex::default(),
        }
    }

    /// Adds an attempt; `Some(reason)` when this one trips the breaker (the window then starts
    /// afresh, so a resumed channel is judged on new attempts only).
    pub fn record(&self, channel: &str, attempt: Attempt) -> Option<String> {
        let s = self.settings;
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        let w = channels.entry(channel.to_string()).or_default();
        w.attempts.push_back(attempt);
        while w.attempts.len() > s.window.max(1) {
            w.attempts.pop_front();
        }
        let n = w.attempts.len();
        if n < s.min_attempts.max(1) {
            return None;
        }
        let mut permanent = 0usize;
        let mut same: HashMap<&str, usize> = HashMap::new();
        for a in &w.attempts {
            match a {
                Attempt::Ok => {}
                Attempt::Transient { key } => *same.entry(key).or_default() += 1,
                Attempt::Permanent { key } => {
                    permanent += 1;
                    *same.entry(key).or_default() += 1;
                }
            }
        }
        let (top_key, top) = same
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.to_string(), *n))
            .unwrap_or_default();
        let over = |k: usize| k * 100 > n * s.percent as usize;
        if !(over(permanent) || over(top)) {
            return None;
        }
        let reason = format!(
            "{permanent} of the last {n} attempts failed permanently, {top} with the same reply ({top_key})"
        );
        w.attempts.clear();
        Some(reason)
    }

    /// Forgets a channel's window (an editor resumed it, or a probe went through).
    pub fn reset(&self, channel: &str) {
        if let Ok(mut c) = self.channels.lock() {
            c.remove(channel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm() -> Attempt {
        Attempt::Permanent {
            key: "550 5.7.1".into(),
        }
    }

    #[test]
    fn a_server_refusing_everything_trips_at_the_minimum_and_not_before() {
        let b = Breaker::new(BreakerSettings::default());
        for i in 1..50 {
            assert_eq!(b.record("email", perm()), None, "attempt {i}");
        }
        let reason = b.record("email", perm()).expect("trips at 50");
        assert!(reason.contains("550 5.7.1"), "{reason}");
        assert_eq!(b.record("email", perm()), None, "the window starts afresh");
    }

    #[test]
    fn a_few_dead_mailboxes_among_many_deliveries_do_not_trip() {
        let b = Breaker::new(BreakerSettings::default());
        for i in 0..1000 {
            let a = if i % 10 == 0 {
                Attempt::Permanent {
                    key: "550 5.1.1".into(),
                }
            } else {
                Attempt::Ok
            };
            assert_eq!(b.record("email", a), None);
        }
    }

    #[test]
    fn the_same_temporary_reply_on_most_attempts_trips() {
        let b = Breaker::new(BreakerSettings::default());
        let mut tripped = false;
        for i in 0..100 {
            let a = if i % 2 == 0 {
                Attempt::Transient { key: "421".into() }
            } else {
                Attempt::Ok
            };
            tripped |= b.record("email", a).is_some();
        }
        assert!(tripped);
    }

    #[test]
    fn channels_are_judged_apart() {
        let b = Breaker::new(BreakerSettings::default());
        for _ in 0..49 {
            b.record("webhook", perm());
        }
        for _ in 0..100 {
            assert_eq!(b.record("email", Attempt::Ok), None);
        }
    }
}
