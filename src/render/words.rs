//! Numbers and times as staff read them, in one place: "7,420"; "Fri 27 Nov, 6pm" in UK time.
//! Templates use these through the askama `filters` below (`{{ n|count }}`, `{{ t|when }}`).

use crate::domain::LONDON;
use crate::domain::schedule_words::time_words;
use chrono::{DateTime, Timelike, Utc};

pub use crate::domain::numbers::thousands;

/// The UK clock time of an instant: "6pm", "6:04pm", "midday".
pub fn clock(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&LONDON);
    time_words(l.hour(), l.minute())
}

/// An instant soon or recent, in UK time: "Fri 27 Nov, 6pm".
pub fn when(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&LONDON);
    format!("{}, {}", l.format("%a %-d %b"), clock(t))
}

/// An instant for the record (history, the audit log), with its year: "Fri 27 Nov 2026, 6:04pm".
pub fn when_dated(t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&LONDON);
    format!("{}, {}", l.format("%a %-d %b %Y"), clock(t))
}

/// A share as a percentage with one decimal, "2.5%"; "–" when there is nothing to divide.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".into();
    }
    // Integer arithmetic: tenths of a per cent, rounded half up.
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The askama filters for the helpers above; bring them in with `use crate::render::words::filters;`.
pub mod filters {
    use chrono::{DateTime, Utc};

    /// `{{ n|count }}`: a whole number with thousands separators.
    #[askama::filter_fn]
    pub fn count(n: &i64, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::thousands(*n))
    }

    /// `{{ t|when }}`: "Fri 27 Nov, 6pm" in UK time.
    #[askama::filter_fn]
    pub fn when(t: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::when(*t))
    }

    /// `{{ t|when_dated }}`: "Fri 27 Nov 2026, 6:04pm" in UK time.
    #[askama::filter_fn]
    pub fn when_dated(t: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::when_dated(*t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn times_are_in_words_and_uk_time() {
        // 27 November 2026 is a Friday; GMT in winter.
        assert_eq!(when(utc(2026, 11, 27, 18, 0)), "Fri 27 Nov, 6pm");
        // Summer: 17:04 UTC is 6:04pm BST.
        assert_eq!(when(utc(2026, 7, 3, 17, 4)), "Fri 3 Jul, 6:04pm");
        assert_eq!(when_dated(utc(2026, 7, 3, 11, 0)), "Fri 3 Jul 2026, midday");
        assert_eq!(when_dated(utc(2026, 11, 27, 18, 0)), "Fri 27 Nov 2026, 6pm");
        assert_eq!(when_dated(utc(2026, 7, 3, 8, 30)), "Fri 3 Jul 2026, 9:30am");
        assert_eq!(
            when_dated(utc(2026, 12, 1, 0, 5)),
            "Tue 1 Dec 2026, 12:05am"
        );
        // 23:30 UTC on 31 March is 00:30 on 1 April in London.
        assert_eq!(when(utc(2027, 3, 31, 23, 30)), "Thu 1 Apr, 12:30am");
    }

    #[test]
    fn percentages_round_to_one_decimal() {
        assert_eq!(percent(1, 40), "2.5%");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(0, 10), "0.0%");
        assert_eq!(percent(5, 0), "–");
    }
}
