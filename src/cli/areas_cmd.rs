//! `beacon areas`: list the areas, or say which area a postcode is in: the same
//! `AreaDirectory::resolve` answer the sign-up form acts on.

use super::Format;
use crate::config::Config;
use crate::domain::{Area, Postcode, Resolution};
use serde_json::json;

/// Every postcode of the table, its ward and position, and the area(s) the sign-up gives it.
pub fn every_postcode(config: &Config) -> anyhow::Result<bool> {
    let cal = crate::app::load_calendar(config)?;
    let geo = crate::calendar::postcodes::load().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "postcode",
        "ward",
        "ward_name",
        "easting",
        "northing",
        "latitude",
        "longitude",
        "status",
        "areas",
    ])?;
    for rec in &geo.postcodes {
        let (status, slugs) = match cal.areas.resolve(&rec.postcode) {
            Resolution::One(a) => ("one", a.slug.clone()),
            Resolution::Several(v) => (
                "several",
                v.iter()
                    .map(|a| a.slug.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            Resolution::NotCovered => ("not-covered", String::new()),
        };
        let opt = |v: Option<String>| v.unwrap_or_default();
        out.write_record([
            rec.postcode.to_string(),
            rec.ward.clone(),
            geo.ward(&rec.ward)
                .map(|w| w.name.clone())
                .unwrap_or_default(),
            opt(rec.at.map(|g| g.easting.to_string())),
            opt(rec.at.map(|g| g.northing.to_string())),
            opt(rec.lat_lon.map(|(lat, _)| lat.to_string())),
            opt(rec.lat_lon.map(|(_, lon)| lon.to_string())),
            status.to_string(),
            slugs,
        ])?;
    }
    out.flush()?;
    Ok(true)
}

pub fn run(config: &Config, postcode: Option<&str>, format: Format) -> anyhow::Result<bool> {
    let cal = crate::app::load_calendar(config)?;
    let Some(input) = postcode else {
        let areas: Vec<&Area> = cal.areas.iter().collect();
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(&areas)?),
            Format::Table => {
                for a in areas {
                    let postcodes: Vec<&str> = a.postcodes.iter().map(|p| p.as_str()).collect();
                    let households = a.households.map_or("-".to_string(), |h| h.to_string());
                    println!(
                        "{:<26} {:<28} {:<12} {:>7}  {}",
                        a.slug,
                        a.name,
                        a.district.slug(),
                        households,
                        postcodes.join(" ")
                    );
                }
            }
        }
        return Ok(true);
    };
    let pc = Postcode::parse(input).map_err(|e| anyhow::anyhow!("`{input}`: {e}"))?;
    let (status, found): (&str, Vec<&Area>) = match cal.areas.resolve(&pc) {
        Resolution::One(a) => ("one", vec![a]),
        Resolution::Several(v) => ("several", v),
        Resolution::NotCovered => ("not-covered", vec![]),
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "postcode": pc.as_str(), "status": status, "areas": found })
            )?
        ),
        Format::Table => match status {
            "not-covered" => println!(
                "{pc} is not covered: it is outside Chiltern and South Bucks; the sign-up points to Thames Valley Alert"
            ),
            _ => {
                if status == "several" {
                    println!(
                        "{pc} may be in {}; the sign-up asks \"Which place do you live in?\" (or somewhere else):",
                        if found.len() > 1 {
                            "several places"
                        } else {
                            "this place or outside the districts"
                        }
                    );
                }
                for a in found {
                    println!("{pc}  {}  {} ({})", a.slug, a.name, a.district.name());
                }
            }
        },
    }
    Ok(true)
}
