use super::*;
use crate::domain::outcome::{Direction, Rag};
use crate::domain::outcome::{Outcome, Outcomes};
use crate::domain::{Area, AreaDirectory, District, PostcodePrefix};
use crate::store::{CampaignCounts, DayCount, ReaderCount, SourceCount};

/// Three areas; "quiet" (no households figure) has no subscribers, so its "<10" keeps
/// "small"'s company and no second cell needs hiding.
fn areas() -> AreaDirectory {
    let mut areas: Vec<Area> = two_areas().iter().cloned().collect();
    let mut quiet = areas[0].clone();
    quiet.slug = "quiet".into();
    quiet.name = "QUIET".into();
    quiet.households = None;
    areas.push(quiet);
    AreaDirectory::new(areas)
}

/// "big" and "small" only: "small"'s "<10" alone could be recovered from the total.
fn two_areas() -> AreaDirectory {
    let area = |slug: &str, households: Option<u32>| Area {
        slug: slug.into(),
        name: slug.to_uppercase(),
        district: District::Chiltern,
        postcodes: vec![PostcodePrefix::parse("HP5").unwrap()],
        households,
        wards: vec![],
        places: vec![],
    };
    AreaDirectory::new([area("big", Some(1000)), area("small", Some(500))])
}

fn targets() -> Outcomes {
    Outcomes {
        amber_margin_pct: 10.0,
        targets: vec![
            Outcome {
                id: "reach-every-area".into(),
                description: String::new(),
                measure: Measure::MinAreaPer1000Households,
                direction: Direction::AtLeast,
                target: 20.0,
            },
            Outcome {
                id: "unsubscribes".into(),
                description: String::new(),
                measure: Measure::MaxCampaignUnsubscribePct,
                direction: Direction::AtMost,
                target: 1.0,
            },
        ],
    }
}

fn day(d: &str) -> i64 {
    day_number(d.parse().unwrap())
}

fn inputs() -> Inputs {
    let dc = |area: &str, d: &str, joined, left| DayCount {
        area_slug: Some(area.into()),
        day: day(d),
        joined,
        left,
    };
    Inputs {
        days: vec![
            dc("big", "2026-01-10", 40, 0),
            dc("big", "2026-02-10", 12, 2),
            dc("small", "2026-02-11", 3, 0),
            dc("big", "2026-05-01", 99, 0),
        ],
        sources: vec![
            SourceCount {
                source: "library-qr".into(),
                area_slug: Some("big".into()),
                count: 12,
            },
            SourceCount {
                source: "library-qr".into(),
                area_slug: Some("small".into()),
                count: 3,
            },
        ],
        campaigns: vec![CampaignCounts {
            slug: "winter".into(),
            title: "Winter".into(),
            priority: "burglary-vehicle".into(),
            runs: 2,
            last_run: None,
            delivered: 200,
            residents: 100,
            webhook_posts: 30,
            failed: 4,
            bounced: 1,
            unsubscribed: 3,
        }],
        readers: vec![],
        ..Default::default()
    }
}

#[test]
fn audience_growth_and_penetration_come_from_joiners_and_leavers_in_the_period() {
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let r = build(&areas(), &targets(), period, &inputs(), Utc::now());
    assert_eq!(r.totals.baseline_subscribers, 40);
    assert_eq!(
        r.totals.subscribers, 53,
        "the May sign-ups are after the period"
    );
    assert_eq!(r.totals.growth_pct, Some(32.5));
    assert_eq!(r.totals.signups, 15);
    let big = &r.areas[0];
    assert_eq!(big.subscribers, Cell::Count(50));
    assert_eq!(big.per_1000_households, Some(50.0));
    assert_eq!(big.growth_pct, Some(25.0));
    assert_eq!(r.series.first().unwrap().subscribers, 40);
    assert_eq!(r.series.last().unwrap().subscribers, 53);
    assert_eq!(r.lowest_penetration, ["small", "big"]);
}

#[test]
fn every_per_area_count_under_ten_is_suppressed() {
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let r = build(&areas(), &targets(), period, &inputs(), Utc::now());
    let small = r.areas.iter().find(|a| a.slug == "small").unwrap();
    assert_eq!(small.subscribers, Cell::Suppressed("<10"));
    assert_eq!(small.signups, Cell::Suppressed("<10"));
    assert_eq!(
        small.per_1000_households, None,
        "3 per 500 would give the count away"
    );
    assert_eq!(small.growth_pct, None);
    let qr = &r.sources[0];
    assert_eq!(qr.areas[1].signups, Cell::Suppressed("<10"));
    // The source's total is shown, so its other area is hidden too: 15 - 12 would give 3.
    assert_eq!(qr.signups, 15);
    assert_eq!(qr.areas[0].signups, disclosure::HIDDEN);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["areas"][1]["subscribers"], "<10");
    assert_eq!(json["sources"][0]["areas"][0]["signups"], "hidden");
}

