//! Reach: how many residents the partnership's messages reach, where, and how that compares
//! with the plan's outcome targets. Built from anonymous counts only; every per-area count
//! under 10 is suppressed in every output, with a second cell where one alone could be recovered
//! by subtraction from a total.

pub mod charts;
pub mod crime;
mod disclosure;
pub mod fear_format;
pub mod format;
pub mod gap_chart;
pub mod narrative;
pub mod numbers;
pub mod perception;
mod report;

pub use disclosure::protect_group;
pub use report::*;

use crate::domain::outcome::{Measure, Outcomes};
use crate::domain::{AreaDirectory, Priority};
use crate::store::{SqlStore, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

pub async fn gather(
    store: &SqlStore,
    areas: &AreaDirectory,
    outcomes: &Outcomes,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let (start, end) = (period.start(), period.end());
    let held: Vec<crate::domain::crime::Month> = store
        .crime_months()
        .await?
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    let crime_months = crime::months(&period, &held);
    let inputs = Inputs {
        surveys: store
            .survey_counts(&perception::quarter_of(period.to))
            .await?,
        feedback: store.feedback_counts(start, end).await?,
        crime: store.crime_table(Some(&crime_months)).await?,
        crime_months,
        days: store.audience_days(end).await?,
        sources: store.signups_by_source(start, end).await?,
        campaigns: store.campaign_counts(start, end).await?,
        readers: store
            .feed_readers((end - Duration::days(7)).max(start), end)
            .await?,
    };
    Ok(build(areas, outcomes, period, &inputs, now))
}

/// `gather`, with the same measures over the period just before beside each figure.
pub async fn gather_compared(
    store: &SqlStore,
    areas: &AreaDirectory,
    outcomes: &Outcomes,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let mut report = gather(store, areas, outcomes, period, now).await?;
    if let Some(before) = period.before() {
        let earlier = gather(store, areas, outcomes, before, now).await?;
        compare(&mut report, &earlier);
    }
    Ok(report)
}

/// Puts `earlier`'s totals and outcome figures beside `report`'s own.
pub fn compare(report: &mut Report, earlier: &Report) {
    for o in &mut report.outcomes {
        o.previous = earlier
            .outcomes
            .iter()
            .find(|e| e.id == o.id)
            .and_then(|e| e.actual);
    }
    report.previous = Some(Previous {
        period: earlier.period,
        totals: earlier.totals.clone(),
    });
}

fn day_number(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

/// Counts come partly from outside (aggregators' claims): they saturate, never overflow.
fn add(acc: &mut i64, n: i64) {
    *acc = acc.saturating_add(n);
}

fn total<'a>(values: impl Iterator<Item = &'a i64>) -> i64 {
    values.fold(0i64, |acc, n| acc.saturating_add(*n))
}

fn pct(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part / whole * 1000.0).round() / 10.0)
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Builds the report; pure, so every figure can be checked from known inputs.
pub fn build(
    directory: &AreaDirectory,
    targets: &Outcomes,
    period: Period,
    inputs: &Inputs,
    now: DateTime<Utc>,
) -> Report {
    let (first_day, last_day) = (day_number(period.from), day_number(period.to));
    // Net subscribers per area before the period and at its end.
    let mut base: HashMap<Option<&str>, i64> = HashMap::new();
    let mut end: HashMap<Option<&str>, i64> = HashMap::new();
    let mut joined_in: HashMap<Option<&str>, i64> = HashMap::new();
    let mut daily_net: BTreeMap<i64, i64> = BTreeMap::new();
    for d in &inputs.days {
        let key = d.area_slug.as_deref();
        let net = d.joined.saturating_sub(d.left);
        if d.day < first_day {
            add(base.entry(key).or_default(), net);
        }
        if d.day <= last_day {
            add(end.entry(key).or_default(), net);
        }
        if (first_day..=last_day).contains(&d.day) {
            add(joined_in.entry(key).or_default(), d.joined);
        }
        add(daily_net.entry(d.day).or_default(), net);
    }
    // Distinct feed readers: the average day in the last week of the period.
    let reader_days = inputs
        .readers
        .iter()
        .map(|r| r.day)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        .max(1) as i64;
    let mut readers: HashMap<Option<&str>, i64> = HashMap::new();
    for r in &inputs.readers {
        add(
            readers.entry(r.area_slug.as_deref()).or_default(),
            r.readers,
        );
    }
    let readers_of = |k: Option<&str>| {
        readers
            .get(&k)
            .copied()
            .unwrap_or(0)
            .saturating_add(reader_days / 2)
            / reader_days
    };

    let mut areas: Vec<AreaReach> = Vec::new();
    let mut penetration: Vec<(String, f64)> = Vec::new();
    let mut warnings = Vec::new();
    for a in directory.iter() {
        let key = Some(a.slug.as_str());
        let subs = end.get(&key).copied().unwrap_or(0).max(0);
        let before = base.get(&key).copied().unwrap_or(0).max(0);
        let feed = readers_of(key);
        let mut per_1000 = a
            .households
            .filter(|h| *h > 0)
            .map(|h| round1(subs as f64 * 1000.0 / f64::from(h)));
        let flagged = per_1000.is_some_and(|p| p > 1000.0);
        if flagged {
            warnings.push(impossible(a, subs));
            per_1000 = None;
        }
        if let Some(p) = per_1000 {
            penetration.push((a.slug.clone(), p));
        }
        let small = subs < SMALL_CELL || before < SMALL_CELL;
        areas.push(AreaReach {
            slug: a.slug.clone(),
            name: a.name.clone(),
            district: a.district.slug().into(),
            households: a.households,
            audience: Cell::of(subs.saturating_add(feed)),
            subscribers: Cell::of(subs),
            feed_readers: Cell::of(feed),
            signups: Cell::of(joined_in.get(&key).copied().unwrap_or(0)),
            per_1000_households: per_1000.filter(|_| subs >= SMALL_CELL),
            growth_pct: if small {
                None
            } else {
                pct(subs.saturating_sub(before) as f64, before as f64)
            },
            flagged,
        });
    }
    penetration.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));

    let subscribers: i64 = total(end.values()).max(0);
    let baseline: i64 = total(base.values()).max(0);
    let feed_readers: i64 = total(readers.values()).saturating_add(reader_days / 2) / reader_days;
    let campaigns: Vec<CampaignReach> = inputs
        .campaigns
        .iter()
        .map(|c| CampaignReach {
            counts: c.clone(),
            unsubscribe_pct: pct(c.unsubscribed as f64, c.residents as f64),
        })
        .collect();
    let priorities = Priority::ALL
        .iter()
        .map(|p| {
            let of = |f: fn(&CampaignReach) -> i64| {
                total(
                    campaigns
                        .iter()
                        .filter(|c| c.counts.priority == p.slug())
                        .map(f)
                        .collect::<Vec<_>>()
                        .iter(),
                )
            };
            PriorityReach {
                priority: p.slug().into(),
                label: p.resident_label().into(),
                delivered: of(|c| c.counts.delivered),
                failed: of(|c| c.counts.failed),
                bounced: of(|c| c.counts.bounced),
                unsubscribed: of(|c| c.counts.unsubscribed),
            }
        })
        .collect();
    let sum =
        |f: fn(&CampaignReach) -> i64| total(campaigns.iter().map(f).collect::<Vec<_>>().iter());
    let totals = Totals {
        audience: subscribers.saturating_add(feed_readers),
        subscribers,
        feed_readers,
        baseline_subscribers: baseline,
        growth_pct: pct(subscribers.saturating_sub(baseline) as f64, baseline as f64),
        signups: total(joined_in.values()),
        delivered: sum(|c| c.counts.delivered),
        failed: sum(|c| c.counts.failed),
        bounced: sum(|c| c.counts.bounced),
        unsubscribed: sum(|c| c.counts.unsubscribed),
    };

    let mut by_source: BTreeMap<&str, (i64, Vec<SourceArea>)> = BTreeMap::new();
    for s in &inputs.sources {
        let e = by_source.entry(s.source.as_str()).or_default();
        add(&mut e.0, s.count);
        if let Some(slug) = &s.area_slug {
            e.1.push(SourceArea {
                slug: slug.clone(),
                signups: Cell::of(s.count),
            });
        }
    }
    let mut sources: Vec<SourceReach> = by_source
        .into_iter()
        .map(|(source, (signups, areas))| SourceReach {
            source: source.into(),
            signups,
            areas,
        })
        .collect();
    sources.sort_by(|a, b| {
        b.signups
            .cmp(&a.signups)
            .then_with(|| a.source.cmp(&b.source))
    });
    disclosure::protect(&mut areas, &mut sources);
    let names = directory
        .iter()
        .map(|a| (a.slug.clone(), a.name.clone()))
        .collect();
    let perception = perception::build(&names, &period, &inputs.surveys, &inputs.feedback);
    let crime = crime::build(directory, &inputs.crime_months, &inputs.crime);

    let actual = |m: Measure| -> Option<f64> {
        match m {
            Measure::AudienceGrowthPctPerYear => totals
                .growth_pct
                .map(|g| round1(g * 365.0 / period.days() as f64)),
            Measure::MinAreaPer1000Households => penetration.first().map(|p| p.1),
            Measure::MaxCampaignUnsubscribePct => campaigns
                .iter()
                .filter_map(|c| c.unsubscribe_pct)
                .reduce(f64::max),
            Measure::DeliveryRatePct => pct(
                totals.delivered as f64,
                total([totals.delivered, totals.failed, totals.bounced].iter()) as f64,
            ),
            Measure::Signups => Some(totals.signups as f64),
            Measure::FeelSafePct => perception.feel_safe_pct,
            Measure::FeelSafeChangePts => perception.feel_safe_change_pts,
            Measure::InformedPct => perception.informed_pct,
            Measure::HelpfulPct => perception.helpful_pct,
        }
    };
    let outcomes = targets
        .targets
        .iter()
        .map(|o| {
            let a = actual(o.measure);
            OutcomeStatus {
                id: o.id.clone(),
                description: o.description.clone(),
                measure: o.measure,
                direction: o.direction,
                target: o.target,
                actual: a,
                rag: o.rag(a, targets.amber_margin_pct),
                unit: o.measure.unit(),
                previous: None,
            }
        })
        .collect();

    let mut running = baseline;
    let mut series = Vec::new();
    for offset in 0..period.days() {
        add(
            &mut running,
            daily_net.get(&(first_day + offset)).copied().unwrap_or(0),
        );
        series.push(Point {
            date: period.from + Duration::days(offset),
            subscribers: running.max(0),
        });
    }

    Report {
        period,
        generated_at: now,
        totals,
        areas,
        lowest_penetration: penetration.into_iter().take(5).map(|p| p.0).collect(),
        sources,
        campaigns,
        priorities,
        outcomes,
        series,
        warnings,
        previous: None,
        perception,
        crime,
    }
}

/// Why an area's figures are not shown: more subscribers than households cannot be true, so
/// either the households figure in `areas.toml` or the area's postcodes need checking.
fn impossible(a: &crate::domain::Area, subs: i64) -> String {
    format!(
        "{}: {} subscribers but only {} households in areas.toml — more than one per household \
         cannot be right, so its reach is not shown; check the household figure and the area's postcodes.",
        a.name,
        numbers::thousands(subs),
        numbers::thousands(i64::from(a.households.unwrap_or(0)))
    )
}

#[cfg(test)]
mod tests;
