//! Schedules in words, as the console's form offers them ("once, on a date at a time", "every
//! Monday and Friday at 09:00", "on the 1st of each month"), and the cron expression, season
//! and dates they write into a campaign file. A file whose schedule the words cannot say is
//! edited as its cron text instead.

use crate::domain::Campaign;
use chrono::{Datelike, NaiveDate};

/// The days of the week as cron names them, with the words the form shows.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("MON", "Monday"),
    ("TUE", "Tuesday"),
    ("WED", "Wednesday"),
    ("THU", "Thursday"),
    ("FRI", "Friday"),
    ("SAT", "Saturday"),
    ("SUN", "Sunday"),
];

/// The months, for the season's day-and-month pickers.
pub use crate::domain::schedule_words::MONTHS;

/// The schedule part of the console's form, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct WhenForm {
    /// `once`, `weekly`, `monthly` or `custom` (cron text).
    pub repeat: String,
    /// For `once`: `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, UK time.
    pub time: String,
    /// For `weekly`: cron day names (`MON` …).
    pub weekdays: Vec<String>,
    /// For `monthly`: the day of the month.
    pub day_of_month: String,
    /// For `custom`: the cron expression.
    pub cron: String,
    /// The season's first day and month (both empty: no season).
    pub season_from_day: String,
    /// 1–12.
    pub season_from_month: String,
    /// The season's last day and month.
    pub season_to_day: String,
    /// 1–12.
    pub season_to_month: String,
    /// First day it may send, `YYYY-MM-DD` (not for `once`).
    pub starts: String,
    /// Last day it may send.
    pub ends: String,
}

/// What a [`WhenForm`] writes into the front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhenFile {
    /// `schedule`: the cron expression.
    pub schedule: String,
    /// `season = { from, to }` as `MM-DD`.
    pub season: Option<(String, String)>,
    /// `starts`, `YYYY-MM-DD`.
    pub starts: Option<String>,
    /// `ends`, `YYYY-MM-DD`.
    pub ends: Option<String>,
}

