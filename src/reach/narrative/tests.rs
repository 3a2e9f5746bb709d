use super::narrative;
use crate::domain::outcome::{Direction, Measure, Outcome, Outcomes};
use crate::domain::{Area, AreaDirectory, District, PostcodePrefix};
use crate::reach::{Inputs, Period, build, compare};
use crate::store::{CampaignCounts, DayCount};
use chrono::Utc;

fn directory() -> AreaDirectory {
    AreaDirectory::new([Area {
        slug: "chesham".into(),
        name: "Chesham".into(),
        district: District::Chiltern,
        postcodes: vec![PostcodePrefix::parse("HP5").unwrap()],
        households: Some(10_000),
        wards: vec![],
        places: vec![],
    }])
}

fn targets() -> Outcomes {
    let o = |id: &str, description: &str, measure, direction, target| Outcome {
        id: id.into(),
        description: description.into(),
        measure,
        direction,
        target,
    };
    Outcomes {
        amber_margin_pct: 10.0,
        targets: vec![
            o(
                "reach",
                "Every area reaches 20 per 1,000 households.",
                Measure::MinAreaPer1000Households,
                Direction::AtLeast,
                200.0,
            ),
            o(
                "delivery",
                "Delivery rate",
                Measure::DeliveryRatePct,
                Direction::AtLeast,
                95.0,
            ),
            o(
                "unsub",
                "Unsubscribes",
                Measure::MaxCampaignUnsubscribePct,
                Direction::AtMost,
                1.0,
            ),
        ],
    }
}

fn period(from: &str, to: &str) -> Period {
    Period::new(from.parse().unwrap(), to.parse().unwrap()).unwrap()
}

fn day(d: &str) -> i64 {
    (d.parse::<chrono::NaiveDate>().unwrap() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        .num_days()
}

fn inputs(delivered: i64) -> Inputs {
    Inputs {
        days: vec![
            DayCount {
                area_slug: Some("chesham".into()),
                day: day("2026-01-05"),
                joined: 1200,
                left: 0,
            },
            DayCount {
                area_slug: Some("chesham".into()),
                day: day("2026-10-05"),
                joined: 345,
                left: 45,
            },
        ],
        sources: vec![],
        campaigns: vec![CampaignCounts {
            slug: "winter".into(),
            title: "Winter".into(),
            priority: "burglary-vehicle".into(),
            runs: 13,
            last_run: None,
            delivered,
            residents: 1300,
            webhook_posts: 0,
            failed: 150,
            bounced: 50,
            unsubscribed: 0,
        }],
        readers: vec![],
        ..Inputs::default()
    }
}

#[test]
fn three_sentences_say_what_was_sent_whom_it_reached_and_how_targets_stand() {
    let now = Utc::now();
    let mut r = build(
        &directory(),
        &targets(),
        period("2026-09-01", "2026-11-30"),
        &inputs(15_800),
        now,
    );
    let before = build(
        &directory(),
        &targets(),
        period("2026-06-02", "2026-08-31"),
        &inputs(9_000),
        now,
    );
    compare(&mut r, &before);
    let [sent, reached, targets] = narrative(&r);
    assert_eq!(
        sent,
        "From 1 September to 30 November 2026, the partnership made 13 sends across 1 campaign and \
         15,800 messages reached residents' inboxes, 98.8% of those attempted (9,000 in the period before)."
    );
    assert_eq!(
        reached,
        "Confirmed subscribers rose from 1,200 to 1,500 (up 25.0%), with 345 new sign-ups."
    );
    assert_eq!(
        targets,
        "Of 3 outcome targets, 2 on target and 1 off target (red); furthest off \
         is “Every area reaches 20 per 1,000 households”, at 150.0 against a target of 200.0 per 1,000 households."
    );
    assert_eq!(r.outcomes[1].previous, Some(97.8));
}

#[test]
fn a_quiet_period_and_a_falling_audience_read_plainly() {
    let mut i = inputs(0);
    i.campaigns.clear();
    i.days[1].joined = 0;
    i.days[1].left = 120;
    let r = build(
        &directory(),
        &Outcomes::default(),
        period("2026-09-01", "2027-01-31"),
        &i,
        Utc::now(),
    );
    let [sent, reached, targets] = narrative(&r);
    assert_eq!(
        sent,
        "From 1 September 2026 to 31 January 2027, no campaign messages were sent."
    );
    assert_eq!(
        reached,
        "Confirmed subscribers fell from 1,200 to 1,080 (down 10.0%), with 0 new sign-ups."
    );
    assert_eq!(
        targets,
        "No outcome targets are set, so none can be reported against."
    );
}
