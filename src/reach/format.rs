//! A reach report as text, JSON, CSV or one self-contained HTML file for the partnership board.

use super::{Cell, Period, Report, Totals, charts, narrative, numbers};
use crate::domain::outcome::{Direction, Measure};
use askama::Template;
use std::fmt::Write as _;

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

pub fn json(r: &Report) -> serde_json::Result<String> {
    serde_json::to_string_pretty(r)
}

pub fn text(r: &Report) -> String {
    let t = &r.totals;
    let mut s = String::new();
    let _ = writeln!(s, "Reach, {} to {}", r.period.from, r.period.to);
    let _ = writeln!(
        s,
        "Audience {} ({} subscribers, {} feed readers a day); {} at the start, growth {}%",
        t.audience,
        t.subscribers,
        t.feed_readers,
        t.baseline_subscribers,
        opt(t.growth_pct)
    );
    let _ = writeln!(
        s,
        "Sign-ups {}; delivered {}, failed {}, bounced {}, unsubscribed within 7 days {}\n",
        t.signups, t.delivered, t.failed, t.bounced, t.unsubscribed
    );
    let _ = writeln!(
        s,
        "{:<28} {:>10} {:>12} {:>10} {:>9}",
        "area", "audience", "subscribers", "per 1,000", "growth %"
    );
    for a in &r.areas {
        let _ = writeln!(
            s,
            "{:<28} {:>10} {:>12} {:>10} {:>9}",
            a.name,
            a.audience.to_string(),
            a.subscribers.to_string(),
            opt(a.per_1000_households),
            opt(a.growth_pct)
        );
    }
    let _ = writeln!(s, "\nLowest reach: {}", r.lowest_penetration.join(", "));
    let _ = writeln!(s, "\n{:<30} {:>8}", "source", "sign-ups");
    for src in &r.sources {
        let _ = writeln!(s, "{:<30} {:>8}", src.source, src.signups);
    }
    let _ = writeln!(
        s,
        "\n{:<34} {:>5} {:>10} {:>9} {:>8} {:>7} {:>8} {:>7}",
        "campaign", "runs", "delivered", "residents", "webhook", "failed", "bounced", "unsub %"
    );
    for c in &r.campaigns {
        let _ = writeln!(
            s,
            "{:<34} {:>5} {:>10} {:>9} {:>8} {:>7} {:>8} {:>7}",
            c.counts.slug,
            c.counts.runs,
            c.counts.delivered,
            c.counts.residents,
            c.counts.webhook_posts,
            c.counts.failed,
            c.counts.bounced,
            opt(c.unsubscribe_pct)
        );
    }
    let _ = writeln!(s, "\nOutcomes");
    for o in &r.outcomes {
        let _ = writeln!(
            s,
            "{:<7} {} (target {}, actual {})",
            o.rag.to_string(),
            o.description,
            o.target,
            opt(o.actual)
        );
    }
    super::fear_format::text(&r.perception, &r.crime, &mut s);
    s
}

/// One row per area, then one for the whole district; small cells stay "<10".
pub fn csv(r: &Report) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "area",
        "name",
        "district",
        "households",
        "audience",
        "subscribers",
        "feed_readers",
        "signups",
        "per_1000_households",
        "growth_pct",
    ])?;
    let num = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    for a in &r.areas {
        w.write_record([
            a.slug.clone(),
            a.name.clone(),
            a.district.clone(),
            a.households.map(|h| h.to_string()).unwrap_or_default(),
            a.audience.to_string(),
            a.subscribers.to_string(),
            a.feed_readers.to_string(),
            a.signups.to_string(),
            num(a.per_1000_households),
            num(a.growth_pct),
        ])?;
    }
    let t = &r.totals;
    w.write_record([
        "all".to_string(),
        "Chiltern and South Bucks".into(),
        String::new(),
        String::new(),
        t.audience.to_string(),
        t.subscribers.to_string(),
        t.feed_readers.to_string(),
        t.signups.to_string(),
        String::new(),
        num(t.growth_pct),
    ])?;
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One row of the summary's outcome table, every figure with its unit.
struct OutcomeRow {
    description: String,
    target: String,
    actual: String,
    previous: String,
    rag_slug: &'static str,
    rag: String,
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct HtmlReport<'a> {
    r: &'a Report,
    narrative: [String; 3],
    key_figures: Vec<(&'static str, String, String)>,
    outcome_rows: Vec<OutcomeRow>,
    margin_pct: f64,
    audience_chart: String,
    penetration_chart: String,
    sources_chart: String,
    gap_chart: String,
}

impl HtmlReport<'_> {
    fn d(&self, v: &Option<f64>) -> String {
        numbers::maybe(*v)
    }

