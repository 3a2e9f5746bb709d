//! A campaign's cron schedule in plain English, for partners who do not read cron:
//! `0 18 1-7 11,12,1,2 FRI` is "18:00 on the first Friday of November, December, January and
//! February". Forms it cannot phrase fall back to naming the expression.

const MONTHS: [&str; 12] = [
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
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn day_of_week(s: &str) -> Option<&'static str> {
    let i = match s.to_ascii_uppercase().as_str() {
        "0" | "7" | "SUN" => 0,
        "1" | "MON" => 1,
        "2" | "TUE" => 2,
        "3" | "WED" => 3,
        "4" | "THU" => 4,
        "5" | "FRI" => 5,
        "6" | "SAT" => 6,
        _ => return None,
    };
    Some(DAYS[i])
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn month(s: &str) -> Option<&'static str> {
    let n: usize = s.parse().ok()?;
    MONTHS.get(n.checked_sub(1)?).copied()
}

fn months(field: &str) -> Option<String> {
    if field == "*" {
        return Some("every month".into());
    }
    let parts = field
        .split(',')
        .map(|p| match p.split_once('-') {
            Some((a, b)) => Some(format!("{} to {}", month(a)?, month(b)?)),
            None => month(p).map(str::to_string),
        })
        .collect::<Option<Vec<_>>>()?;
    Some(and_list(&parts))
}

fn days(dom: &str, dow: &str) -> Option<String> {
    let range = |f: &str| -> Option<(u32, u32)> {
        let (a, b) = f.split_once('-')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    match (dom, dow) {
        ("*", "*") => Some("every day".into()),
        ("*", d) => Some(format!("every {}", day_of_week(d)?)),
        (dom, "*") => {
            let list = dom
                .split(',')
                .map(|d| match range(d) {
                    Some((a, b)) => Some(format!("{} to {}", ordinal(a), ordinal(b))),
                    None => d.parse().ok().map(ordinal),
                })
                .collect::<Option<Vec<_>>>()?;
            Some(format!("the {}", and_list(&list)))
        }
        (dom, d) => {
            let day = day_of_week(d)?;
            let (a, b) = range(dom)?;
            let which = match (a, b) {
                (1, 7) => "first",
                (8, 14) => "second",
                (15, 21) => "third",
                (22, 28) => "fourth",
                _ => {
                    return Some(format!(
                        "the {day} from the {} to the {}",
                        ordinal(a),
                        ordinal(b)
                    ));
                }
            };
            Some(format!("the {which} {day}"))
        }
    }
}

/// The schedule in words, or `None` for a form this does not phrase.
fn phrase(expr: &str) -> Option<String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let [minute, hour, dom, mon, dow] = match fields.as_slice() {
        [m, h, d, mo, w] => [*m, *h, *d, *mo, *w],
        ["0", m, h, d, mo, w] => [*m, *h, *d, *mo, *w],
        _ => return None,
    };
    let (h, m): (u32, u32) = (hour.parse().ok()?, minute.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    let days = days(dom, dow)?;
    let when = match (dom, dow) {
        ("*", _) => format!("{days} of {}", months(mon)?),
        _ if mon == "*" => format!("on {days} of every month"),
        _ => format!("on {days} of {}", months(mon)?),
    };
    let when = when.replace("every day of every month", "every day");
    Some(format!("{h:02}:{m:02} {when} (UK time)"))
}

/// The schedule in plain English, or the expression itself when it is a form not phrased here.
pub fn describe(expr: &str) -> String {
    phrase(expr).unwrap_or_else(|| format!("on the cron schedule `{}` (UK time)", expr.trim()))
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn the_calendars_forms_read_as_english() {
        assert_eq!(
            describe("0 18 1-7 11,12,1,2 FRI"),
            "18:00 on the first Friday of November, December, January and February (UK time)"
        );
        assert_eq!(
            describe("0 11 8-14 4-9 MON"),
            "11:00 on the second Monday of April to September (UK time)"
        );
        assert_eq!(
            describe("30 10 15 * *"),
            "10:30 on the 15th of every month (UK time)"
        );
        assert_eq!(
            describe("0 0 9 23-29 9,10 TUE"),
            "09:00 on the Tuesday from the 23rd to the 29th of September and October (UK time)"
        );
        assert_eq!(describe("0 9 * * *"), "09:00 every day (UK time)");
        assert_eq!(
            describe("0 9 * * MON"),
            "09:00 every Monday of every month (UK time)"
        );
    }

    #[test]
    fn a_form_it_cannot_phrase_is_named_as_written() {
        assert_eq!(
            describe("*/5 * * * *"),
            "on the cron schedule `*/5 * * * *` (UK time)"
        );
    }
}
