//! Rendered feeds kept in memory, so a busy feed costs no database round trip. An entry is
//! dropped when this process publishes (the generation moves) and after a short time, so
//! messages published by another process on the same database appear within seconds.

use axum_extra::headers::ETag;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

const TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct CachedFeed {
    pub body: axum::body::Bytes,
    /// Weak, hex between quotes, which always parses; `None` only if that ever changed.
    pub etag: Option<ETag>,
    pub last_modified: Option<SystemTime>,
    generation: u64,
    made: Instant,
}

#[derive(Debug)]
pub struct FeedCache {
    published: Arc<AtomicU64>,
    entries: RwLock<HashMap<String, Arc<CachedFeed>>>,
}

impl FeedCache {
    pub fn new(published: Arc<AtomicU64>) -> Self {
        FeedCache {
            published,
            entries: RwLock::default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<CachedFeed>> {
        let generation = self.published.load(Ordering::Relaxed);
        let entries = self.entries.read().ok()?;
        entries
            .get(key)
            .filter(|c| c.generation == generation && c.made.elapsed() < TTL)
            .cloned()
    }

    pub fn put(
        &self,
        key: &str,
        body: String,
        last_modified: Option<DateTime<Utc>>,
    ) -> Arc<CachedFeed> {
        let digest = hex::encode(&Sha256::digest(body.as_bytes())[..12]);
        // Weak: the same feed goes out plain, gzip or brotli (RFC 9110 §8.8.1), and a strong tag
        // would claim those bytes identical.
        let etag = format!("W/\"{digest}\"").parse().ok();
        // HTTP dates have whole seconds: what we send is what `If-Modified-Since` echoes back.
        let last_modified =
            last_modified.and_then(|t| DateTime::from_timestamp(t.timestamp(), 0).map(Into::into));
        let feed = Arc::new(CachedFeed {
            body: axum::body::Bytes::from(body),
            etag,
            last_modified,
            generation: self.published.load(Ordering::Relaxed),
            made: Instant::now(),
        });
        if let Ok(mut e) = self.entries.write() {
            if e.len() > 1000 {
                e.clear();
            }
            e.insert(key.to_string(), feed.clone());
        }
        feed
    }
}
