//! A message published to the feeds, as the store reads it back and the feeds show it.

use chrono::{DateTime, Utc};

/// One published message as a feed shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The run it came from (its id in feeds and the archive).
    pub run_id: i64,
    /// The campaign's title.
    pub title: String,
    /// One or two sentences for feed readers.
    pub summary: String,
    /// The message as written, in Markdown.
    pub body_markdown: String,
    /// The partner leading the campaign.
    pub lead: String,
    /// The priority's slug.
    pub priority: String,
    /// When it was published to the feed.
    pub published: DateTime<Utc>,
}
