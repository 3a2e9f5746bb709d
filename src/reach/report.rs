//! What a reach report holds: the shapes of `beacon report --format json` and the console.

use super::crime::CrimeSection;
use super::perception::Perception;
use crate::domain::crime::{CrimeTable, Month};
use crate::domain::outcome::{Direction, Measure, Rag};
use crate::store::{
    CampaignCounts, DayCount, FeedbackCount, ReaderCount, SourceCount, SurveyCount,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

/// Counts below this are shown as "<10" wherever they describe one area.
pub const SMALL_CELL: i64 = 10;

/// A per-area count, or "<10".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Cell {
    Count(i64),
    Suppressed(&'static str),
}

impl Cell {
    pub fn of(n: i64) -> Cell {
        if n < SMALL_CELL {
            Cell::Suppressed("<10")
        } else {
            Cell::Count(n)
        }
    }

    /// Rounded down to a multiple of 10 (and "<10" below it): for figures that one person's
    /// action could otherwise be seen to move.
    pub fn rounded(n: i64) -> Cell {
        Cell::of(n - n.rem_euclid(SMALL_CELL))
    }

    pub fn is_suppressed(self) -> bool {
        matches!(self, Cell::Suppressed(_))
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Count(n) => write!(f, "{n}"),
            Cell::Suppressed(s) => f.write_str(s),
        }
    }
}

/// The dates a report covers, both inclusive (UTC days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The longest period one report may cover: enough for a five-year plan, and small enough that
/// a report's daily series stays a few thousand points.
pub const MAX_PERIOD_DAYS: i64 = 5 * 366;

/// Why a requested period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the start {from} is after the end {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("dates must fall between {from} and {to}; {0} does not", from = earliest(), to = latest())]
    OutOfRange(NaiveDate),
    #[error("a report covers at most {MAX_PERIOD_DAYS} days (five years); {0} days were asked for")]
    TooLong(i64),
}

/// Beacon holds nothing from before 2000, nor plans past 2099.
fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn latest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or(NaiveDate::MAX)
}

impl Period {
    /// A period from `from` to `to`, both inclusive, if it is one a report can cover.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        for d in [from, to] {
            if d < earliest() || d > latest() {
                return Err(PeriodError::OutOfRange(d));
            }
        }
        if from > to {
            return Err(PeriodError::Reversed { from, to });
        }
        let p = Period { from, to };
        if p.days() > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong(p.days()));
        }
        Ok(p)
    }

    /// `from`..`to` as asked; a missing end is `today`, a missing start `default_days` before the end.
    pub fn asked(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        default_days: i64,
        today: NaiveDate,
    ) -> Result<Period, PeriodError> {
        let to = to.unwrap_or(today);
        let from = match from {
            Some(f) => f,
            None => to
                .checked_sub_signed(Duration::days(default_days))
                .ok_or(PeriodError::OutOfRange(to))?,
        };
        Period::new(from, to)
    }

    /// The last `days` days up to and including `today`.
    pub fn last(days: i64, today: NaiveDate) -> Period {
        Period {
            from: today - Duration::days(days),
            to: today,
        }
    }

    pub fn start(&self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.from.and_time(chrono::NaiveTime::MIN))
    }

    /// The instant just after the last day.
    pub fn end(&self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&(self.to + Duration::days(1)).and_time(chrono::NaiveTime::MIN))
    }

    /// The same number of days just before this period, if a report could cover it.
    pub fn before(&self) -> Option<Period> {
        let to = self.from.pred_opt()?;
        let from = to.checked_sub_signed(Duration::days(self.days() - 1))?;
        Period::new(from, to).ok()
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub audience: i64,
    pub subscribers: i64,
    pub feed_readers: i64,
    pub baseline_subscribers: i64,
    pub growth_pct: Option<f64>,
    pub signups: i64,
    pub delivered: i64,
    pub failed: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaReach {
    pub slug: String,
    pub name: String,
    pub district: String,
    pub households: Option<u32>,
    pub audience: Cell,
    pub subscribers: Cell,
    pub feed_readers: Cell,
    pub signups: Cell,
    pub per_1000_households: Option<f64>,
    pub growth_pct: Option<f64>,
    /// More subscribers than households: a figure that cannot be true is not shown as one.
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceArea {
    pub slug: String,
    pub signups: Cell,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceReach {
    pub source: String,
    pub signups: i64,
    pub areas: Vec<SourceArea>,
}

/// One campaign's counts from the store, and its unsubscribe rate.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignReach {
    /// Runs, deliveries, residents reached, webhook posts, failures, bounces and leavers.
    #[serde(flatten)]
    pub counts: CampaignCounts,
    /// Unsubscribes within 7 days over distinct residents reached.
    pub unsubscribe_pct: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PriorityReach {
    pub priority: String,
    pub label: String,
    pub delivered: i64,
    pub failed: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutcomeStatus {
    pub id: String,
    pub description: String,
    pub measure: Measure,
    pub direction: Direction,
    pub target: f64,
    pub actual: Option<f64>,
    pub rag: Rag,
    /// What the figures are counted in ("%", "per 1,000 households"…).
    pub unit: &'static str,
    /// The same measure over the period before, when it was asked for.
    pub previous: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Point {
    pub date: NaiveDate,
    pub subscribers: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub period: Period,
    pub generated_at: DateTime<Utc>,
    pub totals: Totals,
    pub areas: Vec<AreaReach>,
    /// Area slugs with households, lowest subscribers per 1,000 households first.
    pub lowest_penetration: Vec<String>,
    pub sources: Vec<SourceReach>,
    pub campaigns: Vec<CampaignReach>,
    pub priorities: Vec<PriorityReach>,
    pub outcomes: Vec<OutcomeStatus>,
    pub series: Vec<Point>,
    /// Figures that cannot be true (more subscribers than households), in words; they are left
    /// out of the charts and the outcome measures rather than shown as fact.
    pub warnings: Vec<String>,
    /// The same length of time just before, for comparison (the board report asks for it).
    pub previous: Option<Previous>,
    /// How safe and informed residents feel, and whether messages helped (issue 13).
    pub perception: Perception,
    /// Recorded crime per 1,000 households, from police.uk.
    pub crime: CrimeSection,
}

/// The period before a report's own, for "last time" beside each figure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Previous {
    pub period: Period,
    pub totals: Totals,
}

/// The raw counts a report is built from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub days: Vec<DayCount>,
    pub sources: Vec<SourceCount>,
    pub campaigns: Vec<CampaignCounts>,
    pub readers: Vec<ReaderCount>,
    pub surveys: Vec<SurveyCount>,
    pub feedback: Vec<FeedbackCount>,
    /// The police.uk months the report counts, and their figures.
    pub crime_months: Vec<Month>,
    pub crime: CrimeTable,
}
