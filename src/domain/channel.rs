//! The ways a campaign reaches people.

use std::fmt;
use std::str::FromStr;

/// A way a campaign goes out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail to each subscriber.
    Email,
    /// An entry in the area's Atom/RSS/CAP feeds.
    Feed,
    /// A signed POST to each partner endpoint.
    Webhook,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Feed, Channel::Webhook];

    /// The name used in files, rows and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Feed => "feed",
            Channel::Webhook => "webhook",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown channel `{s}`; expected one of email, feed, webhook"))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
