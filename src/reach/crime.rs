//! The crime section: recorded crime per 1,000 households per area and category, from police.uk
//! (published open data, so no count needs suppressing), over the imported months the report's
//! period touches, or the latest three imported before its end when police.uk has not caught up.

use super::Period;
use crate::domain::AreaDirectory;
use crate::domain::crime::{Category, CrimeTable, Month, per_1000};
use chrono::Datelike;
use serde::Serialize;

/// Where the figures come from, as the licence asks.
pub const ATTRIBUTION: &str = "Contains public sector information from data.police.uk, licensed under the Open Government Licence v3.0.";

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CategoryCrime {
    pub category: String,
    pub name: String,
    pub crimes: i64,
    pub per_1000_households: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaCrime {
    pub slug: String,
    pub name: String,
    pub district: String,
    pub households: Option<u32>,
    /// Every recorded crime and anti-social behaviour report in the months.
    pub crimes: i64,
    pub per_1000_households: Option<f64>,
    pub categories: Vec<CategoryCrime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default, utoipa::ToSchema)]
pub struct CrimeSection {
    /// The months counted (`YYYY-MM`); empty when none are held.
    pub months: Vec<String>,
    pub areas: Vec<AreaCrime>,
    /// Every area together (households only of areas with a household count).
    pub all_per_1000_households: Option<f64>,
    pub attribution: &'static str,
}

/// The held months the period touches, or else the latest three held before its end.
pub fn months(period: &Period, held: &[Month]) -> Vec<Month> {
    let first = Month::new(period.from.year(), period.from.month());
    let last = Month::new(period.to.year(), period.to.month());
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let within: Vec<Month> = held
        .iter()
        .copied()
        .filter(|m| (first..=last).contains(m))
        .collect();
    if !within.is_empty() {
        return within;
    }
    let mut before: Vec<Month> = held.iter().copied().filter(|m| *m <= last).collect();
    before.sort();
    before.split_off(before.len().saturating_sub(3))
}

pub fn build(dir: &AreaDirectory, months: &[Month], table: &CrimeTable) -> CrimeSection {
    if months.is_empty() {
        return CrimeSection {
            attribution: ATTRIBUTION,
            ..Default::default()
        };
    }
    let count = |slug: &str, c: Option<Category>| -> i64 {
        months.iter().map(|m| table.count(slug, *m, c)).sum()
    };
    let mut all: (i64, u64) = (0, 0);
    let areas = dir
        .iter()
        .map(|a| {
            let households = a.households.map(u64::from).unwrap_or(0);
            let crimes = count(&a.slug, None);
            if households > 0 {
                all = (all.0 + crimes, all.1 + households);
            }
            AreaCrime {
                slug: a.slug.clone(),
                name: a.name.clone(),
                district: a.district.slug().into(),
                households: a.households,
                crimes,
                per_1000_households: per_1000(crimes, households),
                categories: Category::all()
                    .map(|c| {
                        let n = count(&a.slug, Some(c));
                        CategoryCrime {
                            category: c.slug().into(),
                            name: c.name().into(),
                            crimes: n,
                            per_1000_households: per_1000(n, households),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    CrimeSection {
        months: months.iter().map(Month::to_string).collect(),
        areas,
        all_per_1000_households: per_1000(all.0, all.1),
        attribution: ATTRIBUTION,
    }
}
