//! Distinct feed readers per area and day, counted without keeping anyone's address.
//!
//! A reader is a salted hash of (client address, User-Agent) under a salt that lives only in
//! memory and changes every day, so yesterday's hashes cannot be linked to anything. Aggregators
//! that fetch for many people say so in their User-Agent ("Feedly/1.0 (…; 16 subscribers)").
//! Anyone can write that, so a claim is a claim: believed only from the aggregators configured in
//! `feeds.aggregators`, capped at the area's households and `feeds.max_claimed_readers`, and kept
//! as one figure per aggregator, area and day however many processes or fetches repeat it.
//! Each process flushes its counts to the database now and then.

use crate::config::FeedsConfig;
use crate::store::SqlStore;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;

/// Keys kept per feed and day; past it, new readers are no longer told apart (memory stays bounded).
const MAX_READERS: usize = 100_000;

/// Per day, per feed (`""` for all areas): the readers' hashes.
type Readers = HashMap<i64, HashMap<String, HashSet<[u8; 16]>>>;
/// Per day, per feed, per known aggregator (its place in the list): the largest (capped) number
/// it claimed.
type Claims = HashMap<i64, HashMap<String, HashMap<usize, i64>>>;

struct Tally {
    /// The salt's day and value; a new day draws a new salt.
    day: i64,
    salt: [u8; 32],
    readers: Readers,
    claims: Claims,
}

pub struct FeedReaders {
    instance: String,
    /// Known aggregators' names, lower-cased.
    aggregators: Vec<String>,
    ceiling: i64,
    tally: Mutex<Tally>,
}

impl Default for FeedReaders {
    fn default() -> Self {
        FeedReaders::new(&FeedsConfig::default())
    }
}

/// "… 16 subscribers" in an aggregator's User-Agent; absurd numbers saturate rather than fail.
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
    let n = ua[start..at].iter().try_fold(0i64, |n, d| {
        Some(n.saturating_mul(10).saturating_add(i64::from(d - b'0')))
    })?;
    (start < at && n > 0).then_some(n)
}

fn day_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

