//! A message published to the feeds, as the store reads it back and the feeds show it.

use chrono::{DateTime, Utc};

/// One published message as a feed shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    pub run_id: i64,
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub lead: String,
    pub priority: String,
    pub published: DateTime<Utc>,
}
