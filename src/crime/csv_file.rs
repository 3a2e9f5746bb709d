//! The street-level CSV files data.police.uk publishes (`2026-09-thames-valley-street.csv`):
//! Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location, LSOA code,
//! LSOA name, Crime type, Last outcome category, Context. Crime ID is blank for anti-social
//! behaviour; a crime police.uk could not place has "No location" and no coordinates.

use super::{Locator, Tally};
use crate::domain::crime::{Category, Month};
use std::path::Path;

/// A file that cannot be read as police.uk data, located as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct CsvError {
    /// The file, as named.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

const NEEDED: [&str; 4] = ["Month", "Longitude", "Latitude", "Crime type"];

/// Reads one file into `tally`; on error the tally may hold part of it, so callers store
/// nothing unless every file read cleanly.
pub fn read(path: &Path, locator: &Locator, tally: &mut Tally) -> Result<(), CsvError> {
    let file = path.display().to_string();
    let err = |line: u64, message: String| CsvError {
        file: file.clone(),
        line,
        message,
    };
    let f = std::fs::File::open(path).map_err(|e| err(0, format!("cannot open: {e}")))?;
    let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(f);
    let headers = r
        .headers()
        .map_err(|e| err(1, format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let mut at = [0usize; 4];
    for (i, name) in NEEDED.iter().enumerate() {
        at[i] = col(name).ok_or_else(|| {
            err(
                1,
                format!(
                    "no `{name}` column; a police.uk street-level file starts: Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
                ),
            )
        })?;
    }
    let [month_at, lon_at, lat_at, type_at] = at;
    for record in r.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let month = field(month_at)
            .parse::<Month>()
            .map_err(|e| err(line, format!("Month: {e}")))?;
        let crime_type = field(type_at);
        let category = Category::from_crime_type(crime_type).ok_or_else(|| {
            err(
                line,
                format!("Crime type `{crime_type}` is not a police.uk category"),
            )
        })?;
        let position = match (field(lat_at), field(lon_at)) {
            ("", "") => None,
            (lat, lon) => {
                let parse = |name: &str, v: &str, limit: f64| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && x.abs() <= limit)
                        .ok_or_else(|| {
                            err(line, format!("{name} `{v}` is not a number of degrees"))
                        })
                };
                Some((
                    parse("Latitude", lat, 90.0)?,
                    parse("Longitude", lon, 180.0)?,
                ))
            }
        };
        tally.add(locator, month, category, position);
    }
    Ok(())
}

/// Reads every file; the first bad one stops the import before anything is stored.
pub fn read_all(paths: &[impl AsRef<Path>], locator: &Locator) -> Result<Tally, CsvError> {
    let mut tally = Tally::default();
    for p in paths {
        read(p.as_ref(), locator, &mut tally)?;
    }
    Ok(tally)
}