impl FeedReaders {
    pub fn new(config: &FeedsConfig) -> Self {
        let aggregators = config
            .aggregators
            .iter()
            .map(|a| a.trim().to_ascii_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        FeedReaders {
            instance: crate::auth::token::random_id(),
            aggregators,
            ceiling: i64::from(config.max_claimed_readers),
            tally: Mutex::new(Tally {
                day: 0,
                salt: [0; 32],
                readers: HashMap::new(),
                claims: HashMap::new(),
            }),
        }
    }

    /// The known aggregator whose product name starts `user_agent`, if any.
    fn aggregator(&self, user_agent: &str) -> Option<usize> {
        let ua = user_agent.trim_start().as_bytes();
        self.aggregators.iter().position(|name| {
            ua.len() >= name.len()
                && ua[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && ua
                    .get(name.len())
                    .is_none_or(|b| !b.is_ascii_alphanumeric())
        })
    }

    /// Notes one fetch of an area's feed (`None` for the all-areas feed), whose area holds
    /// `households` (summed over areas for the all-areas feed). On the feed's hot path: one
    /// lock, one hash, no allocation for a reader already seen today.
    pub fn seen(
        &self,
        area: Option<&str>,
        households: Option<u64>,
        ip: Option<IpAddr>,
        user_agent: &str,
        now: DateTime<Utc>,
    ) {
        let day = day_of(now);
        let claim = self
            .aggregator(user_agent)
            .zip(aggregator_subscribers(user_agent));
        let Ok(mut tally) = self.tally.lock() else {
            return;
        };
        if tally.day != day {
            tally.day = day;
            tally.salt = rand::random();
        }
        let area = area.unwrap_or("");
        if let Some((agent, n)) = claim {
            let cap = households.map_or(self.ceiling, |h| {
                self.ceiling.min(i64::try_from(h).unwrap_or(i64::MAX))
            });
            let feeds = tally.claims.entry(day).or_default();
            let agents = match feeds.get_mut(area) {
                Some(a) => a,
                None => feeds.entry(area.to_string()).or_default(),
            };
            let w = agents.entry(agent).or_insert(0);
            *w = (*w).max(n.min(cap));
            return;
        }
        let mut h = Sha256::new();
        h.update(tally.salt);
        match ip {
            Some(IpAddr::V4(v4)) => h.update(v4.octets()),
            Some(IpAddr::V6(v6)) => h.update(v6.octets()),
            None => {}
        }
        h.update(b"|");
        h.update(user_agent);
        let mut key = [0u8; 16];
        key.copy_from_slice(&h.finalize()[..16]);
        let feeds = tally.readers.entry(day).or_default();
        let readers = match feeds.get_mut(area) {
            Some(r) => r,
            None => feeds.entry(area.to_string()).or_default(),
        };
        if readers.len() < MAX_READERS {
            readers.insert(key);
        }
    }

    /// Writes this process's counts and the aggregators' claims; keeps only today's in memory.
    pub async fn flush(&self, store: &SqlStore, now: DateTime<Utc>) {
        let today = day_of(now);
        type Snapshot = (Vec<(i64, String, i64)>, Vec<(i64, String, usize, i64)>);
        let (readers, claims): Snapshot = match self.tally.lock() {
            Ok(mut t) => {
                let readers = t
                    .readers
                    .iter()
                    .flat_map(|(day, feeds)| {
                        feeds
                            .iter()
                            .map(|(area, r)| (*day, area.clone(), r.len() as i64))
                    })
                    .collect();
                let claims = t
                    .claims
                    .iter()
                    .flat_map(|(day, feeds)| {
                        feeds.iter().flat_map(move |(area, agents)| {
                            agents
                                .iter()
                                .map(move |(agent, n)| (*day, area.clone(), *agent, *n))
                        })
                    })
                    .collect();
                t.readers.retain(|day, _| *day >= today);
                t.claims.retain(|day, _| *day >= today);
                (readers, claims)
            }
            Err(_) => return,
        };
        for (day, area, n) in readers {
            let area = (!area.is_empty()).then_some(area.as_str());
            if let Err(e) = store
                .record_feed_readers(day, area, &self.instance, n, now)
                .await
            {
                tracing::warn!(error = %e, "cannot record feed readers");
            }
        }
        for (day, area, agent, n) in claims {
            let area = (!area.is_empty()).then_some(area.as_str());
            let Some(agent) = self.aggregators.get(agent) else {
                continue;
            };
            if let Err(e) = store.record_feed_claim(day, area, agent, n, now).await {
                tracing::warn!(error = %e, "cannot record an aggregator's claim");
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
        assert_eq!(
            aggregator_subscribers("x (99999999999999999999999 subscribers)"),
            Some(i64::MAX)
        );
    }

    #[test]
    fn only_known_aggregators_are_believed_and_never_beyond_the_caps() {
        let r = FeedReaders::default();
        let now = Utc::now();
        r.seen(
            Some("a"),
            Some(300),
            None,
            "EvilBot/1.0 (1000000 subscribers)",
            now,
        );
        r.seen(
            Some("a"),
            Some(300),
            None,
            "Feedlyish (1000000 subscribers)",
            now,
        );
        r.seen(
            Some("a"),
            Some(300),
            None,
            "feedly/2 (9223372036854775807 subscribers)",
            now,
        );
        r.seen(
            None,
            None,
            None,
            "The Old Reader (1000000 subscribers)",
            now,
        );
        let tally = r.tally.lock().unwrap();
        let day = day_of(now);
        assert_eq!(
            tally.readers[&day]["a"].len(),
            2,
            "unknown agents are one reader each"
        );
        let feedly = r.aggregator("Feedly/1.0").unwrap();
        let old_reader = r.aggregator("The Old Reader").unwrap();
        assert_eq!(
            tally.claims[&day]["a"][&feedly], 300,
            "at most the households"
        );
        assert_eq!(
            tally.claims[&day][""][&old_reader], 5_000,
            "at most the ceiling"
        );
    }

    #[test]
    fn the_same_reader_counts_once_a_day_and_aggregators_by_their_number() {
        let r = FeedReaders::default();
        let now = Utc::now();
        let ip: Option<IpAddr> = "192.0.2.1".parse().ok();
        let h = Some(4000);
        for _ in 0..5 {
            r.seen(Some("chesham"), h, ip, "NetNewsWire", now);
        }
        r.seen(
            Some("chesham"),
            h,
            "192.0.2.2".parse().ok(),
            "NetNewsWire",
            now,
        );
        r.seen(
            Some("chesham"),
            h,
            ip,
            "Feedly/1.0 (x; 16 subscribers)",
            now,
        );
        r.seen(
            Some("chesham"),
            h,
            "198.51.100.7".parse().ok(),
            "Feedly/1.0 (x; 16 subscribers)",
            now,
        );
        let tally = r.tally.lock().unwrap();
        let day = day_of(now);
        assert_eq!(tally.readers[&day]["chesham"].len(), 2);
        assert_eq!(
            tally.claims[&day]["chesham"][&0], 16,
            "Feedly, first in the list"
        );
    }
}