#[test]
fn a_lone_small_area_cannot_be_recovered_by_subtracting_the_others_from_the_total() {
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let r = build(&two_areas(), &targets(), period, &inputs(), Utc::now());
    assert_eq!(r.totals.subscribers, 53);
    let (big, small) = (&r.areas[0], &r.areas[1]);
    assert_eq!(small.subscribers, Cell::Suppressed("<10"));
    assert_eq!(big.subscribers, disclosure::HIDDEN, "53 - 50 would give 3");
    assert_eq!(
        (big.per_1000_households, big.growth_pct),
        (None, None),
        "either would give the 50 back"
    );
    assert_eq!(big.signups, disclosure::HIDDEN);
}

#[test]
fn outcomes_are_rated_red_amber_green() {
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let r = build(&areas(), &targets(), period, &inputs(), Utc::now());
    let reach = &r.outcomes[0];
    assert_eq!(reach.actual, Some(6.0), "small: 3 per 500 households");
    assert_eq!(reach.rag, Rag::Red);
    let unsub = &r.outcomes[1];
    // 3 unsubscribes over 100 distinct residents reached (not over 200 messages).
    assert_eq!(unsub.actual, Some(3.0));
    assert_eq!(unsub.rag, Rag::Red);
    assert_eq!(r.campaigns[0].unsubscribe_pct, Some(3.0));
}

#[test]
fn periods_are_at_most_five_years_within_sensible_dates() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let today = d("2026-11-25");
    assert!(Period::new(d("2021-01-01"), d("2025-12-31")).is_ok());
    assert!(matches!(
        Period::new(d("2020-01-01"), d("2026-01-02")),
        Err(PeriodError::TooLong(_))
    ));
    assert!(matches!(
        Period::new(d("0001-01-01"), d("2026-01-01")),
        Err(PeriodError::OutOfRange(_))
    ));
    assert!(matches!(
        Period::asked(None, Some(NaiveDate::MAX), 90, today),
        Err(PeriodError::OutOfRange(_))
    ));
    assert!(matches!(
        Period::asked(None, Some(NaiveDate::MIN), 90, today),
        Err(PeriodError::OutOfRange(_))
    ));
    assert!(matches!(
        Period::asked(Some(d("2026-12-01")), None, 90, today),
        Err(PeriodError::Reversed { .. })
    ));
    assert_eq!(Period::asked(None, None, 90, today).unwrap().days(), 91);
}

#[test]
fn hostile_counts_saturate_instead_of_overflowing() {
    let mut inputs = inputs();
    for _ in 0..3 {
        inputs.readers.push(ReaderCount {
            area_slug: Some("big".into()),
            day: 20_500,
            readers: i64::MAX,
        });
        inputs.days.push(DayCount {
            area_slug: Some("big".into()),
            day: 20_480,
            joined: i64::MAX,
            left: i64::MIN,
        });
    }
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let r = build(&areas(), &targets(), period, &inputs, Utc::now());
    assert!(r.totals.audience >= 0 && r.totals.subscribers >= 0);
}

#[test]
fn rounded_cells_move_only_in_tens() {
    assert_eq!(Cell::rounded(9), Cell::Suppressed("<10"));
    assert_eq!(Cell::rounded(10), Cell::Count(10));
    assert_eq!(Cell::rounded(19), Cell::Count(10));
    assert_eq!(Cell::rounded(20), Cell::Count(20));
}

#[test]
fn more_subscribers_than_households_is_flagged_not_shown_as_fact() {
    let period = Period {
        from: "2026-02-01".parse().unwrap(),
        to: "2026-02-28".parse().unwrap(),
    };
    let mut i = inputs();
    // "small" has 500 households; 600 subscribers cannot be right.
    i.days.push(DayCount {
        area_slug: Some("small".into()),
        day: day("2026-01-20"),
        joined: 600,
        left: 0,
    });
    let r = build(&areas(), &targets(), period, &i, Utc::now());
    let small = r.areas.iter().find(|a| a.slug == "small").unwrap();
    assert!(small.flagged);
    assert_eq!(small.per_1000_households, None, "not shown as a figure");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].starts_with("SMALL: 603 subscribers but only 500 households"));
    assert!(!r.lowest_penetration.contains(&"small".to_string()));
    let reach = r
        .outcomes
        .iter()
        .find(|o| o.id == "reach-every-area")
        .unwrap();
    assert_eq!(
        reach.actual,
        Some(50.0),
        "the impossible area does not set the minimum"
    );
    assert!(format::html(&r, 10.0).unwrap().contains("Figures to check"));
    let big = r.areas.iter().find(|a| a.slug == "big").unwrap();
    assert!(!big.flagged);
}

#[test]
fn the_period_before_is_as_long_and_ends_the_day_before() {
    let p = Period::new("2026-09-01".parse().unwrap(), "2026-11-30".parse().unwrap()).unwrap();
    let b = p.before().unwrap();
    assert_eq!(b.to, "2026-08-31".parse().unwrap());
    assert_eq!(b.days(), p.days());
    let first = Period::new("2000-01-01".parse().unwrap(), "2000-01-31".parse().unwrap()).unwrap();
    assert_eq!(first.before(), None, "nothing is held before 2000");
}
