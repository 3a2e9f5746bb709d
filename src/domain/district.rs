//! The two former districts the partnership covers, Chiltern and South Bucks.

use std::fmt;
use std::str::FromStr;

/// The two former districts the partnership covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum District {
    /// Chiltern District.
    Chiltern,
    /// South Bucks District.
    SouthBucks,
}

impl District {
    /// Both districts, in display order.
    pub const ALL: [District; 2] = [District::Chiltern, District::SouthBucks];

    /// The name used in files and URLs (`chiltern`, `south-bucks`).
    pub fn slug(self) -> &'static str {
        match self {
            District::Chiltern => "chiltern",
            District::SouthBucks => "south-bucks",
        }
    }

    /// The name shown to people.
    pub fn name(self) -> &'static str {
        match self {
            District::Chiltern => "Chiltern",
            District::SouthBucks => "South Bucks",
        }
    }
}

impl FromStr for District {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.slug() == s)
            .ok_or_else(|| format!("unknown district `{s}`; expected `chiltern` or `south-bucks`"))
    }
}

impl fmt::Display for District {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}
