//! Recorded crime from police.uk open data: its categories, calendar months, the counts per
//! area and month, and the figures campaign bodies may quote (`{{ crime.burglary.last_3_months }}`).

use super::area::{Area, AreaDirectory};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

/// The categories police.uk publishes: (slug, "Crime type" in the CSV, one, many).
const CATEGORIES: &[(&str, &str, &str, &str)] = &[
    (
        "anti-social-behaviour",
        "Anti-social behaviour",
        "report of anti-social behaviour",
        "reports of anti-social behaviour",
    ),
    (
        "bicycle-theft",
        "Bicycle theft",
        "bicycle theft",
        "bicycle thefts",
    ),
    ("burglary", "Burglary", "burglary", "burglaries"),
    (
        "criminal-damage-arson",
        "Criminal damage and arson",
        "case of criminal damage or arson",
        "cases of criminal damage or arson",
    ),
    ("drugs", "Drugs", "drugs offence", "drugs offences"),
    ("other-theft", "Other theft", "other theft", "other thefts"),
    (
        "possession-of-weapons",
        "Possession of weapons",
        "weapons offence",
        "weapons offences",
    ),
    (
        "public-order",
        "Public order",
        "public order offence",
        "public order offences",
    ),
    ("robbery", "Robbery", "robbery", "robberies"),
    (
        "shoplifting",
        "Shoplifting",
        "shoplifting offence",
        "shoplifting offences",
    ),
    (
        "theft-from-the-person",
        "Theft from the person",
        "theft from the person",
        "thefts from the person",
    ),
    (
        "vehicle-crime",
        "Vehicle crime",
        "vehicle crime",
        "vehicle crimes",
    ),
    (
        "violent-crime",
        "Violence and sexual offences",
        "violent or sexual offence",
        "violent or sexual offences",
    ),
    ("other-crime", "Other crime", "other crime", "other crimes"),
];

/// One police.uk crime category, by its slug (`burglary`, `vehicle-crime`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(usize);

impl Category {
    /// Every category, in police.uk's order.
    pub fn all() -> impl Iterator<Item = Category> {
        (0..CATEGORIES.len()).map(Category)
    }

    /// The police.uk slug, as stored.
    pub fn slug(self) -> &'static str {
        CATEGORIES[self.0].0
    }

    /// The name police.uk uses ("Violence and sexual offences").
    pub fn name(self) -> &'static str {
        CATEGORIES[self.0].1
    }

    /// The category of a CSV "Crime type" cell, ignoring case and spaces around it.
    pub fn from_crime_type(s: &str) -> Option<Category> {
        let s = s.trim();
        Self::all().find(|c| c.name().eq_ignore_ascii_case(s))
    }

    /// "1 burglary", "12 burglaries".
    pub fn count_words(self, n: i64) -> String {
        let (_, _, one, many) = CATEGORIES[self.0];
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl FromStr for Category {
    type Err = String;
    /// The police.uk slug; `_` may stand for `-` (`vehicle_crime`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.replace('_', "-");
        Self::all().find(|c| c.slug() == s).ok_or_else(|| {
            let all: Vec<_> = Self::all().map(Category::slug).collect();
            format!(
                "unknown crime category `{s}`; expected all or one of {}",
                all.join(", ")
            )
        })
    }
}

/// A calendar month, as police.uk names them (`2026-09`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(i32);

impl Month {
    /// The month of a year (1–12).
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12)
            .contains(&month)
            .then(|| Month(year * 12 + month as i32 - 1))
    }

    /// `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        Month(self.0 + n)
    }

    /// Its year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// 1–12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// "September 2026".
    pub fn long_name(self) -> String {
        format!(
            "{} {}",
            super::schedule_words::MONTHS[self.month() as usize - 1],
            self.year()
        )
    }
}

impl FromStr for Month {
    type Err = String;
    /// `YYYY-MM`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a month; expected YYYY-MM");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let (y, m) = (y.parse::<i32>(), m.parse::<u32>());
        match (y, m) {
            (Ok(y), Ok(m)) if (2000..=2099).contains(&y) => Month::new(y, m).ok_or_else(bad),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// Stored counts and the months imported whole (a month with no row for an area had none there).
#[derive(Debug, Clone, Default)]
pub struct CrimeTable {
    covered: BTreeSet<Month>,
    counts: HashMap<(String, Month, Category), i64>,
}

/// The crimes of the three latest imported months and the same three a year before.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The area's name, or the partnership's for all areas.
    pub area_name: String,
    /// The category, or none for all crime.
    pub category: Option<Category>,
    /// The first and last of the three months.
    pub months: Option<(Month, Month)>,
    /// Crimes in those months; none when not all three are imported.
    pub last_3_months: Option<i64>,
    /// Crimes in the same months a year before, when all three are imported.
    pub same_months_last_year: Option<i64>,
    /// `last_3_months` per 1,000 households.
    pub per_1000_households: Option<f64>,
    /// The same rate for the area's district (for all areas: both districts).
    pub district_per_1000_households: Option<f64>,
    /// The district's name.
    pub district_name: String,
}

/// Rounded to one decimal place.
pub fn per_1000(count: i64, households: u64) -> Option<f64> {
    (households > 0).then(|| (count as f64 * 1000.0 / households as f64 * 10.0).round() / 10.0)
}

impl CrimeTable {
    /// From stored rows `(area slug, month, category slug, count)`; unknown months and
    /// categories are left out.
    pub fn new(
        covered: impl IntoIterator<Item = Month>,
        rows: impl IntoIterator<Item = (String, String, String, i64)>,
    ) -> CrimeTable {
        let mut counts = HashMap::new();
        for (area, month, cat, n) in rows {
            if let (Ok(m), Ok(c)) = (month.parse::<Month>(), cat.parse::<Category>()) {
                *counts.entry((area, m, c)).or_insert(0) += n;
            }
        }
        CrimeTable {
            covered: covered.into_iter().collect(),
            counts,
        }
    }

