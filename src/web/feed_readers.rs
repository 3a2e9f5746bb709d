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

/// Per day, per feed (`""` for all areas), each reader's hash and weight.
type Counts = HashMap<i64, HashMap<String, HashMap<[u8; 16], i64>>>;

struct Tally {
    /// The salt's day and value; a new day draws a new salt.
    day: i64,
    salt: [u8; 32],
    counts: Counts,
}

pub struct FeedReaders {
    instance: String,
    tally: Mutex<Tally>,
}

impl Default for FeedReaders {
    fn default() -> Self {
        FeedReaders {
            instance: crate::domain::token::random_id(),
            tally: Mutex::new(Tally {
                day: 0,
                salt: [0; 32],
                counts: HashMap::new(),
            }),
        }
    }
}

/// "… 16 subscribers" in an aggregator's User-Agent.
pub fn aggregator_subscribers(user_agent: &str) -> Option<i64> {
    const WORD: &[u8] = b" subscriber";
    let ua = user_agent.as_bytes();
    let at = ua
        .windows(WORD.len())
        .position(|w| w.eq_ignore_ascii_case(WORD))?;
    let start = ua[..at]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    user_agent[start..at].parse().ok().filter(|n| *n > 0)
}

fn day_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

impl FeedReaders {
    /// Notes one fetch of an area's feed (`None` for the all-areas feed). On the feed's hot
    /// path: one lock, one hash, no allocation for a reader already seen today.
    pub fn seen(
        &self,
        area: Option<&str>,
        ip: Option<IpAddr>,
        user_agent: &str,
        now: DateTime<Utc>,
    ) {
        let day = day_of(now);
        let Ok(mut tally) = self.tally.lock() else {
            return;
        };
        if tally.day != day {
            tally.day = day;
            tally.salt = rand::random();
        }
        let mut h = Sha256::new();
        h.update(tally.salt);
        let weight = match aggregator_subscribers(user_agent) {
            // An aggregator is one reader-set however many addresses it fetches from.
            Some(n) => {
                h.update(user_agent.split(';').next().unwrap_or(user_agent));
                n
            }
            None => {
                match ip {
                    Some(IpAddr::V4(v4)) => h.update(v4.octets()),
                    Some(IpAddr::V6(v6)) => h.update(v6.octets()),
                    None => {}
                }
                h.update(b"|");
                h.update(user_agent);
                1
            }
        };
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize()[..16]);
        let feeds = tally.counts.entry(day).or_default();
        let area = area.unwrap_or("");
        let readers = match feeds.get_mut(area) {
            Some(r) => r,
            None => feeds.entry(area.to_string()).or_default(),
        };
        if readers.len() < MAX_READERS || readers.contains_key(&key) {
            let w = readers.entry(key).or_insert(0);
            *w = (*w).max(weight);
        }
    }

    /// Writes this process's counts; keeps only today's in memory afterwards.
    pub async fn flush(&self, store: &dyn Store, now: DateTime<Utc>) {
        let today = day_of(now);
        let snapshot: Vec<(i64, String, i64)> = match self.tally.lock() {
            Ok(mut t) => {
                let out = t
                    .counts
                    .iter()
                    .flat_map(|(day, feeds)| {
                        feeds
                            .iter()
                            .map(|(area, readers)| (*day, area.clone(), readers.values().sum()))
                    })
                    .collect();
                t.counts.retain(|day, _| *day >= today);
                out
            }
            Err(_) => return,
        };
        for (day, area, n) in snapshot {
            let area = (!area.is_empty()).then_some(area.as_str());
            if let Err(e) = store
                .record_feed_readers(day, area, &self.instance, n, now)
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
        let tally = r.tally.lock().unwrap();
        let total: i64 = tally.counts[&day_of(now)]["chesham"].values().sum();
        assert_eq!(total, 2 + 16);
    }
}
