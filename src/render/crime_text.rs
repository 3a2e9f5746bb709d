//! Crime figures in plain words, filled into a campaign body's `{{ crime.… }}` placeholders
//! before the Markdown is rendered. With no figures a placeholder still reads as English.

use crate::domain::crime::{Category, Figures};
use crate::domain::crime_vars::{Measure, Var, placeholders};

fn what(f: &Figures, n: i64) -> String {
    match f.category {
        Some(c) => c.count_words(n),
        None => format!("{n} {}", if n == 1 { "crime" } else { "crimes" }),
    }
}

fn noun(c: Option<Category>) -> &'static str {
    c.map_or("crime", Category::name)
}

fn change(f: &Figures) -> Option<String> {
    let (now, before) = (f.last_3_months?, f.same_months_last_year?);
    Some(match now - before {
        0 => "the same as a year ago".into(),
        d if d < 0 => format!("{} fewer than a year ago", -d),
        d => format!("{d} more than a year ago"),
    })
}

fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "not known yet".into(), |v| format!("{v:.1}"))
}

/// The words for one placeholder.
pub fn words(var: Var, f: &Figures) -> String {
    const NO_FIGURES: &str = "not known yet";
    match var.measure {
        Measure::Last3Months => f
            .last_3_months
            .map_or_else(|| NO_FIGURES.into(), |n| n.to_string()),
        Measure::SameMonthsLastYear => f
            .same_months_last_year
            .map_or_else(|| NO_FIGURES.into(), |n| n.to_string()),
        Measure::ChangeOnLastYear => {
            change(f).unwrap_or_else(|| "no comparison with a year ago yet".into())
        }
        Measure::Per1000Households => rate(f.per_1000_households),
        Measure::DistrictPer1000Households => rate(f.district_per_1000_households),
        Measure::Summary => match (f.last_3_months, f.months) {
            (Some(n), Some((from, to))) => {
                let mut s = format!(
                    "{} in {} in the last three months of published figures ({} to {})",
                    what(f, n),
                    f.area_name,
                    from.long_name(),
                    to.long_name()
                );
                if let Some(c) = change(f) {
                    s.push_str(", ");
                    s.push_str(&c);
                }
                s.push('.');
                s
            }
            _ => format!(
                "Recorded {} figures for {} are not available to us yet; police.uk has the latest for your street.",
                noun(f.category).to_lowercase(),
                f.area_name
            ),
        },
        Measure::RateSummary => match (f.per_1000_households, f.district_per_1000_households) {
            (Some(a), Some(d)) => format!(
                "That is {a:.1} for every 1,000 households, against {d:.1} across {}.",
                f.district_name
            ),
            _ => String::new(),
        },
    }
}

/// `body` with every crime placeholder replaced by its words; `figures` gives the figures of
/// a category (all crime when none). Anything else between braces is left as written.
pub fn fill(body: &str, mut figures: impl FnMut(Option<Category>) -> Figures) -> String {
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for p in placeholders(body) {
        let Ok(var) = p.name.parse::<Var>() else {
            continue;
        };
        out.push_str(&body[at..p.offset]);
        out.push_str(&words(var, &figures(var.category)));
        at = p.offset + p.len;
    }
    out.push_str(&body[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crime::Month;

    fn figures(last: Option<i64>, before: Option<i64>) -> Figures {
        Figures {
            area_name: "Amersham".into(),
            category: "burglary".parse().ok(),
            months: Some((
                "2026-07".parse().unwrap(),
                "2026-09".parse::<Month>().unwrap(),
            )),
            last_3_months: last,
            same_months_last_year: before,
            per_1000_households: Some(1.4),
            district_per_1000_households: Some(2.0),
            district_name: "Chiltern".into(),
        }
    }

    #[test]
    fn figures_read_as_plain_words() {
        let body = "{{ crime.burglary.summary }} {{ crime.burglary.rate_summary }}";
        assert_eq!(
            fill(body, |_| figures(Some(12), Some(16))),
            "12 burglaries in Amersham in the last three months of published figures (July 2026 to September 2026), 4 fewer than a year ago. That is 1.4 for every 1,000 households, against 2.0 across Chiltern."
        );
        assert!(fill(body, |_| figures(Some(1), Some(1))).starts_with("1 burglary in Amersham"));
        assert!(fill(body, |_| figures(Some(1), Some(1))).contains("the same as a year ago"));
        let none = fill("{{ crime.burglary.summary }}", |_| Figures {
            last_3_months: None,
            months: None,
            ..figures(None, None)
        });
        assert_eq!(
            none,
            "Recorded burglary figures for Amersham are not available to us yet; police.uk has the latest for your street."
        );
        assert_eq!(
            fill(
                "{{ crime.burglary.change_on_last_year }} {{ other }}",
                |_| figures(Some(5), None)
            ),
            "no comparison with a year ago yet {{ other }}"
        );
    }
}
