//! `beacon areas`: list the areas, or say which area a postcode is in: the same
//! `AreaDirectory::resolve` answer the sign-up form acts on.

use super::Format;
use crate::config::Config;
use crate::domain::{Area, Postcode, Resolution};
use serde_json::json;

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
