//! A campaign's schedule in plain words ("The first Friday of November to February at 6pm,
//! 25 October to 28 February") for people who do not read cron.
//!
//! [`describe_schedule`] reads the cron text; [`describe_campaign_schedule`] adds the season.
//! Both return `None` for a form they cannot say truthfully (steps, hour ranges, several
//! times a day): callers then show the cron text itself with the next sends, never a guess.

use crate::domain::Season;

/// The months' full names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Cron numbers Sunday 0 (or 7) to Saturday 6.
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const NTH: [&str; 4] = ["first", "second", "third", "fourth"];

/// The month's full name, 1–12.
pub fn month_name(month: u32) -> Option<&'static str> {
    MONTHS
        .get(usize::try_from(month).ok()?.checked_sub(1)?)
        .copied()
}

/// A time of day the GOV.UK way: "6pm", "10:30am", "midday", "midnight".
pub fn time_words(hour: u32, minute: u32) -> String {
    match (hour, minute) {
        (0, 0) => "midnight".into(),
        (12, 0) => "midday".into(),
        _ => {
            let (h, half) = match hour {
                0 => (12, "am"),
                1..=11 => (hour, "am"),
                12 => (12, "pm"),
                _ => (hour - 12, "pm"),
            };
            if minute == 0 {
                format!("{h}{half}")
            } else {
                format!("{h}:{minute:02}{half}")
            }
        }
    }
}

/// 1 → "1st", 22 → "22nd", 13 → "13th".
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// One cron list item: a number or an inclusive range, no steps.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    One(u32),
    Range(u32, u32),
}

fn items(field: &str, parse: impl Fn(&str) -> Option<u32>) -> Option<Vec<Item>> {
    field
        .split(',')
        .map(|part| match part.split_once('-') {
            _ if part.contains('/') => None,
            Some((a, b)) => Some(Item::Range(parse(a)?, parse(b)?)),
            None => Some(Item::One(parse(part)?)),
        })
        .collect()
}

fn number(s: &str) -> Option<u32> {
    s.parse().ok()
}

fn month_number(s: &str) -> Option<u32> {
    number(s).filter(|m| (1..=12).contains(m)).or_else(|| {
        MONTHS
            .iter()
            .position(|m| m[..3].eq_ignore_ascii_case(s))
            .and_then(|i| u32::try_from(i + 1).ok())
    })
}

fn weekday_number(s: &str) -> Option<u32> {
    number(s).filter(|d| *d <= 7).map(|d| d % 7).or_else(|| {
        DAYS.iter()
            .position(|d| d[..3].eq_ignore_ascii_case(s))
            .and_then(|i| u32::try_from(i).ok())
    })
}

fn month_words(field: &str) -> Option<String> {
    let list = items(field, month_number)?;
    let words: Vec<String> = list
        .iter()
        .map(|i| match *i {
            Item::One(m) => month_name(m).map(String::from),
            Item::Range(a, b) => Some(format!("{} to {}", month_name(a)?, month_name(b)?)),
        })
        .collect::<Option<_>>()?;
    Some(and_list(&words))
}

fn weekday_words(field: &str, plural: bool) -> Option<String> {
    let list = items(field, weekday_number)?;
    let name = |d: u32| {
        DAYS.get(d as usize)
            .map(|n| format!("{n}{}", if plural { "s" } else { "" }))
    };
    let words: Vec<String> = list
        .iter()
        .map(|i| match *i {
            Item::One(d) => name(d),
            Item::Range(a, b) => Some(format!("{} to {}", name(a)?, name(b)?)),
        })
        .collect::<Option<_>>()?;
    Some(and_list(&words))
}

fn day_of_month_words(field: &str) -> Option<String> {
    let list = items(field, |s| number(s).filter(|d| (1..=31).contains(d)))?;
    let words: Vec<String> = list
        .iter()
        .map(|i| match *i {
            Item::One(d) => ordinal(d),
            Item::Range(a, b) => format!("{} to {}", ordinal(a), ordinal(b)),
        })
        .collect();
    Some(and_list(&words))
}

