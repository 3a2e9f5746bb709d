//! `beacon calendar`: upcoming sends in Europe/London time, paused campaigns marked; or, with
//! `--per-resident`, how many e-mails a resident following everything gets each month.

use super::Format;
use crate::config::Config;
use crate::domain::schedule::london_instant;
use anyhow::bail;
use chrono::{Duration, NaiveDate, Utc};

pub use crate::calendar::upcoming::upcoming;

/// Campaigns paused in the console, if the database is there to ask; `beacon calendar` works
/// from the files alone too, so a missing database is not an error.
pub(super) async fn paused(config: &Config) -> Vec<String> {
    let url = &config.database.url;
    if let Some(file) = url.strip_prefix("sqlite://") {
        let file = file.split('?').next().unwrap_or(file);
        if !std::path::Path::new(file).exists() {
            return Vec::new();
        }
    }
    let Ok(store) = crate::store::connect(url, 1).await else {
        eprintln!("note: cannot open the database, so paused campaigns are not marked");
        return Vec::new();
    };
    let paused = store.paused_campaigns().await;
    store.close().await;
    paused.unwrap_or_default()
}

pub struct CalendarArgs<'a> {
    pub from: Option<NaiveDate>,
    pub days: u32,
    pub only: Option<&'a str>,
    pub format: Format,
    pub per_resident: bool,
    pub area: Option<&'a str>,
}

pub async fn run(config: &Config, a: CalendarArgs<'_>) -> anyhow::Result<bool> {
    let cal = crate::app::load_calendar(config)?;
    if let Some(slug) = a.only
        && cal.campaign(slug).is_none()
    {
        bail!(
            "no campaign called `{slug}` in {}",
            config.calendar.dir.display()
        );
    }
    let start = match a.from {
        Some(d) => london_instant(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
        None => Utc::now(),
    };
    let paused = paused(config).await;
    if a.per_resident {
        return per_resident(config, &cal, start, a.area, a.format, &paused);
    }
    let until = start + Duration::days(i64::from(a.days));
    let list = upcoming(&cal, start, until, a.only, &paused);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
        Format::Table => {
            if list.is_empty() {
                println!("nothing scheduled in those {} days", a.days);
            }
            let mut t =
                super::human::table(&["when (UK time)", "campaign", "areas", "channels", ""]);
            for u in &list {
                let channels: Vec<&str> = u.channels.iter().map(|c| c.as_str()).collect();
                t.add_row([
                    super::human::when(u.instant),
                    u.campaign.clone(),
                    u.areas.join(","),
                    channels.join(","),
                    if u.paused { "PAUSED (not sent)" } else { "" }.to_string(),
                ]);
            }
            if !list.is_empty() {
                println!("{}", super::human::show(&t));
            }
        }
    }
    Ok(true)
}

fn per_resident(
    config: &Config,
    cal: &crate::calendar::Calendar,
    start: chrono::DateTime<Utc>,
    area: Option<&str>,
    format: Format,
    paused: &[String],
) -> anyhow::Result<bool> {
    use crate::calendar::forecast;
    let rules = config
        .delivery
        .sending_rules()
        .map_err(|m| anyhow::anyhow!("invalid configuration: {m}"))?;
    let digest = crate::app::digest_schedule(config)?;
    let months = match area {
        Some(slug) => {
            if cal.areas.get(slug).is_none() {
                bail!("no area called `{slug}`; `beacon areas` lists them");
            }
            forecast::per_resident(cal, slug, start, 12, &rules, digest.as_ref(), paused)
        }
        None => forecast::worst_area(cal, start, 12, &rules, digest.as_ref(), paused),
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&months)?),
        Format::Table => {
            println!(
                "e-mails a resident following every topic gets{} (at most {} a week; repeats within {} left out)",
                area.map_or_else(|| " in the busiest area".into(), |a| format!(" in {a}")),
                rules.max_per_week,
                crate::domain::sending::describe(rules.repeat_window)
            );
            println!("month    e-mails  round-ups  folded  repeats  area");
            for m in &months {
                println!(
                    "{:<8} {:>8} {:>10} {:>7} {:>8}  {}",
                    m.month, m.emails, m.round_ups, m.folded, m.repeats_skipped, m.area
                );
            }
        }
    }
    Ok(true)
}
