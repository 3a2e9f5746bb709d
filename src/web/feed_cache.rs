//! Rendered feeds kept in memory, so a busy feed costs no database round trip. An entry is
//! dropped when this process publishes (the generation moves) and after a short time, so
//! messages published by another process on the same database appear within seconds.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct CachedFeed {
    pub body: axum::body::Bytes,
    pub etag: String,
    pub last_modified: Option<String>,
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

    pub fn put(&self, key: &str, body: String, last_modified: Option<String>) -> Arc<CachedFeed> {
        let etag = format!(
            "\"{}\"",
            hex::encode(&Sha256::digest(body.as_bytes())[..12])
        );
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
