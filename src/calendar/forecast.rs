//! What the calendar promises a resident: how many e-mails someone following every topic in an
//! area would get each month under the sending rules (repeat window, weekly cap with the rest in
//! the round-up), and the warnings `beacon check` gives when a campaign or an area overdoes it.

use super::Calendar;
use crate::domain::{Campaign, Channel, LONDON, Schedule, SendingRules};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One month of one area's forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthForecast {
    /// `2026-12`.
    pub month: String,
    /// The area with the most e-mail that month.
    pub area: String,
    /// E-mails a resident following everything gets: campaigns plus weekly round-ups.
    pub emails: u32,
    /// Of which round-ups carrying messages over the weekly limit.
    pub round_ups: u32,
    /// Messages that wait for a round-up instead of coming on their own.
    pub folded: u32,
    /// Fires left out because the resident had the same message within the repeat window.
    pub repeats_skipped: u32,
}

/// A send as one resident would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Email,
    Folded,
    Repeat,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}

/// E-mail fires reaching `area`, oldest first, from campaigns not paused.
fn email_fires<'a>(
    cal: &'a Calendar,
    area: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    paused: &[String],
) -> Vec<(DateTime<Utc>, &'a Campaign)> {
    let mut out: Vec<(DateTime<Utc>, &Campaign)> = cal
        .campaigns
        .iter()
        // Pulse surveys go to their own consent, outside the alerts' weekly limit.
        .filter(|c| {
            c.channels.contains(&Channel::Email) && !paused.contains(&c.slug) && c.survey.is_none()
        })
        .filter(|c| cal.areas.expand(&c.areas).iter().any(|a| a.slug == area))
        .flat_map(|c| c.fires_between(from, until).map(move |t| (t, c)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.slug.cmp(&b.1.slug)));
    out
}

/// What happens to each fire for one resident following everything, as fan-out decides it.
fn fates(fires: &[(DateTime<Utc>, &Campaign)], rules: &SendingRules) -> Vec<Fate> {
    let mut last: HashMap<&str, DateTime<Utc>> = HashMap::new();
    let mut emails: Vec<DateTime<Utc>> = Vec::new();
    fires
        .iter()
        .map(|(t, c)| {
            let window = c.repeat_after.unwrap_or(rules.repeat_window);
            if last.get(c.slug.as_str()).is_some_and(|l| *t - *l < window) {
                return Fate::Repeat;
            }
            last.insert(&c.slug, *t);
            let week = emails
                .iter()
                .filter(|e| **e > *t - Duration::days(7))
                .count();
            if !c.urgent && rules.max_per_week > 0 && week >= rules.max_per_week as usize {
                Fate::Folded
            } else {
                if !c.urgent {
                    emails.push(*t);
                }
                Fate::Email
            }
        })
        .collect()
}

/// Month by month for `months` months from the start of `from`'s month (UK time), the e-mails
/// a resident following every topic in `area` would get.
pub fn per_resident(
    cal: &Calendar,
    area: &str,
    from: DateTime<Utc>,
    months: u32,
    rules: &SendingRules,
    digest: Option<&Schedule>,
    paused: &[String],
) -> Vec<MonthForecast> {
    let first = month_start(from.with_timezone(&LONDON).date_naive());
    let start = crate::domain::schedule::london_instant(first.and_time(chrono::NaiveTime::MIN));
    let end_day = add_months(first, months);
    let end = crate::domain::schedule::london_instant(end_day.and_time(chrono::NaiveTime::MIN));
    // Look a window back, so a repeat just before the first month counts as it will.
    let fires = email_fires(cal, area, start - rules.repeat_window, end, paused);
    let fates = fates(&fires, rules);
    let key = |t: DateTime<Utc>| t.with_timezone(&LONDON).format("%Y-%m").to_string();
    let mut by_month: BTreeMap<String, MonthForecast> = (0..months)
        .map(|i| {
            let m = add_months(first, i).format("%Y-%m").to_string();
            let f = MonthForecast {
                month: m.clone(),
                area: area.to_string(),
                emails: 0,
                round_ups: 0,
                folded: 0,
                repeats_skipped: 0,
            };
            (m, f)
        })
        .collect();
    let mut round_ups: BTreeSet<DateTime<Utc>> = BTreeSet::new();
    for ((t, _), fate) in fires.iter().zip(fates) {
        if *t <= start {
            continue;
        }
        let Some(m) = by_month.get_mut(&key(*t)) else {
            continue;
        };
        match fate {
            Fate::Email => m.emails += 1,
            Fate::Repeat => m.repeats_skipped += 1,
            Fate::Folded => {
                m.folded += 1;
                if let Some(at) = digest.and_then(|d| d.next_after(*t)) {
                    round_ups.insert(at);
                }
            }
        }
    }
    for at in round_ups {
        if let Some(m) = by_month.get_mut(&key(at)) {
            m.round_ups += 1;
            m.emails += 1;
        }
    }
    by_month.into_values().collect()
}