    /// The months imported, oldest first.
    pub fn covered(&self) -> impl Iterator<Item = Month> + '_ {
        self.covered.iter().copied()
    }

    /// Crimes of `category` (all when none) in `area` in `month`.
    pub fn count(&self, area: &str, month: Month, category: Option<Category>) -> i64 {
        match category {
            Some(c) => self
                .counts
                .get(&(area.to_string(), month, c))
                .copied()
                .unwrap_or(0),
            None => Category::all()
                .map(|c| self.count(area, month, Some(c)))
                .sum(),
        }
    }

    /// Crimes over several areas and months, when every month was imported.
    pub fn sum<'a>(
        &self,
        areas: impl Iterator<Item = &'a Area> + Clone,
        months: &[Month],
        category: Option<Category>,
    ) -> Option<i64> {
        months.iter().all(|m| self.covered.contains(m)).then(|| {
            months
                .iter()
                .flat_map(|m| areas.clone().map(move |a| (a, *m)))
                .map(|(a, m)| self.count(&a.slug, m, category))
                .sum()
        })
    }

    /// The three latest months, if each of them was imported.
    pub fn last_3_months(&self) -> Option<[Month; 3]> {
        let last = *self.covered.last()?;
        let months = [last.plus(-2), last.plus(-1), last];
        months
            .iter()
            .all(|m| self.covered.contains(m))
            .then_some(months)
    }

    /// The figures for one area (all areas when none).
    pub fn figures(
        &self,
        dir: &AreaDirectory,
        area: Option<&Area>,
        category: Option<Category>,
    ) -> Figures {
        let months = self.last_3_months();
        let (scope, district_scope, area_name, district_name): (Vec<&Area>, Vec<&Area>, _, _) =
            match area {
                Some(a) => (
                    vec![a],
                    dir.iter().filter(|d| d.district == a.district).collect(),
                    a.name.clone(),
                    a.district.name().to_string(),
                ),
                None => (
                    dir.iter().collect(),
                    dir.iter().collect(),
                    PARTNERSHIP.to_string(),
                    PARTNERSHIP.to_string(),
                ),
            };
        let households = |areas: &[&Area]| -> u64 {
            areas
                .iter()
                .filter_map(|a| a.households)
                .map(u64::from)
                .sum()
        };
        let count = |areas: &[&Area], ms: &[Month]| self.sum(areas.iter().copied(), ms, category);
        let last = months.and_then(|ms| count(&scope, &ms));
        let before = months.and_then(|ms| count(&scope, &ms.map(|m| m.plus(-12))));
        // Only areas with a household count enter the district's rate, so it compares like with like.
        let counted: Vec<&Area> = district_scope
            .iter()
            .copied()
            .filter(|a| a.households.is_some())
            .collect();
        let district = months.and_then(|ms| count(&counted, &ms));
        Figures {
            area_name,
            category,
            months: months.map(|ms| (ms[0], ms[2])),
            last_3_months: last,
            same_months_last_year: before,
            per_1000_households: last.and_then(|n| per_1000(n, households(&scope))),
            // All areas have no wider district to be compared with.
            district_per_1000_households: area
                .and(district)
                .and_then(|n| per_1000(n, households(&counted))),
            district_name,
        }
    }
}

/// The partnership's area, in words.
pub const PARTNERSHIP: &str = "Chiltern and South Bucks";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crime_types_map_to_police_uk_slugs() {
        let c = Category::from_crime_type("Violence and sexual offences").unwrap();
        assert_eq!(c.slug(), "violent-crime");
        assert_eq!(
            Category::from_crime_type(" anti-social behaviour")
                .unwrap()
                .slug(),
            "anti-social-behaviour"
        );
        assert!(Category::from_crime_type("Jaywalking").is_none());
        assert_eq!(
            "vehicle_crime".parse::<Category>().unwrap().slug(),
            "vehicle-crime"
        );
        assert_eq!(
            Category::from_crime_type("Burglary")
                .unwrap()
                .count_words(1),
            "1 burglary"
        );
    }

    #[test]
    fn months_count_across_years() {
        let m: Month = "2026-02".parse().unwrap();
        assert_eq!(m.plus(-2).to_string(), "2025-12");
        assert_eq!(m.plus(-12).to_string(), "2025-02");
        assert_eq!(m.long_name(), "February 2026");
        assert!("2026-13".parse::<Month>().is_err());
        assert!("26-01".parse::<Month>().is_err());
    }
}
