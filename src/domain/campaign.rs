//! A campaign from the communications calendar, and when it is due.

use super::{AreaTarget, Channel, Priority, Schedule, Season, schedule::LONDON};
use chrono::{DateTime, NaiveDate, Utc};
use std::time::Duration;

/// How long after its time a missed fire may still go out.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(6 * 3600);

/// One campaign file, validated: what to send, to whom, where and when.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// The file name without `.md`; the campaign's identity.
    pub slug: String,
    /// The title staff see.
    pub title: String,
    /// The plan priority it serves.
    pub priority: Priority,
    /// The partner organisation that leads it.
    pub lead: String,
    /// When it fires (Europe/London).
    pub schedule: Schedule,
    /// The part of each year it may fire in.
    pub season: Option<Season>,
    /// The first day it may fire.
    pub starts: Option<NaiveDate>,
    /// The last day it may fire.
    pub ends: Option<NaiveDate>,
    /// Who it goes to.
    pub areas: Vec<AreaTarget>,
    /// How it goes out.
    pub channels: Vec<Channel>,
    /// The e-mail subject and feed title.
    pub subject: String,
    /// The one-line summary for feeds and lists.
    pub summary: String,
    /// The message, as Markdown.
    pub body: String,
    /// How late a missed fire may still be sent.
    pub grace: Duration,
    /// SHA-256 of the file, so a run records exactly what it sent.
    pub content_hash: String,
    /// A reminder's own repeat window (`repeat_after`), instead of `delivery.repeat_window`.
    pub repeat_after: Option<chrono::Duration>,
    /// A live warning (`urgent = true`): not held by quiet hours nor folded by the weekly cap.
    pub urgent: bool,
    /// `kind = "survey"`: the pulse question it asks, from the fixed bank; it goes only to
    /// residents who agreed to the pulse. `None` for an ordinary message.
    pub survey: Option<super::survey::Question>,
}

impl Campaign {
    /// Whether a fire at this instant falls inside the season and the start/end dates,
    /// all read as Europe/London dates.
    pub fn active_on(&self, at: DateTime<Utc>) -> bool {
        let date = at.with_timezone(&LONDON).date_naive();
        self.season.is_none_or(|s| s.contains(date))
            && self.starts.is_none_or(|s| date >= s)
            && self.ends.is_none_or(|e| date <= e)
    }

    /// Fires strictly after `after` and up to `until` inclusive, in order.
    pub fn fires_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        self.schedule
            .fires_after(after)
            .take_while(move |t| *t <= until)
            .filter(|t| self.active_on(*t))
    }

    /// The next fire strictly after `after`, looking at most `horizon_days` ahead.
    pub fn next_fire(&self, after: DateTime<Utc>, horizon_days: i64) -> Option<DateTime<Utc>> {
        self.fires_between(after, after + chrono::Duration::days(horizon_days))
            .next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(
        season: Option<(&str, &str)>,
        starts: Option<&str>,
        ends: Option<&str>,
    ) -> Campaign {
        Campaign {
            slug: "t".into(),
            title: "T".into(),
            priority: Priority::BurglaryVehicle,
            lead: "Thames Valley Police".into(),
            schedule: "0 9 * * *".parse().unwrap(),
            season: season.map(|(f, t)| Season {
                from: f.parse().unwrap(),
                to: t.parse().unwrap(),
            }),
            starts: starts.map(|s| s.parse().unwrap()),
            ends: ends.map(|s| s.parse().unwrap()),
            areas: vec![AreaTarget::All],
            channels: vec![Channel::Email],
            subject: "s".into(),
            summary: "s".into(),
            body: "b".into(),
            grace: DEFAULT_GRACE,
            content_hash: String::new(),
            repeat_after: None,
            urgent: false,
            survey: None,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn fires_only_inside_a_season_that_wraps_the_year() {
        let c = campaign(Some(("12-30", "01-02")), None, None);
        let fires: Vec<_> = c
            .fires_between(utc("2026-12-25T00:00:00Z"), utc("2027-01-10T00:00:00Z"))
            .map(|t| t.date_naive().to_string())
            .collect();
        assert_eq!(
            fires,
            ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
        );
    }

    #[test]
    fn one_off_dates_bound_the_fires() {
        let c = campaign(None, Some("2026-12-01"), Some("2026-12-02"));
        assert_eq!(
            c.fires_between(utc("2026-11-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"))
                .count(),
            2
        );
        assert_eq!(c.next_fire(utc("2026-12-03T00:00:00Z"), 400), None);
    }
}
