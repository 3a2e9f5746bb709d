//! Seasons: the part of each year in which a campaign runs, which may wrap the new year.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A day of the year as `MM-DD`. 29 February is allowed; in other years nothing falls on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MonthDay {
    /// The month, 1–12.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
}

impl FromStr for MonthDay {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("`{s}` is not a day of the year; write it as \"MM-DD\", like \"10-25\"");
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        if m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let month: u32 = m.parse().map_err(|_| bad())?;
        let day: u32 = d.parse().map_err(|_| bad())?;
        // 2024 is a leap year, so every real MM-DD is a valid date in it.
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

/// Both ends inclusive. `from > to` means the season wraps the new year (e.g. 11-01 to 01-31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    /// The first day.
    pub from: MonthDay,
    /// The last day.
    pub to: MonthDay,
}

impl Season {
    /// Whether `date` falls within the season.
    pub fn contains(&self, date: NaiveDate) -> bool {
        let d = MonthDay {
            month: date.month(),
            day: date.day(),
        };
        if self.from <= self.to {
            self.from <= d && d <= self.to
        } else {
            d >= self.from || d <= self.to
        }
    }
}

impl MonthDay {
    /// "25 October".
    pub fn in_words(&self) -> String {
        let month = crate::domain::schedule_words::month_name(self.month).unwrap_or("");
        format!("{} {month}", self.day)
    }

    /// "25 Oct".
    pub fn short_words(&self) -> String {
        let month = crate::domain::schedule_words::month_name(self.month).unwrap_or("");
        format!("{} {}", self.day, month.get(..3).unwrap_or(month))
    }
}

impl Season {
    /// "25 October to 28 February", as a schedule's words end.
    pub fn in_words(&self) -> String {
        format!("{} to {}", self.from.in_words(), self.to.in_words())
    }

    /// "25 Oct – 28 Feb", for tables.
    pub fn short_words(&self) -> String {
        format!("{} – {}", self.from.short_words(), self.to.short_words())
    }
}

impl fmt::Display for Season {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn md(s: &str) -> MonthDay {
        s.parse().unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_days_are_validated() {
        assert_eq!(md("02-29"), MonthDay { month: 2, day: 29 });
        for bad in ["2-29", "13-01", "02-30", "00-10", "10/25", "1025", "ab-cd"] {
            assert!(bad.parse::<MonthDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_plain_season_includes_both_ends_only() {
        let s = Season {
            from: md("03-15"),
            to: md("05-31"),
        };
        assert!(s.contains(date("2027-03-15")));
        assert!(s.contains(date("2027-05-31")));
        assert!(!s.contains(date("2027-03-14")));
        assert!(!s.contains(date("2027-06-01")));
    }

    #[test]
    fn a_season_can_wrap_the_new_year() {
        let s = Season {
            from: md("11-01"),
            to: md("01-31"),
        };
        assert!(s.contains(date("2026-11-01")));
        assert!(s.contains(date("2026-12-31")));
        assert!(s.contains(date("2027-01-01")));
        assert!(s.contains(date("2027-01-31")));
        assert!(!s.contains(date("2027-02-01")));
        assert!(!s.contains(date("2026-10-31")));
    }

    proptest! {
        #[test]
        fn wrapped_season_is_the_complement_of_the_gap(
            from_off in 0i64..366, to_off in 0i64..366, day_off in 0i64..730
        ) {
            let base = date("2024-01-01");
            let f = base + chrono::Duration::days(from_off);
            let t = base + chrono::Duration::days(to_off);
            let s = Season { from: MonthDay { month: f.month(), day: f.day() }, to: MonthDay { month: t.month(), day: t.day() } };
            let d = base + chrono::Duration::days(day_off);
            if s.from > s.to {
                // The gap between `to` and `from` is a plain season; a wrapped one is everything else.
                let gap_from = t + chrono::Duration::days(1);
                let gap_to = f - chrono::Duration::days(1);
                let gap = Season { from: MonthDay { month: gap_from.month(), day: gap_from.day() }, to: MonthDay { month: gap_to.month(), day: gap_to.day() } };
                if gap.from <= gap.to {
                    prop_assert_eq!(s.contains(d), !gap.contains(d));
                }
            } else {
                prop_assert_eq!(s.contains(d), { let m = MonthDay { month: d.month(), day: d.day() }; s.from <= m && m <= s.to });
            }
        }
    }
}
