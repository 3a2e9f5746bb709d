//! The partnership plan's five priorities, which are also the topics residents choose.

use std::fmt;
use std::str::FromStr;

/// A priority of the Community Safety Plan; campaigns serve one and residents follow them as topics.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Priority {
    /// Burglary and vehicle crime.
    BurglaryVehicle,
    /// Vulnerability and safeguarding.
    VulnerabilitySafeguarding,
    /// Violence and domestic abuse.
    ViolenceDomesticAbuse,
    /// Community resilience.
    CommunityResilience,
    /// Fear of crime.
    FearOfCrime,
}

impl Priority {
    /// Every priority, in the plan's order.
    pub const ALL: [Priority; 5] = [
        Priority::BurglaryVehicle,
        Priority::VulnerabilitySafeguarding,
        Priority::ViolenceDomesticAbuse,
        Priority::CommunityResilience,
        Priority::FearOfCrime,
    ];

    /// The name used in files, forms and URLs.
    pub fn slug(self) -> &'static str {
        match self {
            Priority::BurglaryVehicle => "burglary-vehicle",
            Priority::VulnerabilitySafeguarding => "vulnerability-safeguarding",
            Priority::ViolenceDomesticAbuse => "violence-domestic-abuse",
            Priority::CommunityResilience => "community-resilience",
            Priority::FearOfCrime => "fear-of-crime",
        }
    }

    /// The words a resident sees when choosing topics.
    pub fn resident_label(self) -> &'static str {
        match self {
            Priority::BurglaryVehicle => "Burglary and vehicle crime",
            Priority::VulnerabilitySafeguarding => "Scams, fraud and exploitation",
            Priority::ViolenceDomesticAbuse => "Violence and domestic abuse",
            Priority::CommunityResilience => "Community and Neighbourhood Watch",
            Priority::FearOfCrime => "Local crime news",
        }
    }

    /// Every slug, comma-separated, for error messages.
    pub fn slugs() -> String {
        Self::ALL.map(Priority::slug).join(", ")
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.slug() == s)
            .ok_or_else(|| {
                format!(
                    "unknown priority `{s}`; expected one of {}{}",
                    Self::slugs(),
                    super::suggest::did_you_mean(s, Self::ALL.iter().map(|p| p.slug()))
                )
            })
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for p in Priority::ALL {
            assert_eq!(p.slug().parse::<Priority>().unwrap(), p);
        }
        assert!(
            "burglary"
                .parse::<Priority>()
                .unwrap_err()
                .contains("fear-of-crime")
        );
    }
}
