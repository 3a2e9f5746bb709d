//! A campaign as the console names it: areas and channels in words, the schedule in words
//! (or its cron text and next sends when it has none), the season as "25 Oct – 28 Feb".

use crate::domain::schedule_words::describe_campaign_schedule;
use crate::domain::{AreaDirectory, AreaTarget, Campaign, Channel};
use crate::render::words;
use chrono::{DateTime, Utc};

/// "Chesham and Amersham (every area)", "Chesham", "Every area".
pub fn area_names(dir: &AreaDirectory, targets: &[AreaTarget]) -> String {
    targets
        .iter()
        .map(|t| match t {
            AreaTarget::All => "Every area".to_string(),
            AreaTarget::District(d) => format!("{} (every area)", d.name()),
            AreaTarget::Area(slug) => dir
                .get(slug)
                .map_or_else(|| slug.clone(), |a| a.name.clone()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "E-mail, feeds and partners' webhooks".
pub fn channel_names(channels: &[Channel]) -> String {
    let names: Vec<&str> = channels
        .iter()
        .map(|c| match c {
            Channel::Email => "e-mail",
            Channel::Feed => "feeds",
            Channel::Webhook => "partners' webhooks",
        })
        .collect();
    let text = match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(chars).collect())
}

/// "25 Oct – 28 Feb", or "All year".
pub fn season(c: &Campaign) -> String {
    c.season
        .map_or_else(|| "All year".into(), |s| s.short_words())
}

/// The schedule in words (with the season, or without it where the season has its own
/// column), or else the cron text with the next sends, so nothing is guessed.
pub fn schedule_or_cron(c: &Campaign, now: DateTime<Utc>, with_season: bool) -> String {
    let season = c.season.as_ref().filter(|_| with_season);
    describe_campaign_schedule(c.schedule.source(), season).unwrap_or_else(|| {
        let next: Vec<String> = c
            .fires_between(now, now + chrono::Duration::days(400))
            .take(3)
            .map(words::when)
            .collect();
        if next.is_empty() {
            format!("{} (UK time); none in the next year", c.schedule.source())
        } else {
            format!(
                "{} (UK time); next {}",
                c.schedule.source(),
                next.join("; ")
            )
        }
    })
}
