use super::*;
use crate::domain::{LONDON, MonthDay, Schedule};
use chrono::{Datelike, TimeZone, Timelike, Utc};
use proptest::prelude::*;

fn words(cron: &str) -> String {
    describe_schedule(cron).unwrap_or_else(|| panic!("no words for {cron}"))
}

#[test]
fn times_are_said_the_gov_uk_way() {
    assert_eq!(time_words(18, 0), "6pm");
    assert_eq!(time_words(10, 30), "10:30am");
    assert_eq!(time_words(12, 0), "midday");
    assert_eq!(time_words(0, 0), "midnight");
    assert_eq!(time_words(0, 5), "12:05am");
    assert_eq!(time_words(12, 45), "12:45pm");
    assert_eq!(ordinal(1), "1st");
    assert_eq!(ordinal(2), "2nd");
    assert_eq!(ordinal(3), "3rd");
    assert_eq!(ordinal(11), "11th");
    assert_eq!(ordinal(22), "22nd");
    assert_eq!(ordinal(23), "23rd");
}

#[test]
fn every_form_the_calendar_uses_has_words() {
    let cases = [
        (
            "0 18 1-7 11,12,1,2 FRI",
            "The first Friday of November, December, January and February at 6pm",
        ),
        ("0 17 15-21 12 FRI", "The third Friday of December at 5pm"),
        (
            "0 8 22-28 6-8 SAT",
            "The fourth Saturday of June to August at 8am",
        ),
        (
            "0 11 8-14 4-9 MON",
            "The second Monday of April to September at 11am",
        ),
        ("30 10 15 * *", "The 15th of every month at 10:30am"),
        ("0 10 18 10 *", "Every year on 18 October at 10am"),
        (
            "0 10 1 3,6,9,12 *",
            "The 1st of March, June, September and December at 10am",
        ),
        ("0 9 22 3,4 *", "The 22nd of March and April at 9am"),
        (
            "0 0 9 23-29 9,10 TUE",
            "Tuesdays that fall on the 23rd to 29th of September and October at 9am",
        ),
        (
            "0 12 8-14 12,1 WED",
            "The second Wednesday of December and January at midday",
        ),
        ("0 18 * * FRI", "Fridays at 6pm"),
        ("0 18 * * 5", "Fridays at 6pm"),
        ("30 9 * * 1-5", "Mondays to Fridays at 9:30am"),
        ("0 7 * * 0,6", "Sundays and Saturdays at 7am"),
        ("0 9 * 12 *", "Every day in December at 9am"),
    ];
    for (cron, expected) in cases {
        assert_eq!(words(cron), expected, "{cron}");
    }
}

#[test]
fn a_season_ends_the_sentence() {
    let season = Season {
        from: MonthDay { month: 10, day: 25 },
        to: MonthDay { month: 2, day: 28 },
    };
    assert_eq!(
        describe_campaign_schedule("0 18 * * FRI", Some(&season)).as_deref(),
        Some("Fridays at 6pm, 25 October to 28 February")
    );
    assert_eq!(season.short_words(), "25 Oct – 28 Feb");
    assert_eq!(
        describe_campaign_schedule("0 18 * * FRI", None).as_deref(),
        Some("Fridays at 6pm")
    );
}

#[test]
fn forms_without_faithful_words_fall_back() {
    for cron in [
        "*/15 * * * *",
        "0 9-17 * * *",
        "0,30 9 * * *",
        "0 9 */2 * *",
        "0 0 9 * * 2",
        "0 0 9 * * * 2027",
        "15 0 9 * * *",
        "not a schedule",
        "0 25 * * *",
    ] {
        assert_eq!(describe_schedule(cron), None, "{cron}");
    }
}

/// The schedule's own next fire, in UK time, from the start of 2026.
fn first_fire(cron: &str) -> chrono::DateTime<chrono_tz::Tz> {
    let s: Schedule = cron.parse().unwrap();
    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    s.next_after(from).unwrap().with_timezone(&LONDON)
}

fn months_field(months: &[u32]) -> String {
    months
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

proptest! {
    // The nth-weekday form the calendar leans on: the words name the weekday, the week, the
    // month and the time of the schedule's real next fire.
    #[test]
    fn nth_weekday_words_agree_with_the_fires(
        minute in 0u32..60, hour in 0u32..24, week in 0u32..4, dow in 0u32..7,
        months in proptest::sample::subsequence((1u32..=12).collect::<Vec<_>>(), 1..5),
    ) {
        let first = week * 7 + 1;
        let cron = format!("{minute} {hour} {first}-{} {} {dow}", first + 6, months_field(&months));
        let w = describe_schedule(&cron).unwrap();
        let fire = first_fire(&cron);
        prop_assert!(w.starts_with(&format!("The {} ", NTH[week as usize])), "{w}");
        prop_assert!(w.contains(DAYS[fire.weekday().num_days_from_sunday() as usize]), "{w}");
        prop_assert!(w.contains(month_name(fire.month()).unwrap()), "{w}");
        prop_assert_eq!((fire.day() - 1) / 7, week);
        // The spring gap moves a fire to the next valid minute; the words keep the written time.
        if fire.hour() == hour {
            prop_assert!(w.ends_with(&format!(" at {}", time_words(fire.hour(), fire.minute()))), "{w}");
        }
    }

    #[test]
    fn day_of_month_words_agree_with_the_fires(
        minute in 0u32..60, hour in 0u32..24, day in 1u32..=28,
        months in proptest::sample::subsequence((1u32..=12).collect::<Vec<_>>(), 0..4),
    ) {
        let month_field = if months.is_empty() { "*".to_string() } else { months_field(&months) };
        let cron = format!("{minute} {hour} {day} {month_field} *");
        let w = describe_schedule(&cron).unwrap();
        let fire = first_fire(&cron);
        prop_assert_eq!(fire.day(), day);
        prop_assert!(w.contains(&ordinal(day)) || w.contains(&format!("on {day} ")), "{w}");
        if !months.is_empty() {
            prop_assert!(w.contains(month_name(fire.month()).unwrap()), "{w}");
        } else {
            prop_assert!(w.contains("every month"), "{w}");
        }
    }

    #[test]
    fn anything_at_all_gets_words_or_none_without_panicking(cron in "[0-9*,/?A-Z -]{0,30}") {
        if let Some(w) = describe_schedule(&cron) {
            prop_assert!(w.contains(" at "));
        }
    }
}