/// A mistake in the form itself, with the form field it belongs to.
pub type FieldError = (&'static str, String);

fn parse_time(t: &str) -> Option<(u32, u32)> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

fn parse_date(d: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()
}

fn month_day(
    day: &str,
    month: &str,
    field: &'static str,
    errs: &mut Vec<FieldError>,
) -> Option<String> {
    match (day.trim().parse::<u32>(), month.trim().parse::<u32>()) {
        (Ok(d), Ok(m))
            if (1..=12).contains(&m) && NaiveDate::from_ymd_opt(2024, m, d).is_some() =>
        {
            Some(format!("{m:02}-{d:02}"))
        }
        _ => {
            errs.push((
                field,
                "Enter a real day and choose a month, like 25 October".into(),
            ));
            None
        }
    }
}

/// The cron, season and dates the form asks for, or every mistake in it by field.
pub fn to_file(f: &WhenForm) -> Result<WhenFile, Vec<FieldError>> {
    let mut errs = Vec::new();
    let time = if f.repeat == "custom" {
        None
    } else {
        let t = parse_time(&f.time);
        if t.is_none() {
            errs.push((
                "time",
                "Enter a time in the 24-hour clock, like 09:00".into(),
            ));
        }
        t
    };
    let (h, m) = time.unwrap_or((0, 0));
    let mut starts = None;
    let mut ends = None;
    let schedule = match f.repeat.as_str() {
        "once" => match parse_date(&f.date) {
            Some(d) => {
                starts = Some(d.to_string());
                ends = Some(d.to_string());
                format!("{m} {h} {} {} *", d.day(), d.month())
            }
            None => {
                errs.push(("date", "Enter a real date, like 2026-12-04".into()));
                String::new()
            }
        },
        "weekly" => {
            let days: Vec<&str> = WEEKDAYS
                .iter()
                .map(|(c, _)| *c)
                .filter(|c| f.weekdays.iter().any(|w| w == c))
                .collect();
            if days.is_empty() {
                errs.push(("weekdays", "Choose at least one day of the week".into()));
            }
            format!("{m} {h} * * {}", days.join(","))
        }
        "monthly" => match f.day_of_month.trim().parse::<u32>() {
            Ok(d) if (1..=28).contains(&d) => format!("{m} {h} {d} * *"),
            _ => {
                errs.push((
                    "day_of_month",
                    "Enter a day from 1 to 28, so it falls in every month".into(),
                ));
                String::new()
            }
        },
        "custom" => f.cron.trim().to_string(),
        _ => {
            errs.push(("repeat", "Choose how often it is sent".into()));
            String::new()
        }
    };
    if f.repeat != "once" {
        for (field, value, slot) in [
            ("starts", &f.starts, &mut starts),
            ("ends", &f.ends, &mut ends),
        ] {
            if value.trim().is_empty() {
                continue;
            }
            match parse_date(value) {
                Some(d) => *slot = Some(d.to_string()),
                None => errs.push((field, "Enter a real date, like 2026-12-04".into())),
            }
        }
    }
    let any_season = [
        &f.season_from_day,
        &f.season_from_month,
        &f.season_to_day,
        &f.season_to_month,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let season = if any_season && f.repeat != "once" {
        let from = month_day(
            &f.season_from_day,
            &f.season_from_month,
            "season_from",
            &mut errs,
        );
        let to = month_day(&f.season_to_day, &f.season_to_month, "season_to", &mut errs);
        from.zip(to)
    } else {
        None
    };
    if errs.is_empty() {
        Ok(WhenFile {
            schedule,
            season,
            starts,
            ends,
        })
    } else {
        Err(errs)
    }
}

fn time_of(m: &str, h: &str) -> Option<String> {
    let (m, h): (u32, u32) = (m.parse().ok()?, h.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// Cron day names of a plain list (`MON,FRI`, `1,5`, `*`); `None` for ranges and steps.
fn day_names(field: &str) -> Option<Vec<String>> {
    if field == "*" {
        return Some(WEEKDAYS.iter().map(|(c, _)| (*c).to_string()).collect());
    }
    const BY_NUMBER: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    field
        .split(',')
        .map(|p| {
            let p = p.trim().to_ascii_uppercase();
            if let Ok(n) = p.parse::<usize>() {
                return BY_NUMBER.get(n).map(|s| (*s).to_string());
            }
            WEEKDAYS
                .iter()
                .find(|(c, _)| *c == p)
                .map(|(c, _)| (*c).to_string())
        })
        .collect()
}

/// The form for a campaign's schedule: in words when they can say it, else its cron as text.
pub fn from_campaign(c: &Campaign) -> WhenForm {
    let source = c.schedule.source();
    let fields: Vec<&str> = source.split_whitespace().collect();
    let mut f = WhenForm {
        repeat: "custom".into(),
        cron: source.to_string(),
        ..WhenForm::default()
    };
    if let Some(s) = c.season {
        f.season_from_day = s.from.day.to_string();
        f.season_from_month = s.from.month.to_string();
        f.season_to_day = s.to.day.to_string();
        f.season_to_month = s.to.month.to_string();
    }
    f.starts = c.starts.map(|d| d.to_string()).unwrap_or_default();
    f.ends = c.ends.map(|d| d.to_string()).unwrap_or_default();
    let [m, h, dom, mon, dow] = fields[..] else {
        return f;
    };
    let Some(time) = time_of(m, h) else {
        return f;
    };
    let once = match (dom.parse::<u32>(), mon.parse::<u32>(), c.starts, c.ends) {
        (Ok(d), Ok(mo), Some(s), Some(e)) => {
            s == e && s.day() == d && s.month() == mo && dow == "*" && c.season.is_none()
        }
        _ => false,
    };
    if once {
        f.repeat = "once".into();
        f.date = f.starts.clone();
        f.starts.clear();
        f.ends.clear();
    } else if dom == "*" && mon == "*" {
        match day_names(dow) {
            Some(days) => {
                f.repeat = "weekly".into();
                f.weekdays = days;
            }
            None => return f,
        }
    } else if mon == "*" && dow == "*" && dom.parse::<u32>().is_ok_and(|d| (1..=28).contains(&d)) {
        f.repeat = "monthly".into();
        f.day_of_month = dom.to_string();
    } else {
        return f;
    }
    f.time = time;
    f.cron.clear();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(repeat: &str) -> WhenForm {
        WhenForm {
            repeat: repeat.into(),
            time: "09:30".into(),
            ..WhenForm::default()
        }
    }

    #[test]
    fn each_kind_writes_cron_and_dates() {
        let once = WhenForm {
            date: "2026-12-04".into(),
            ..form("once")
        };
        let w = to_file(&once).unwrap();
        assert_eq!(w.schedule, "30 9 4 12 *");
        assert_eq!(w.starts.as_deref(), Some("2026-12-04"));
        assert_eq!(w.ends.as_deref(), Some("2026-12-04"));

        let weekly = WhenForm {
            weekdays: vec!["FRI".into(), "MON".into()],
            season_from_day: "25".into(),
            season_from_month: "10".into(),
            season_to_day: "28".into(),
            season_to_month: "2".into(),
            ..form("weekly")
        };
        let w = to_file(&weekly).unwrap();
        assert_eq!(w.schedule, "30 9 * * MON,FRI");
        assert_eq!(w.season, Some(("10-25".into(), "02-28".into())));

        let monthly = WhenForm {
            day_of_month: "1".into(),
            starts: "2026-01-01".into(),
            ..form("monthly")
        };
        let w = to_file(&monthly).unwrap();
        assert_eq!(w.schedule, "30 9 1 * *");
        assert_eq!(w.starts.as_deref(), Some("2026-01-01"));
    }

    #[test]
    fn mistakes_are_named_by_field() {
        let bad = WhenForm {
            time: "25:00".into(),
            date: "2026-02-30".into(),
            ..form("once")
        };
        let errs = to_file(&bad).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["time", "date"]);
        let errs = to_file(&WhenForm {
            season_from_day: "31".into(),
            season_from_month: "2".into(),
            ..form("weekly")
        })
        .unwrap_err();
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["weekdays", "season_from", "season_to"]);
    }
}
