//! The `{{ crime.CATEGORY.MEASURE }}` placeholders a campaign body may use, found and read
//! without rendering anything, so `beacon check` can refuse an unknown one before it is sent.

use super::crime::Category;
use std::str::FromStr;

/// What a placeholder shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Crimes in the three latest imported months.
    Last3Months,
    /// Crimes in the same three months a year before.
    SameMonthsLastYear,
    /// The difference, in words ("4 fewer than a year ago").
    ChangeOnLastYear,
    /// The three months' crimes per 1,000 households.
    Per1000Households,
    /// The same rate for the whole district.
    DistrictPer1000Households,
    /// One sentence: count, area, months and change.
    Summary,
    /// One sentence: the area's rate against the district's.
    RateSummary,
}

const MEASURES: &[(&str, Measure)] = &[
    ("last_3_months", Measure::Last3Months),
    ("same_months_last_year", Measure::SameMonthsLastYear),
    ("change_on_last_year", Measure::ChangeOnLastYear),
    ("per_1000_households", Measure::Per1000Households),
    (
        "district_per_1000_households",
        Measure::DistrictPer1000Households,
    ),
    ("summary", Measure::Summary),
    ("rate_summary", Measure::RateSummary),
];

/// One placeholder, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Var {
    /// The category; none for `all`.
    pub category: Option<Category>,
    /// What to show.
    pub measure: Measure,
}

impl FromStr for Var {
    type Err = String;
    /// `crime.burglary.last_3_months`, `crime.all.summary`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let names = || MEASURES.iter().map(|m| m.0).collect::<Vec<_>>().join(", ");
        let mut parts = s.split('.');
        let (Some("crime"), Some(cat), Some(measure), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "unknown variable `{s}`; campaign bodies may use crime.CATEGORY.MEASURE, e.g. crime.burglary.last_3_months (measures: {})",
                names()
            ));
        };
        let category = match cat {
            "all" => None,
            c => Some(c.parse::<Category>()?),
        };
        let measure = MEASURES
            .iter()
            .find(|m| m.0 == measure)
            .map(|m| m.1)
            .ok_or_else(|| {
                format!(
                    "unknown crime measure `{measure}`; expected one of {}",
                    names()
                )
            })?;
        Ok(Var { category, measure })
    }
}

/// A `{{ … }}` in a text: where it starts (bytes), how long it is, and what it holds (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// Byte offset of `{{`.
    pub offset: usize,
    /// Bytes up to and including `}}`.
    pub len: usize,
    /// The text between the braces, trimmed.
    pub name: &'a str,
}

/// Every placeholder in `text`, in order; a `{{` never closed is reported with an empty name.
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{{").map(|i| i + from) {
        match text[start + 2..].find("}}") {
            Some(end) => {
                let len = end + 4;
                out.push(Placeholder {
                    offset: start,
                    len,
                    name: text[start + 2..start + 2 + end].trim(),
                });
                from = start + len;
            }
            None => {
                out.push(Placeholder {
                    offset: start,
                    len: text.len() - start,
                    name: "",
                });
                break;
            }
        }
    }
    out
}

/// Each placeholder's offset and why it cannot be used.
pub fn problems(text: &str) -> Vec<(usize, String)> {
    placeholders(text)
        .into_iter()
        .filter_map(|p| {
            if p.name.is_empty() {
                return Some((p.offset, "`{{` is not closed with `}}`".to_string()));
            }
            p.name.parse::<Var>().err().map(|e| (p.offset, e))
        })
        .collect()
}

/// Whether a body uses any crime figure (then it is rendered per area with them).
pub fn uses_crime(text: &str) -> bool {
    placeholders(text)
        .iter()
        .any(|p| p.name.parse::<Var>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_read() {
        let t = "A {{ crime.burglary.last_3_months }} b {{crime.all.summary}} c {{ crime.fraud.summary }} {{ x";
        let p = placeholders(t);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].name, "crime.burglary.last_3_months");
        assert_eq!(
            &t[p[1].offset..p[1].offset + p[1].len],
            "{{crime.all.summary}}"
        );
        let errs = problems(t);
        assert_eq!(errs.len(), 2);
        assert!(
            errs[0].1.contains("unknown crime category `fraud`"),
            "{errs:?}"
        );
        assert!(errs[1].1.contains("not closed"));
        assert!(uses_crime(t));
        assert!(!uses_crime("no figures"));
        assert!("crime.burglary.lots".parse::<Var>().is_err());
        assert!("name".parse::<Var>().is_err());
    }
}
