//! Times and tables for people reading a terminal: UK time in words ("Fri 27 Nov 2026, 6pm"),
//! tables with a header row. JSON output keeps RFC 3339.

use crate::domain::LONDON;
use chrono::{DateTime, Timelike, Utc};

/// An instant as UK wall-clock time in words: "Fri 27 Nov 2026, 6pm", "Mon 1 Dec 2026, 9:30am".
pub fn when(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&LONDON);
    let (pm, hour) = local.hour12();
    let suffix = if pm { "pm" } else { "am" };
    let clock = match local.minute() {
        0 => format!("{hour}{suffix}"),
        m => format!("{hour}:{m:02}{suffix}"),
    };
    format!("{}, {clock}", local.format("%a %-d %b %Y"))
}

/// A table with a header row, no borders to copy around, columns sized to their content and two
/// spaces apart. Print it with `show`.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled)
        .set_header(header.iter().map(|h| h.to_uppercase()));
    for c in t.column_iter_mut() {
        c.set_padding((0, 2));
    }
    t
}

/// The table as lines with no trailing spaces (for `grep`, `cut` and `$`-anchored patterns).
pub fn show(t: &comfy_table::Table) -> String {
    t.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn uk_time_in_words_in_winter_and_summer() {
        assert_eq!(when(utc("2026-11-27T18:00:00Z")), "Fri 27 Nov 2026, 6pm");
        assert_eq!(when(utc("2026-07-03T08:30:00Z")), "Fri 3 Jul 2026, 9:30am");
        assert_eq!(when(utc("2026-12-01T00:05:00Z")), "Tue 1 Dec 2026, 12:05am");
    }

    #[test]
    fn tables_start_with_a_header_row() {
        let mut t = table(&["slug", "title"]);
        t.add_row(["winter", "Winter burglary"]);
        let s = show(&t);
        assert_eq!(s.lines().next().unwrap(), "SLUG    TITLE");
        assert_eq!(s.lines().nth(1).unwrap(), "winter  Winter burglary");
    }
}
