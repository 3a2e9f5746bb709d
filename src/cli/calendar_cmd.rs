//! `beacon calendar`: upcoming sends, in Europe/London time.

use super::Format;
use crate::config::Config;
use crate::domain::schedule::london_instant;
use crate::domain::{Channel, LONDON};
use anyhow::bail;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// One upcoming send. The JSON shape is stable: `campaign`, `at` (RFC 3339 with the London
/// offset), `areas` (slugs as written in the campaign: `all`, a district or areas), `channels`.
#[derive(Debug, Serialize)]
pub struct Upcoming {
    pub campaign: String,
    pub at: String,
    pub areas: Vec<String>,
    pub channels: Vec<Channel>,
}

pub fn upcoming(
    cal: &crate::calendar::Calendar,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    only: Option<&str>,
) -> Vec<Upcoming> {
    let mut out: Vec<(DateTime<Utc>, Upcoming)> = Vec::new();
    for c in cal
        .campaigns
        .iter()
        .filter(|c| only.is_none_or(|s| s == c.slug))
    {
        // `fires_between` excludes its start; step back a millisecond to include a fire at `from`.
        for at in c.fires_between(
            from - Duration::milliseconds(1),
            until - Duration::milliseconds(1),
        ) {
            out.push((
                at,
                Upcoming {
                    campaign: c.slug.clone(),
                    at: at.with_timezone(&LONDON).to_rfc3339(),
                    areas: c.areas.iter().map(|a| a.slug().to_string()).collect(),
                    channels: c.channels.clone(),
                },
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.campaign.cmp(&b.1.campaign)));
    out.into_iter().map(|(_, u)| u).collect()
}

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
