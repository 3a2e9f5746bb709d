//! Distinct feed readers per area and day, counted without keeping anyone's address.
//!
//! A reader is a salted hash of (client address, User-Agent) under a salt that lives only in
//! memory and changes every day, so yesterday's hashes cannot be linked to anything. Aggregators
//! that fetch for many people say so in their User-Agent ("Feedly/1.0 (…; 16 subscribers)"):
//! they count as that many readers. Each process flushes its counts to the database now and then.

use crate::store::Store;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Keys kept per feed and day; past it, new readers are no longer told apart (memory stays bounded).
const MAX_READERS: usize = 100_000;

type Counts = HashMap<(i64, Option<String>), HashMap<[u8; 16], i64>>;

pub struct FeedReaders {
    instance: String,
    salt: Mutex<(i64, [u8; 32])>,
    counts: Mutex<Counts>,
}

impl Default for FeedReaders {
    fn default() -> Self {
        FeedReaders {
            instance: crate::domain::token::random_id(),
            salt: Mutex::new((0, [0; 32])),
            counts: Mutex::default(),
        }
    }
}

/// "… 16 subscribers" in an aggregator's User-Agent.
pub fn aggregator_subscribers(user_agent: &str) -> Option<i64> {
    let lower = user_agent.to_ascii_lowercase();
    let at = lower.find(" subscriber")?;
    let digits: String = lower[..at]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok().filter(|n| *n > 0)
}

fn day_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

impl FeedReaders {
    /// Notes one fetch of an area's feed (`None` for the all-areas feed).
    pub fn seen(
        &self,
        area: Option<&str>,
        ip: Option<IpAddr>,
        user_agent: &str,
        now: DateTime<Utc>,
    ) {
        let day = day_of(now);
        let salt = {
            let Ok(mut s) = self.salt.lock() else { return };
            if s.0 != day {
                *s = (day, rand::random());
            }
            s.1
        };
        let (key_material, weight) = match aggregator_subscribers(user_agent) {
            // An aggregator is one reader-set however many addresses it fetches from.
            Some(n) => (
                user_agent
                    .split(';')
                    .next()
                    .unwrap_or(user_agent)
                    .to_string(),
                n,
            ),
            None => (format!("{ip:?}|{user_agent}"), 1),
        };
        let mut h = Sha256::new();
        h.update(salt);
        h.update(key_material.as_bytes());
        let digest = h.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        let readers = counts.entry((day, area.map(str::to_string))).or_default();
        if readers.len() < MAX_READERS || readers.contains_key(&key) {
            let w = readers.entry(key).or_insert(0);
            *w = (*w).max(weight);
        }
    }

    /// Writes this process's counts; keeps only today's in memory afterwards.
    pub async fn flush(&self, store: &dyn Store, now: DateTime<Utc>) {
        let today = day_of(now);
        let snapshot: Vec<((i64, Option<String>), i64)> = match self.counts.lock() {
            Ok(mut c) => {
                let out = c
                    .iter()
                    .map(|(k, v)| (k.clone(), v.values().sum()))
                    .collect();
                c.retain(|(day, _), _| *day >= today);
                out
            }
            Err(_) => return,
        };
        for ((day, area), n) in snapshot {
            if let Err(e) = store
                .record_feed_readers(day, area.as_deref(), &self.instance, n, now)
                .await
            {
                tracing::warn!(error = %e, "cannot record feed readers");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregators_report_their_subscribers() {
        assert_eq!(
            aggregator_subscribers(
                "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 16 subscribers; like FeedFetcher-Google)"
            ),
            Some(16)
        );
        assert_eq!(
            aggregator_subscribers("Inoreader/1.0 (3 subscribers)"),
            Some(3)
        );
        assert_eq!(aggregator_subscribers("Mozilla/5.0"), None);
    }

    #[test]
    fn the_same_reader_counts_once_a_day_and_aggregators_by_their_number() {
        let r = FeedReaders::default();
        let now = Utc::now();
        let ip: Option<IpAddr> = "192.0.2.1".parse().ok();
        for _ in 0..5 {
            r.seen(Some("chesham"), ip, "NetNewsWire", now);
        }
        r.seen(
            Some("chesham"),
            "192.0.2.2".parse().ok(),
            "NetNewsWire",
            now,
        );
        r.seen(Some("chesham"), ip, "Feedly/1.0 (x; 16 subscribers)", now);
        r.seen(
            Some("chesham"),
            "198.51.100.7".parse().ok(),
            "Feedly/1.0 (x; 16 subscribers)",
            now,
        );
        let counts = r.counts.lock().unwrap();
        let total: i64 = counts[&(day_of(now), Some("chesham".to_string()))]
            .values()
            .sum();
        assert_eq!(total, 2 + 16);
    }
}
