//! When a campaign fires: a cron expression read as Europe/London wall-clock time.
//!
//! The `cron` crate iterates in a time zone but, across the clock changes, skips a time the
//! spring change removes and fires a time twice on the autumn night. Our rule: a skipped time
//! fires once at the first valid instant after it; a repeated time fires once, the first time.
//! To get that, the crate walks naive wall-clock time and this module maps each wall-clock time
//! to an instant itself.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::fmt;
use std::str::FromStr;

/// The time zone every schedule is written in.
pub const LONDON: Tz = chrono_tz::Europe::London;

/// A cron schedule read in Europe/London that fires once at each valid local time, across both clock changes.
#[derive(Clone)]
pub struct Schedule {
    source: String,
    cron: cron::Schedule,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({:?})", self.source)
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Standard cron numbers Sunday 0 (or 7) to Saturday 6; the `cron` crate numbers Sunday 1 to
/// Saturday 7. Names mean the same in both, so 5-field expressions get names.
fn dow_names(field: &str) -> Result<String, String> {
    const NAMES: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let name = |t: &str| -> Result<String, String> {
        match t.parse::<usize>() {
            Ok(n) if n < NAMES.len() => Ok(NAMES[n].to_string()),
            Ok(n) => Err(format!("day of week {n} is out of range (0-7, or SUN-SAT)")),
            Err(_) => Ok(t.to_string()),
        }
    };
    field
        .split(',')
        .map(|part| {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            let range = match range.split_once('-') {
                Some((a, b)) => format!("{}-{}", name(a)?, name(b)?),
                None => name(range)?,
            };
            Ok(match step {
                Some(s) => format!("{range}/{s}"),
                None => range,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(|parts| parts.join(","))
}

/// Turns the familiar 5-field form into the crate's seconds-first form; 6 and 7 fields pass.
pub fn normalise(expr: &str) -> Result<String, String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    match fields.len() {
        5 => Ok(format!(
            "0 {} {} {} {} {}",
            fields[0],
            fields[1],
            fields[2],
            fields[3],
            dow_names(fields[4])?
        )),
        6 | 7 => Ok(fields.join(" ")),
        n => Err(format!(
            "a schedule has 5 fields (minute hour day month weekday) or 6-7 with seconds first; `{expr}` has {n}"
        )),
    }
}

impl FromStr for Schedule {
    type Err = String;
    fn from_str(expr: &str) -> Result<Self, Self::Err> {
        super::cron_fields::check(expr)?;
        let normalised = normalise(expr)?;
        let cron = cron::Schedule::from_str(&normalised).map_err(|e| {
            // The crate draws a caret under the bad field; keep only its last line.
            let e = e.to_string();
            let reason = e.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!("`{expr}` is not a valid cron schedule: {}", reason.trim())
        })?;
        // An expression that can never fire (30 February) is a mistake, not a quiet campaign.
        let epoch = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single();
        if epoch.is_none_or(|e| cron.after(&e).next().is_none()) {
            return Err(format!("`{expr}` never fires"));
        }
        Ok(Schedule {
            source: expr.trim().to_string(),
            cron,
        })
    }
}

/// The instant a Europe/London wall-clock time means under our rule.
pub fn london_instant(local: NaiveDateTime) -> DateTime<Utc> {
    match LONDON.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In the spring gap: the first wall-clock minute that exists. The gap is an hour.
            let mut probe = local;
            for _ in 0..(3 * 60) {
                probe += Duration::minutes(1);
                let trimmed = probe
                    .date()
                    .and_hms_opt(
                        chrono::Timelike::hour(&probe),
                        chrono::Timelike::minute(&probe),
                        0,
                    )
                    .unwrap_or(probe);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                    LONDON.from_local_datetime(&trimmed)
                {
                    return t.with_timezone(&Utc);
                }
            }
            // Unreachable for Europe/London; fall back to reading the time as GMT.
            Utc.from_utc_datetime(&local)
        }
    }
}

impl Schedule {
    /// The cron expression as written in the campaign file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first fire strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.fires_after(after).next()
    }

    /// Every fire strictly after `after`, in order, each instant once.
    pub fn fires_after(&self, after: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        // Start an hour of wall-clock early so a repeated hour's first pass is not missed.
        let local_start = after.with_timezone(&LONDON).naive_local() - Duration::hours(2);
        let naive_clock = Utc.from_utc_datetime(&local_start);
        let mut last: Option<DateTime<Utc>> = None;
        self.cron
            .after(&naive_clock)
            .map(|wall| london_instant(wall.naive_utc()))
            .filter(move |t| *t > after)
            .filter(move |t| {
                let fresh = last.is_none_or(|l| *t > l);
                if fresh {
                    last = Some(*t);
                }
                fresh
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn fires(expr: &str, from: &str, n: usize) -> Vec<String> {
        let s: Schedule = expr.parse().unwrap();
        s.fires_after(utc(from))
            .take(n)
            .map(|t| t.with_timezone(&LONDON).to_rfc3339())
            .collect()
    }

    #[test]
    fn five_fields_gain_seconds_and_weekday_numbers_become_names() {
        assert_eq!(normalise("30 9 * * 1-5").unwrap(), "0 30 9 * * MON-FRI");
        assert_eq!(normalise("0 18 * * 0,6").unwrap(), "0 0 18 * * SUN,SAT");
        assert_eq!(normalise("0 18 * * 7").unwrap(), "0 0 18 * * SUN");
        assert_eq!(normalise("0 0 9 * * TUE").unwrap(), "0 0 9 * * TUE");
        assert!(normalise("0 9 * *").unwrap_err().contains("has 4"));
        assert!(normalise("0 9 * * 8").is_err());
    }

    #[test]
    fn five_field_monday_means_monday() {
        // 2026-11-23 is a Monday.
        assert_eq!(
            fires("30 9 * * 1", "2026-11-20T00:00:00Z", 1),
            ["2026-11-23T09:30:00+00:00"]
        );
    }

    #[test]
    fn bad_expressions_are_refused_with_the_reason() {
        assert!("every day".parse::<Schedule>().is_err());
        assert!("61 9 * * *".parse::<Schedule>().is_err());
        assert!(
            "0 9 30 2 *"
                .parse::<Schedule>()
                .unwrap_err()
                .contains("never fires")
        );
    }

    #[test]
    fn nine_oclock_is_nine_oclock_in_gmt_and_bst() {
        // Clocks go forward at 01:00 UTC on Sunday 29 March 2026.
        assert_eq!(
            fires("0 9 * * *", "2026-03-27T12:00:00Z", 3),
            [
                "2026-03-28T09:00:00+00:00",
                "2026-03-29T09:00:00+01:00",
                "2026-03-30T09:00:00+01:00"
            ]
        );
        // Clocks go back at 01:00 UTC on Sunday 25 October 2026.
        assert_eq!(
            fires("0 9 * * *", "2026-10-24T00:00:00Z", 2),
            ["2026-10-24T09:00:00+01:00", "2026-10-25T09:00:00+00:00"]
        );
    }

    #[test]
    fn a_time_the_spring_change_skips_fires_once_at_the_first_valid_instant() {
        assert_eq!(
            fires("30 1 * * *", "2026-03-28T12:00:00Z", 2),
            ["2026-03-29T02:00:00+01:00", "2026-03-30T01:30:00+01:00"]
        );
    }

    #[test]
    fn the_repeated_autumn_hour_fires_once() {
        assert_eq!(
            fires("30 1 * * *", "2026-10-24T12:00:00Z", 2),
            ["2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]
        );
        // Asking from inside the repeated hour, after the first pass, does not fire it again.
        assert_eq!(
            fires("30 1 * * *", "2026-10-25T00:45:00Z", 1),
            ["2026-10-26T01:30:00+00:00"]
        );
    }

    #[test]
    fn every_quarter_hour_across_the_gap_never_repeats_an_instant() {
        let s: Schedule = "*/15 * * * *".parse().unwrap();
        let v: Vec<_> = s
            .fires_after(utc("2026-03-28T23:50:00Z"))
            .take(12)
            .collect();
        assert!(v.windows(2).all(|w| w[0] < w[1]), "{v:?}");
        let v: Vec<_> = s
            .fires_after(utc("2026-10-24T23:50:00Z"))
            .take(12)
            .collect();
        assert!(v.windows(2).all(|w| w[0] < w[1]), "{v:?}");
    }
}
