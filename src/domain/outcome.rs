//! The plan's outcome targets and their RAG status, as the plan's own action tables show it.

use std::fmt;
use std::str::FromStr;

/// What an outcome target measures, from a reach report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Overall audience growth over the report's period, scaled to a year, in %.
    AudienceGrowthPctPerYear,
    /// The lowest confirmed subscribers per 1,000 households of any area with a household count.
    MinAreaPer1000Households,
    /// The highest share of a campaign's deliveries followed by an unsubscribe within 7 days, in %.
    MaxCampaignUnsubscribePct,
    /// Delivered messages as a share of delivered plus failed, in %.
    DeliveryRatePct,
    /// Confirmed sign-ups in the period.
    Signups,
    /// Residents who feel very or fairly safe after dark, in %, in the latest surveyed quarter.
    FeelSafePct,
    /// The change in that share from the quarter before, in percentage points.
    FeelSafeChangePts,
    /// Residents who feel very or fairly well informed about crime, in %, latest quarter.
    InformedPct,
    /// Answers saying a message helped them feel safer, in % of all answers.
    HelpfulPct,
}

impl Measure {
    /// Every measure.
    pub const ALL: [Measure; 9] = [
        Measure::AudienceGrowthPctPerYear,
        Measure::MinAreaPer1000Households,
        Measure::MaxCampaignUnsubscribePct,
        Measure::DeliveryRatePct,
        Measure::Signups,
        Measure::FeelSafePct,
        Measure::FeelSafeChangePts,
        Measure::InformedPct,
        Measure::HelpfulPct,
    ];

    /// The name used in `outcomes.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::AudienceGrowthPctPerYear => "audience_growth_pct_per_year",
            Measure::MinAreaPer1000Households => "min_area_per_1000_households",
            Measure::MaxCampaignUnsubscribePct => "max_campaign_unsubscribe_pct",
            Measure::DeliveryRatePct => "delivery_rate_pct",
            Measure::Signups => "signups",
            Measure::FeelSafePct => "feel_safe_pct",
            Measure::FeelSafeChangePts => "feel_safe_change_pts",
            Measure::InformedPct => "informed_pct",
            Measure::HelpfulPct => "helpful_pct",
        }
    }
}

impl Measure {
    /// What the measure is counted in, for a reader.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::AudienceGrowthPctPerYear => "% a year",
            Measure::MinAreaPer1000Households => "per 1,000 households",
            Measure::MaxCampaignUnsubscribePct | Measure::DeliveryRatePct => "%",
            Measure::Signups => "sign-ups",
            Measure::FeelSafePct | Measure::InformedPct | Measure::HelpfulPct => "%",
            Measure::FeelSafeChangePts => "points",
        }
    }
}

impl FromStr for Measure {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<_> = Self::ALL.iter().map(|m| m.as_str()).collect();
                format!("unknown measure `{s}`; expected one of {}", all.join(", "))
            })
    }
}

/// Which side of the target is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Good at or above the target.
    AtLeast,
    /// Good at or below the target.
    AtMost,
}

/// Red, Amber, Green; Grey when there is nothing to measure yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rag {
    /// On target.
    Green,
    /// Within the amber margin of the target.
    Amber,
    /// Off target by more than the margin.
    Red,
    /// Nothing to measure yet.
    Grey,
}

impl Rag {
    /// The lower-case name used in CSV and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
            Rag::Grey => "grey",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
            Rag::Grey => "No data yet",
        })
    }
}

/// One target from `outcomes.toml`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    /// Its identifier.
    pub id: String,
    /// What it means, in words.
    pub description: String,
    /// What is measured.
    pub measure: Measure,
    /// Which side of the target is good.
    pub direction: Direction,
    /// The target value.
    pub target: f64,
}

impl Outcome {
    /// Green when met; Amber when short by no more than `margin_pct` % of the target.
    pub fn rag(&self, actual: Option<f64>, margin_pct: f64) -> Rag {
        let Some(a) = actual else {
            return Rag::Grey;
        };
        // A target of 0 (no fall in a share) still has a margin: points, not a share of 0.
        let slack = if self.target == 0.0 {
            margin_pct / 10.0
        } else {
            self.target.abs() * margin_pct / 100.0
        };
        match self.direction {
            Direction::AtLeast if a >= self.target => Rag::Green,
            Direction::AtLeast if a >= self.target - slack => Rag::Amber,
            Direction::AtMost if a <= self.target => Rag::Green,
            Direction::AtMost if a <= self.target + slack => Rag::Amber,
            _ => Rag::Red,
        }
    }
}

/// The targets in `outcomes.toml`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Outcomes {
    /// How far off target (in % of the target) is still amber.
    pub amber_margin_pct: f64,
    /// The targets, in file order.
    pub targets: Vec<Outcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(direction: Direction, target: f64) -> Outcome {
        Outcome {
            id: "x".into(),
            description: String::new(),
            measure: Measure::Signups,
            direction,
            target,
        }
    }

    #[test]
    fn at_least_targets_are_green_when_met_amber_when_close_red_otherwise() {
        let o = outcome(Direction::AtLeast, 20.0);
        assert_eq!(o.rag(Some(20.0), 10.0), Rag::Green);
        assert_eq!(o.rag(Some(18.0), 10.0), Rag::Amber);
        assert_eq!(o.rag(Some(17.9), 10.0), Rag::Red);
        assert_eq!(o.rag(None, 10.0), Rag::Grey);
    }

    #[test]
    fn at_most_targets_mirror_them() {
        let o = outcome(Direction::AtMost, 1.0);
        assert_eq!(o.rag(Some(0.4), 10.0), Rag::Green);
        assert_eq!(o.rag(Some(1.1), 10.0), Rag::Amber);
        assert_eq!(o.rag(Some(1.5), 10.0), Rag::Red);
    }
}
