//! Recorded crime from police.uk open data (Open Government Licence v3.0), brought in from the
//! street-level CSV files (`csv_file`) or the data.police.uk API (`police_api`), each crime put
//! in an area by its position, and stored a whole month at a time.

pub mod csv_file;
pub mod police_api;

use crate::domain::crime::{Category, Month};
use crate::domain::geography::Geography;
use crate::domain::{AreaDirectory, Resolution};
use crate::store::{CrimeRow, ImportedMonth, SqlStore, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// A crime further than this from every postcode of the districts is outside them. police.uk
/// places crimes on the nearest of its map points (a street's middle), and the table holds every
/// live postcode, so a crime inside is rarely more than a few hundred metres from one.
pub const MAX_METRES: f64 = 1000.0;
const CELL: f64 = MAX_METRES;
/// Metres per degree of latitude, and of longitude at the districts' latitude (51.6° N).
const M_PER_LAT: f64 = 111_250.0;
const M_PER_LON: f64 = 69_200.0;

/// Postcode positions in metres (x, y) and their area's index, by 1 km grid cell.
type Cells = HashMap<(i64, i64), Vec<(f64, f64, usize)>>;

/// A postcode's area by position: the nearest postcode of the table, within [`MAX_METRES`].
#[derive(Debug, Default)]
pub struct Locator {
    cells: Cells,
    areas: Vec<String>,
    /// Each area's extent in degrees: (min lat, min lon, max lat, max lon).
    bounds: BTreeMap<String, (f64, f64, f64, f64)>,
}

fn metres(lat: f64, lon: f64) -> (f64, f64) {
    (lon * M_PER_LON, lat * M_PER_LAT)
}

impl Locator {
    /// Every postcode with a position and one area (the nearest when the resolver offers several).
    pub fn new(geo: &Geography, dir: &AreaDirectory) -> Locator {
        let mut l = Locator::default();
        for rec in &geo.postcodes {
            let Some((lat, lon)) = rec.lat_lon else {
                continue;
            };
            let slug = match dir.resolve(&rec.postcode) {
                Resolution::One(a) => &a.slug,
                Resolution::Several(v) if !v.is_empty() => &v[0].slug,
                _ => continue,
            };
            let i = match l.areas.iter().position(|s| s == slug) {
                Some(i) => i,
                None => {
                    l.areas.push(slug.clone());
                    l.areas.len() - 1
                }
            };
            let (x, y) = metres(lat, lon);
            let key = ((x / CELL).floor() as i64, (y / CELL).floor() as i64);
            l.cells.entry(key).or_default().push((x, y, i));
            let b = l.bounds.entry(slug.clone()).or_insert((lat, lon, lat, lon));
            *b = (b.0.min(lat), b.1.min(lon), b.2.max(lat), b.3.max(lon));
        }
        l
    }

    /// The area of a crime at this position, or none outside the districts.
    pub fn area(&self, lat: f64, lon: f64) -> Option<&str> {
        let (x, y) = metres(lat, lon);
        let (cx, cy) = ((x / CELL).floor() as i64, (y / CELL).floor() as i64);
        let mut best: Option<(f64, usize)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &(px, py, i) in self.cells.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let d = (px - x).hypot(py - y);
                    if d <= MAX_METRES && best.is_none_or(|b| d < b.0) {
                        best = Some((d, i));
                    }
                }
            }
        }
        best.map(|(_, i)| self.areas[i].as_str())
    }

    /// Each area's extent, widened by `pad_metres`: (min lat, min lon, max lat, max lon).
    pub fn bounds(&self, pad_metres: f64) -> Vec<(String, (f64, f64, f64, f64))> {
        let (dlat, dlon) = (pad_metres / M_PER_LAT, pad_metres / M_PER_LON);
        self.bounds
            .iter()
            .map(|(s, b)| (s.clone(), (b.0 - dlat, b.1 - dlon, b.2 + dlat, b.3 + dlon)))
            .collect()
    }
}

/// Why a row was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// police.uk could not place it ("No location").
    NoLocation,
    /// It lies outside the districts.
    Outside,
}

/// What one import read and where it put it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Rows (crimes) read, per month.
    pub months: BTreeMap<Month, i64>,
    /// Crimes per area, month and category.
    pub counts: BTreeMap<(String, Month, Category), i64>,
    /// Rows not counted, by reason.
    pub skipped: BTreeMap<Skip, i64>,
}

impl Tally {
    /// Counts one crime at `position` (none when police.uk gives none).
    pub fn add(
        &mut self,
        locator: &Locator,
        month: Month,
        category: Category,
        position: Option<(f64, f64)>,
    ) {
        *self.months.entry(month).or_default() += 1;
        let area = match position {
            None => Err(Skip::NoLocation),
            Some((lat, lon)) => locator.area(lat, lon).ok_or(Skip::Outside),
        };
        match area {
            Ok(slug) => {
                *self
                    .counts
                    .entry((slug.into(), month, category))
                    .or_default() += 1
            }
            Err(skip) => *self.skipped.entry(skip).or_default() += 1,
        }
    }

    /// Rows read.
    pub fn rows(&self) -> i64 {
        self.months.values().sum()
    }

    /// Crimes counted per area.
    pub fn per_area(&self) -> BTreeMap<&str, i64> {
        let mut out = BTreeMap::new();
        for ((slug, _, _), n) in &self.counts {
            *out.entry(slug.as_str()).or_default() += n;
        }
        out
    }

    /// A summary for people: rows read, crimes per area, rows skipped and why.
    pub fn report(&self) -> String {
        use std::fmt::Write as _;
        let months: Vec<String> = self.months.keys().map(Month::to_string).collect();
        let mut s = format!(
            "{} rows read for {} month(s): {}\n",
            self.rows(),
            months.len(),
            months.join(", ")
        );
        for (slug, n) in self.per_area() {
            let _ = writeln!(s, "  {slug:<28} {n:>6}");
        }
        let skip = |k| self.skipped.get(&k).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "skipped: {} outside Chiltern and South Bucks, {} with no location",
            skip(Skip::Outside),
            skip(Skip::NoLocation)
        );
        s
    }

    /// Replaces every month read with these counts, in one transaction.
    pub async fn store(
        &self,
        store: &SqlStore,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let months: Vec<ImportedMonth> = self
            .months
            .iter()
            .map(|(m, n)| ImportedMonth {
                month: m.to_string(),
                rows_read: *n,
            })
            .collect();
        let counts: Vec<CrimeRow> = self
            .counts
            .iter()
            .map(|((slug, m, c), n)| CrimeRow {
                area_slug: slug.clone(),
                month: m.to_string(),
                category: c.slug().into(),
                count: *n,
            })
            .collect();
        store
            .replace_crime_months(&months, &counts, source, now)
            .await
    }
}
