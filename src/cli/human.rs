//! Times and tables for people reading a terminal: UK time in words ("Fri 27 Nov 2026, 6pm"),
//! tables with a header row. JSON output keeps RFC 3339.

/// An instant as UK wall-clock time in words: "Fri 27 Nov 2026, 6pm" (the console's wording).
pub use crate::render::words::when_dated as when;

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

    #[test]
    fn tables_start_with_a_header_row() {
        let mut t = table(&["slug", "title"]);
        t.add_row(["winter", "Winter burglary"]);
        let s = show(&t);
        assert_eq!(s.lines().next().unwrap(), "SLUG    TITLE");
        assert_eq!(s.lines().nth(1).unwrap(), "winter  Winter burglary");
    }
}