/// Per month, the area whose residents would get the most e-mail.
pub fn worst_area(
    cal: &Calendar,
    from: DateTime<Utc>,
    months: u32,
    rules: &SendingRules,
    digest: Option<&Schedule>,
    paused: &[String],
) -> Vec<MonthForecast> {
    let mut worst: Vec<MonthForecast> = Vec::new();
    for a in cal.areas.iter() {
        let f = per_resident(cal, &a.slug, from, months, rules, digest, paused);
        if worst.is_empty() {
            worst = f;
            continue;
        }
        for (w, m) in worst.iter_mut().zip(f) {
            if m.emails > w.emails {
                *w = m;
            }
        }
    }
    worst
}

/// `beacon check`'s warnings about how often the calendar writes to residents over the year
/// from `from`: a campaign firing more than `max_fires` times in 30 days, and an area whose
/// residents would get more than the weekly cap (the rest would wait for the round-up).
pub fn warnings(
    cal: &Calendar,
    from: DateTime<Utc>,
    max_fires: u32,
    rules: &SendingRules,
) -> Vec<String> {
    let until = from + Duration::days(365);
    let mut out = Vec::new();
    for c in &cal.campaigns {
        let fires: Vec<DateTime<Utc>> = c.fires_between(from, until).collect();
        let busiest = fires
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let n = fires[i..]
                    .iter()
                    .take_while(|x| **x < *t + Duration::days(30))
                    .count();
                (n, *t)
            })
            .max_by_key(|(n, t)| (*n, std::cmp::Reverse(*t)));
        if let Some((n, t)) = busiest.filter(|(n, _)| *n > max_fires as usize) {
            out.push(format!(
                "`{}` fires {n} times in the 30 days from {}; calendar.max_fires_per_30_days is {max_fires}",
                c.slug,
                t.with_timezone(&LONDON).date_naive()
            ));
        }
    }
    if rules.max_per_week == 0 {
        return out;
    }
    let mut over: BTreeMap<(DateTime<Utc>, usize), Vec<String>> = BTreeMap::new();
    for a in cal.areas.iter() {
        let fires = email_fires(cal, &a.slug, from, until, &[]);
        let fates = fates(&fires, &{
            let mut r = rules.clone();
            r.max_per_week = 0;
            r
        });
        let routine: Vec<DateTime<Utc>> = fires
            .iter()
            .zip(&fates)
            .filter(|((_, c), f)| **f == Fate::Email && !c.urgent)
            .map(|((t, _), _)| *t)
            .collect();
        let first_over = routine.iter().enumerate().find_map(|(i, t)| {
            let n = routine[i..]
                .iter()
                .take_while(|x| **x < *t + Duration::days(7))
                .count();
            (n > rules.max_per_week as usize).then_some((*t, n))
        });
        if let Some(k) = first_over {
            over.entry(k).or_default().push(a.slug.clone());
        }
    }
    for ((t, n), areas) in over {
        out.push(format!(
            "a resident following every topic in {} would get {n} e-mails in the 7 days from {}; \
             delivery.max_per_resident_per_week is {}, so the rest would wait for the weekly round-up",
            areas.join(", "),
            t.with_timezone(&LONDON).date_naive(),
            rules.max_per_week
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(slug: &str, urgent: bool, repeat_after: Option<Duration>) -> Campaign {
        Campaign {
            slug: slug.into(),
            title: slug.into(),
            priority: crate::domain::Priority::BurglaryVehicle,
            lead: "TVP".into(),
            schedule: "0 9 * * *".parse().unwrap(),
            season: None,
            starts: None,
            ends: None,
            areas: vec![crate::domain::AreaTarget::All],
            channels: vec![Channel::Email],
            subject: "s".into(),
            summary: "s".into(),
            body: "b".into(),
            grace: crate::domain::campaign::DEFAULT_GRACE,
            content_hash: String::new(),
            repeat_after,
            urgent,
            survey: None,
        }
    }

    fn at(day: u32) -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2030, 1, day, 9, 0, 0).unwrap()
    }

    #[test]
    fn repeats_are_left_out_and_the_third_routine_email_of_a_week_is_folded() {
        let (a, b, c) = (
            campaign("a", false, None),
            campaign("b", false, None),
            campaign("c", false, None),
        );
        let urgent = campaign("u", true, None);
        let reminder = campaign("r", false, Some(Duration::days(7)));
        let fires = vec![
            (at(1), &a),
            (at(2), &a),
            (at(3), &b),
            (at(4), &urgent),
            (at(5), &c),
            (at(9), &reminder),
            (at(16), &reminder),
            (at(16), &a),
        ];
        let rules = SendingRules::default();
        assert_eq!(
            fates(&fires, &rules),
            [
                Fate::Email,
                Fate::Repeat,
                Fate::Email,
                Fate::Email,
                Fate::Folded,
                Fate::Email,
                Fate::Email,
                Fate::Email,
            ]
        );
    }
}
