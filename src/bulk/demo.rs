//! Demo data a newcomer can believe: residents spread over the areas by their households,
//! signing up over the past months, and the campaigns' past sends delivered to them, so the
//! console's and the board report's charts have a history to show. Addresses are at
//! `example.invalid`; memory stays flat (residents go in batches, deliveries in SQL).

use super::{BATCH, IMPORT_CONSENT_VERSION, ImportReport, commit_at};
use crate::domain::{Area, AreaDirectory, Campaign, Priority};
use crate::store::{ConfirmedSubscriber, NewRun, SqlStore, Trigger};
use chrono::{DateTime, Duration, Utc};

/// Where demo residents say they heard of the alerts, with weights.
const SOURCES: [(&str, u64); 5] = [
    ("demo: council website", 40),
    ("demo: library poster", 20),
    ("demo: neighbourhood watch", 18),
    ("demo: police street surgery", 14),
    ("demo: parish magazine", 8),
];

/// A spread-out index in `0..total` for resident `i`: a multiplicative hash, so neighbours
/// land far apart and every slot is hit in proportion.
fn spread(i: usize, salt: u64, total: u64) -> u64 {
    ((i as u64 ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) % total.max(1)
}

/// Picks by weight from cumulative weights.
fn pick<T: Copy>(cumulative: &[(u64, T)], at: u64) -> Option<T> {
    let i = cumulative.partition_point(|(upto, _)| *upto <= at);
    cumulative.get(i).map(|(_, t)| *t)
}

fn cumulative<T: Copy>(items: impl Iterator<Item = (u64, T)>) -> Vec<(u64, T)> {
    let mut total = 0u64;
    items
        .map(|(w, t)| {
            total = total.saturating_add(w.max(1));
            (total, t)
        })
        .collect()
}

/// A plausible postcode inside an area: its first prefix, completed.
fn postcode_in(area: &Area, n: usize) -> String {
    let prefix = area.postcodes.first().map_or("HP5", |p| p.as_str());
    let letters = ["AA", "AB", "BD", "EX", "HJ", "LN", "PQ", "RT", "UW", "YZ"];
    if prefix.contains(' ') {
        format!("{prefix}{}", letters[n % letters.len()])
    } else {
        format!("{prefix} {}{}", n % 10, letters[(n / 10) % letters.len()])
    }
}

/// When resident `i` of `n` signed up: three in four were already subscribed `months` ago, the
/// rest joined steadily since (a third more in a year). Never after `now`.
fn joined_at(i: usize, n: usize, months: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let span = Duration::days(i64::from(months) * 365 / 12);
    let start = now - span;
    let already = n * 3 / 4;
    if months == 0 || i < already {
        return start;
    }
    let f = (i - already) as f64 / (n - already).max(1) as f64;
    start + Duration::seconds((span.num_seconds() as f64 * f) as i64)
}

/// `n` synthetic confirmed residents, spread over the areas by households, who signed up over
/// the last `months` months (0: all now); `bar` counts them.
pub async fn demo(
    store: &SqlStore,
    directory: &AreaDirectory,
    n: usize,
    months: u32,
    now: DateTime<Utc>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<ImportReport> {
    // An area without a household figure counts as a typical village. Some places take to
    // the alerts more than others: each area's households are weighted by 40–160 %.
    let areas = cumulative(directory.iter().map(|a| {
        let households = u64::from(a.households.unwrap_or(2_000));
        let keen = 40
            + a.slug
                .bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
                % 121;
        (households * keen / 100, a)
    }));
    let Some(&(area_total, _)) = areas.last() else {
        anyhow::bail!("no areas in the calendar");
    };
    let sources = cumulative(SOURCES.iter().map(|(s, w)| (*w, *s)));
    let source_total = sources.last().map_or(1, |s| s.0);
    bar.set_length(n as u64);
    let mut report = ImportReport::default();
    let mut batch = Vec::with_capacity(BATCH);
    // Residents who joined at about the same time go in together: a few hundred points on the
    // audience curve, and never more than one batch in memory.
    let step = (n / 240).clamp(1, BATCH);
    for i in 0..n {
        let Some(area) = pick(&areas, spread(i, 7, area_total)) else {
            continue;
        };
        // Everyone follows burglary; the other topics vary, so targeting is exercised.
        let priorities: Vec<String> = Priority::ALL
            .iter()
            .enumerate()
            .filter(|(k, _)| *k == 0 || (i >> k) & 1 == 1)
            .map(|(_, p)| p.slug().to_string())
            .collect();
        let at = joined_at(i, n, months, now);
        batch.push(ConfirmedSubscriber {
            email: format!("resident{i}@example.invalid"),
            postcode: Some(postcode_in(area, i)),
            area_slugs: vec![area.slug.clone()],
            priorities,
            consent_version: IMPORT_CONSENT_VERSION.into(),
            consent_at: at,
            source: pick(&sources, spread(i, 11, source_total))
                .unwrap_or("demo")
                .into(),
        });
        if batch.len() >= step || i + 1 == n {
            commit_at(store, &mut batch, &mut report, at).await?;
            bar.set_position((i + 1) as u64);
        }
    }
    bar.finish_and_clear();
    Ok(report)
}

/// What `demo_history` recorded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoHistory {
    pub runs: usize,
    pub delivered: i64,
}

/// Every campaign's fires over the last `months` months (up to yesterday), recorded as runs
/// delivered to the demo residents who had joined by then. A fire already recorded is left as it is.
pub async fn demo_history(
    store: &SqlStore,
    directory: &AreaDirectory,
    campaigns: &[Campaign],
    months: u32,
    now: DateTime<Utc>,
    repeat_window: Duration,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<DemoHistory> {
    let from = now - Duration::days(i64::from(months) * 365 / 12);
    let until = now - Duration::days(1);
    let fires: Vec<(&Campaign, DateTime<Utc>)> = campaigns
        .iter()
        .flat_map(|c| c.fires_between(from, until).take(400).map(move |t| (c, t)))
        .collect();
    bar.set_length(fires.len() as u64);
    bar.set_position(0);
    let mut done = DemoHistory::default();
    for (c, fire_at) in fires {
        let areas = directory
            .expand(&c.areas)
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        // Nothing is posted to partners about the past: no webhooks.
        let run = NewRun::of(c, fire_at, Trigger::Schedule, areas, vec![], repeat_window);
        if let Some(run_id) = store.create_run(&run, fire_at).await? {
            done.runs += 1;
            done.delivered += store.deliver_demo_run(run_id, fire_at).await?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residents_go_to_areas_in_proportion_to_households() {
        let areas = cumulative([(9_000u64, "big"), (1_000, "small")].into_iter());
        let big = (0..10_000)
            .filter(|i| pick(&areas, spread(*i, 7, 10_000)) == Some("big"))
            .count();
        assert!(
            (8_700..9_300).contains(&big),
            "{big} of 10,000 in the big area"
        );
    }

    #[test]
    fn sign_ups_spread_over_the_months_and_never_lie_in_the_future() {
        let now = Utc::now();
        let times: Vec<_> = (0..900).map(|i| joined_at(i, 900, 12, now)).collect();
        assert!(times.iter().all(|t| *t <= now));
        assert_eq!(times[0], now - Duration::days(365));
        assert!(times[899] > now - Duration::days(2));
        let last_quarter = times
            .iter()
            .filter(|t| **t > now - Duration::days(91))
            .count();
        assert!((50..75).contains(&last_quarter), "{last_quarter}");
    }
}
