//! The promise to residents as rules: never the same message twice within a window, at most so
//! many campaign e-mails a week (the rest wait for the weekly round-up), and quiet hours at night.

use super::schedule::{LONDON, london_instant};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use std::fmt;
use std::str::FromStr;

/// A nightly window in UK time, like `21:00-07:00`, during which routine e-mail waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// When quiet hours begin.
    pub from: NaiveTime,
    /// When they end (the next morning when earlier than `from`).
    pub to: NaiveTime,
}

impl FromStr for QuietHours {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a window like \"21:00-07:00\" (UK time, 24-hour clock)");
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").map_err(|_| bad());
        let q = QuietHours {
            from: t(a)?,
            to: t(b)?,
        };
        if q.from == q.to {
            return Err(format!(
                "`{s}` starts and ends at the same time; leave it empty for no quiet hours"
            ));
        }
        Ok(q)
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.from.format("%H:%M"),
            self.to.format("%H:%M")
        )
    }
}

impl QuietHours {
    /// When quiet hours end, if `now` falls inside them; `None` when mail may go now.
    pub fn release(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&LONDON).naive_local();
        let (date, time) = (local.date(), local.time());
        let end_on = |d: chrono::NaiveDate| london_instant(d.and_time(self.to));
        if self.from < self.to {
            (time >= self.from && time < self.to).then(|| end_on(date))
        } else if time >= self.from {
            Some(end_on(date + Duration::days(1)))
        } else if time < self.to {
            Some(end_on(date))
        } else {
            None
        }
    }
}

/// The delivery rules every path (schedule, console, CLI, API) fans out under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingRules {
    /// The same campaign content reaches a resident at most once in this window.
    pub repeat_window: Duration,
    /// Campaign e-mails a resident gets in any 7 days; more wait for the round-up. 0: no limit.
    pub max_per_week: u32,
    /// Hours in which bulk campaign e-mail waits; urgent mail, feeds and webhooks are not held.
    pub quiet_hours: Option<QuietHours>,
}

impl Default for SendingRules {
    fn default() -> Self {
        SendingRules {
            repeat_window: Duration::days(14),
            max_per_week: 2,
            quiet_hours: "21:00-07:00".parse().ok(),
        }
    }
}

/// Reads `"14d"`, `"7d"`, `"36h"` (humantime), as `repeat_window` and `repeat_after` are written.
pub fn parse_window(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .ok()
        .and_then(|d| Duration::from_std(d).ok())
        .ok_or_else(|| format!("`{s}` is not a duration like \"14d\" or \"36h\""))
}

/// "14 days", "36 hours": a window as people say it.
pub fn describe(d: Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if d.num_hours() % 24 == 0 {
        plural(d.num_days(), "day")
    } else {
        plural(d.num_hours(), "hour")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_night_window_holds_until_the_morning_in_uk_time() {
        let q: QuietHours = "21:00-07:00".parse().unwrap();
        // 22:00 BST on 1 July is 21:00 UTC; release at 07:00 BST the next day.
        assert_eq!(
            q.release(utc("2026-07-01T21:00:00Z")),
            Some(utc("2026-07-02T06:00:00Z"))
        );
        // 03:00 GMT in January: release at 07:00 GMT the same day.
        assert_eq!(
            q.release(utc("2026-01-10T03:00:00Z")),
            Some(utc("2026-01-10T07:00:00Z"))
        );
        assert_eq!(q.release(utc("2026-01-10T07:00:00Z")), None);
        assert_eq!(q.release(utc("2026-01-10T20:59:00Z")), None);
    }

    #[test]
    fn a_day_window_and_bad_input() {
        let q: QuietHours = "12:00-13:00".parse().unwrap();
        assert_eq!(
            q.release(utc("2026-01-10T12:30:00Z")),
            Some(utc("2026-01-10T13:00:00Z"))
        );
        assert_eq!(q.release(utc("2026-01-10T13:30:00Z")), None);
        assert!("21:00".parse::<QuietHours>().is_err());
        assert!("25:00-07:00".parse::<QuietHours>().is_err());
        assert!("07:00-07:00".parse::<QuietHours>().is_err());
        assert_eq!(parse_window("7d").unwrap(), Duration::days(7));
        assert!(parse_window("a week").is_err());
        assert_eq!(describe(Duration::days(14)), "14 days");
        assert_eq!(describe(Duration::hours(36)), "36 hours");
    }
}