    fn n(&self, v: &i64) -> String {
        numbers::thousands(*v)
    }

    fn cell(&self, c: &Cell) -> String {
        match c {
            Cell::Count(n) => numbers::thousands(*n),
            Cell::Suppressed(s) => (*s).to_string(),
        }
    }

    fn span(&self, p: &Period) -> String {
        format!(
            "{} to {}",
            p.from.format("%-d %B %Y"),
            p.to.format("%-d %B %Y")
        )
    }

    /// The areas with the lowest reach, by name.
    fn lowest(&self) -> String {
        self.r
            .lowest_penetration
            .iter()
            .map(|slug| {
                self.r
                    .areas
                    .iter()
                    .find(|a| &a.slug == slug)
                    .map_or(slug.as_str(), |a| a.name.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn margin(&self) -> String {
        format!("{}%", numbers::axis(self.margin_pct))
    }

    fn share(&self, v: &Option<f64>, answers: &crate::reach::Cell) -> String {
        super::fear_format::share(*v, *answers)
    }

    /// For the perception and crime partials, which the console's reach page includes too.
    fn fmt(&self, v: &Option<f64>) -> String {
        numbers::maybe(*v)
    }
}

fn with_unit(v: Option<f64>, unit: &str) -> String {
    match v {
        Some(v) if unit.starts_with('%') => format!("{}{unit}", numbers::decimal(v)),
        Some(v) => format!("{} {unit}", numbers::decimal(v)),
        None => "–".into(),
    }
}

/// A summary row: its label and how to read it from the totals.
type Figure = (&'static str, fn(&Totals) -> i64);

/// The summary's "this period / period before" figures.
fn key_figures(r: &Report) -> Vec<(&'static str, String, String)> {
    let rows: [Figure; 6] = [
        ("Messages delivered", |t| t.delivered),
        ("Failed or bounced", |t| t.failed.saturating_add(t.bounced)),
        ("Confirmed subscribers at the end", |t| t.subscribers),
        ("New sign-ups", |t| t.signups),
        ("Feed readers a day", |t| t.feed_readers),
        ("Unsubscribed within 7 days of a message", |t| {
            t.unsubscribed
        }),
    ];
    rows.iter()
        .map(|(label, f)| {
            (
                *label,
                numbers::thousands(f(&r.totals)),
                r.previous
                    .as_ref()
                    .map_or_else(|| "–".into(), |p| numbers::thousands(f(&p.totals))),
            )
        })
        .collect()
}

/// A single file with its styles and charts inside, fit to attach to a board paper and to print
/// on A4: page one is the summary, the rest the appendix. `margin_pct` is the amber margin.
pub fn html(r: &Report, margin_pct: f64) -> Result<String, askama::Error> {
    let target = r
        .outcomes
        .iter()
        .find(|o| o.measure == Measure::MinAreaPer1000Households)
        .map(|o| o.target);
    let outcome_rows = r
        .outcomes
        .iter()
        .map(|o| OutcomeRow {
            description: o.description.clone(),
            target: format!(
                "{} {}",
                match o.direction {
                    Direction::AtLeast => "at least",
                    Direction::AtMost => "at most",
                },
                with_unit(Some(o.target), o.unit)
            ),
            actual: with_unit(o.actual, o.unit),
            previous: with_unit(o.previous, o.unit),
            rag_slug: o.rag.slug(),
            rag: o.rag.to_string(),
        })
        .collect();
    HtmlReport {
        r,
        narrative: narrative::narrative(r),
        key_figures: key_figures(r),
        outcome_rows,
        margin_pct,
        audience_chart: charts::audience(&r.series),
        penetration_chart: charts::penetration_against(&r.areas, target),
        sources_chart: charts::sources(&r.sources),
        gap_chart: super::gap_chart::svg(&super::gap_chart::rows(r)),
    }
    .render()
}