/// The days a schedule fires on, before the time: "The first Friday of November", "Fridays".
fn days_words(dom: &str, month: &str, dow: &str) -> Option<String> {
    let months = match month {
        "*" => None,
        _ => Some(month_words(month)?),
    };
    let in_months = months
        .as_ref()
        .map_or(String::new(), |m| format!(" in {m}"));
    match (dom, dow) {
        ("*", "*") => Some(format!("Every day{in_months}")),
        ("*", _) => Some(format!("{}{in_months}", weekday_words(dow, true)?)),
        (_, "*") => {
            let days = day_of_month_words(dom)?;
            let one_day = items(dom, number)?;
            let one_month = (month != "*").then(|| items(month, month_number)).flatten();
            Some(match (&months, one_day.as_slice(), one_month.as_deref()) {
                // One date a year: "18 October".
                (Some(m), [Item::One(d)], Some([Item::One(_)])) => format!("Every year on {d} {m}"),
                (Some(m), _, _) => format!("The {days} of {m}"),
                (None, _, _) => format!("The {days} of every month"),
            })
        }
        _ => {
            let of = months
                .as_ref()
                .map_or("every month".to_string(), Clone::clone);
            let day = weekday_words(dow, false)?;
            // A week-long day range with one weekday is "the nth weekday"; cron (as the `cron`
            // crate reads it) fires where both the day of the month and the weekday match.
            if let [Item::Range(a, b)] = items(dom, number)?.as_slice()
                && b - a == 6
                && (a - 1) % 7 == 0
                && !day.contains(" to ")
                && let Some(nth) = NTH.get(((a - 1) / 7) as usize)
            {
                return Some(format!("The {nth} {day} of {of}"));
            }
            let plural = weekday_words(dow, true)?;
            Some(format!(
                "{plural} that fall on the {} of {of}",
                day_of_month_words(dom)?
            ))
        }
    }
}

/// The `cron` crate's "?" (no particular day) means what "*" does here.
fn any_day(field: &str) -> &str {
    if field == "?" { "*" } else { field }
}

/// A cron schedule (5 fields, or 6–7 with seconds first) in words, in UK time:
/// `"0 18 1-7 11,12,1,2 FRI"` → "The first Friday of November, December, January and February
/// at 6pm". `None` when the form has no faithful wording (steps, several hours or minutes, a
/// year field); show the cron text and the next sends instead.
pub fn describe_schedule(cron: &str) -> Option<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let (minute, hour, dom, month, dow) = match fields.as_slice() {
        [m, h, d, mo, w] => (*m, *h, *d, *mo, *w),
        ["0", m, h, d, mo, w] | ["0", m, h, d, mo, w, "*"] => (*m, *h, *d, *mo, *w),
        _ => return None,
    };
    // The 6- and 7-field forms number weekdays Sunday 1 to Saturday 7 (the `cron` crate's
    // way); only names mean the same in both, so numbers there get no wording.
    if fields.len() > 5 && dow.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let (dom, dow) = (any_day(dom), any_day(dow));
    let minute = number(minute).filter(|m| *m < 60)?;
    let hour = number(hour).filter(|h| *h < 24)?;
    let days = days_words(dom, month, dow)?;
    Some(format!("{days} at {}", time_words(hour, minute)))
}

/// A campaign's schedule and season in words: "Fridays at 6pm, 25 October to 28 February".
/// `None` as for [`describe_schedule`].
pub fn describe_campaign_schedule(cron: &str, season: Option<&Season>) -> Option<String> {
    let words = describe_schedule(cron)?;
    Some(match season {
        Some(s) => format!("{words}, {}", s.in_words()),
        None => words,
    })
}

#[cfg(test)]
#[path = "schedule_words_tests.rs"]
mod tests;
