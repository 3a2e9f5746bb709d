//! `beacon calendar`: upcoming sends, in Europe/London time.

use super::Format;
use crate::config::Config;
use crate::domain::schedule::london_instant;
use anyhow::bail;
use chrono::{Duration, NaiveDate, Utc};

pub use crate::calendar::upcoming::upcoming;

pub fn run(
    config: &Config,
    from: Option<NaiveDate>,
    days: u32,
    only: Option<&str>,
    format: Format,
) -> anyhow::Result<bool> {
    let cal = crate::app::load_calendar(config)?;
    if let Some(slug) = only {
        if cal.campaign(slug).is_none() {
            bail!(
                "no campaign called `{slug}` in {}",
                config.calendar.dir.display()
            );
        }
    }
    let start = match from {
        Some(d) => london_instant(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
        None => Utc::now(),
    };
    let until = start + Duration::days(i64::from(days));
    let list = upcoming(&cal, start, until, only);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
        Format::Table => {
            if list.is_empty() {
                println!("nothing scheduled in those {days} days");
            }
            for u in &list {
                let channels: Vec<&str> = u.channels.iter().map(|c| c.as_str()).collect();
                println!(
                    "{:<25}  {:<28}  {:<30}  {}",
                    u.at,
                    u.campaign,
                    u.areas.join(","),
                    channels.join(",")
                );
            }
        }
    }
    Ok(true)
}
