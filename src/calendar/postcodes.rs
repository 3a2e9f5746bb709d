//! The postcode table (`data/postcodes/`, generated from OS Code-Point Open by
//! `tools/postcodes/generate.py`), built into the binary so a fresh clone and every
//! deployment has it without a download.

use crate::domain::District;
use crate::domain::Postcode;
use crate::domain::geography::{Geography, GridRef, PostcodeRecord, Ward};

const WARDS_CSV: &str = include_str!("../../data/postcodes/wards.csv");
const POSTCODES_CSV: &str = include_str!("../../data/postcodes/postcodes.csv");
const SECTORS_CSV: &str = include_str!("../../data/postcodes/sectors.csv");
/// Where the table lives in the repository, for messages.
pub const TABLE_PATH: &str = "data/postcodes/postcodes.csv";

#[derive(serde::Deserialize)]
struct WardRow {
    ward: String,
    name: String,
    former_district: String,
}

#[derive(serde::Deserialize)]
struct SectorRow {
    sector: String,
}

#[derive(serde::Deserialize)]
struct PostcodeRow {
    postcode: String,
    ward: String,
    easting: Option<u32>,
    northing: Option<u32>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// Reads the built-in table; an error names the line.
pub fn load() -> Result<Geography, String> {
    let mut geo = parse(WARDS_CSV, POSTCODES_CSV)?;
    for row in csv::Reader::from_reader(SECTORS_CSV.as_bytes()).deserialize::<SectorRow>() {
        let row = row.map_err(|e| format!("sectors.csv: {e}"))?;
        geo.partly_outside.insert(row.sector);
    }
    Ok(geo)
}

fn parse(wards_csv: &str, postcodes_csv: &str) -> Result<Geography, String> {
    let mut wards = Vec::new();
    for row in csv::Reader::from_reader(wards_csv.as_bytes()).deserialize::<WardRow>() {
        let row = row.map_err(|e| format!("wards.csv: {e}"))?;
        let district = row
            .former_district
            .parse::<District>()
            .map_err(|e| format!("wards.csv: ward {}: {e}", row.ward))?;
        wards.push(Ward {
            code: row.ward,
            name: row.name,
            district,
        });
    }
    let mut postcodes = Vec::new();
    for (i, row) in csv::Reader::from_reader(postcodes_csv.as_bytes())
        .deserialize::<PostcodeRow>()
        .enumerate()
    {
        let at = |m: String| format!("line {}: {m}", i + 2);
        let row = row.map_err(|e| at(e.to_string()))?;
        let postcode =
            Postcode::parse(&row.postcode).map_err(|e| at(format!("`{}`: {e}", row.postcode)))?;
        if !wards.iter().any(|w| w.code == row.ward) {
            return Err(at(format!("ward {} is not in wards.csv", row.ward)));
        }
        postcodes.push(PostcodeRecord {
            postcode,
            ward: row.ward,
            at: row
                .easting
                .zip(row.northing)
                .and_then(|(e, n)| GridRef::new(e, n)),
            lat_lon: row.latitude.zip(row.longitude),
        });
    }
    Ok(Geography {
        wards,
        postcodes,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_loads_with_positions() {
        let geo = load().unwrap();
        assert_eq!(geo.wards.len(), 16);
        assert!(geo.postcodes.len() > 5000, "{}", geo.postcodes.len());
        assert!(
            geo.postcodes
                .iter()
                .all(|p| p.at.is_some() && p.lat_lon.is_some())
        );
        assert!(
            geo.partly_outside.contains("HP10 8"),
            "Penn shares HP10 8 with Tylers Green"
        );
    }

    #[test]
    fn a_broken_row_is_named_by_line() {
        let wards = "ward,name,former_district\nW1,Chesham,chiltern\n";
        let err = parse(wards, "postcode,ward,easting,northing,latitude,longitude\nHP5 1AA,W1,1,2,51.7,-0.6\nHP5,W1,,,,\n")
            .unwrap_err();
        assert!(err.starts_with("line 3: `HP5`"), "{err}");
        let err = parse(
            wards,
            "postcode,ward,easting,northing,latitude,longitude\nHP5 1AA,W2,1,2,,\n",
        )
        .unwrap_err();
        assert!(err.contains("ward W2 is not in wards.csv"), "{err}");
    }
}
