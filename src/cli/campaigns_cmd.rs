//! `beacon campaigns`: every campaign in the calendar, in season or not, with its next send.

use super::{Format, human};
use crate::config::Config;
use crate::domain::Campaign;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Row<'a> {
    slug: &'a str,
    title: &'a str,
    priority: &'a str,
    schedule: &'a str,
    /// RFC 3339; none in the next two years (ended, or never in season again).
    next_send: Option<DateTime<Utc>>,
    paused: bool,
    in_season: bool,
}

/// Looking two years ahead finds the next season of any yearly campaign.
const HORIZON_DAYS: i64 = 2 * 366;

fn row<'a>(c: &'a Campaign, now: DateTime<Utc>, paused: &[String]) -> Row<'a> {
    Row {
        slug: &c.slug,
        title: &c.title,
        priority: c.priority.slug(),
        schedule: c.schedule.source(),
        next_send: c.next_fire(now, HORIZON_DAYS),
        paused: paused.contains(&c.slug),
        in_season: c.active_on(now),
    }
}

pub async fn run(config: &Config, format: Format) -> anyhow::Result<bool> {
    let cal = crate::app::load_calendar(config)?;
    let paused = super::calendar_cmd::paused(config).await;
    let now = Utc::now();
    let rows: Vec<Row> = cal.campaigns.iter().map(|c| row(c, now, &paused)).collect();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Table => {
            if rows.is_empty() {
                println!("no campaigns in {}", config.calendar.dir.display());
                return Ok(true);
            }
            let mut t = human::table(&["slug", "title", "next send (UK time)", "paused", "season"]);
            for r in &rows {
                t.add_row([
                    r.slug.to_string(),
                    r.title.to_string(),
                    r.next_send
                        .map_or_else(|| "none in the next 2 years".into(), human::when),
                    if r.paused { "paused" } else { "no" }.to_string(),
                    if r.in_season {
                        "in season"
                    } else {
                        "out of season"
                    }
                    .to_string(),
                ]);
            }
            println!("{}", super::human::show(&t));
            println!(
                "{} campaign(s): {} in season, {} paused",
                rows.len(),
                rows.iter().filter(|r| r.in_season).count(),
                rows.iter().filter(|r| r.paused).count()
            );
        }
    }
    Ok(true)
}
