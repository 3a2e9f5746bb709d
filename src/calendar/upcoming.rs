//! Upcoming sends of the calendar, in Europe/London time: for `beacon calendar` and the console.

use super::Calendar;
use crate::domain::{Channel, LONDON};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// One upcoming send. The JSON shape is stable: `campaign`, `at` (RFC 3339 with the London
/// offset), `areas` (slugs as written in the campaign: `all`, a district or areas), `channels`.
#[derive(Debug, Serialize)]
pub struct Upcoming {
    pub campaign: String,
    pub at: String,
    /// The same instant, for sorting and grouping; not part of the JSON.
    #[serde(skip)]
    pub instant: DateTime<Utc>,
    pub areas: Vec<String>,
    pub channels: Vec<Channel>,
    /// Paused in the console: it will not go out while paused.
    pub paused: bool,
}

pub fn upcoming(
    cal: &Calendar,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    only: Option<&str>,
    paused: &[String],
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
                    instant: at,
                    areas: c.areas.iter().map(|a| a.slug().to_string()).collect(),
                    channels: c.channels.clone(),
                    paused: paused.contains(&c.slug),
                },
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.campaign.cmp(&b.1.campaign)));
    out.into_iter().map(|(_, u)| u).collect()
}
