//! The perception and crime sections as text and as CSV (one table per section, so each file
//! stays rectangular: `beacon report --format csv --section perception`).

use super::Cell;
use super::crime::CrimeSection;
use super::perception::Perception;
use std::fmt::Write as _;

/// A share with one decimal, or why there is none: its answers' cell ("<10", "hidden") when
/// that is withheld, a dash when there is nothing to show.
pub fn share(v: Option<f64>, answers: Cell) -> String {
    match (v, answers) {
        (Some(v), _) => format!("{v:.1}"),
        (None, Cell::Suppressed(why)) => why.into(),
        (None, Cell::Count(_)) => "–".into(),
    }
}

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// Reach by area (the default).
    #[default]
    Reach,
    /// Feeling safe and informed per area and quarter; helpfulness per campaign and priority.
    Perception,
    /// Recorded crime per area and category.
    Crime,
}

/// The report's CSV for one section.
pub fn csv(r: &super::Report, section: Section) -> Result<String, csv::Error> {
    match section {
        Section::Reach => super::format::csv(r),
        Section::Perception => perception_csv(&r.perception),
        Section::Crime => crime_csv(&r.crime),
    }
}

pub fn text(p: &Perception, c: &CrimeSection, s: &mut String) {
    let _ = writeln!(
        s,
        "\nPerception (pulse survey; shares under 10 answers shown as <10)"
    );
    let _ = writeln!(
        s,
        "{:<28} {:<8} {:>9} {:>10} {:>9} {:>10}",
        "area", "quarter", "answers", "feel safe%", "answers", "informed%"
    );
    for a in &p.areas {
        let _ = writeln!(
            s,
            "{:<28} {:<8} {:>9} {:>10} {:>9} {:>10}",
            a.name,
            a.quarter,
            a.responses.to_string(),
            share(a.feel_safe_pct, a.responses),
            a.informed_responses.to_string(),
            share(a.informed_pct, a.informed_responses)
        );
    }
    for t in &p.totals {
        let _ = writeln!(
            s,
            "{:<28} {:<8} {:>9} {:>10} {:>9} {:>10}",
            "All areas",
            t.quarter,
            t.responses.to_string(),
            share(t.feel_safe_pct, t.responses),
            t.informed_responses.to_string(),
            share(t.informed_pct, t.informed_responses)
        );
    }
    let _ = writeln!(
        s,
        "Feel safe after dark, latest quarter: {}%; change on the quarter before: {} points",
        share(p.feel_safe_pct, Cell::Count(0)),
        share(p.feel_safe_change_pts, Cell::Count(0))
    );
    let _ = writeln!(
        s,
        "\n{:<34} {:>9} {:>10}",
        "did it help? (campaign)", "answers", "helpful %"
    );
    for x in &p.campaigns {
        let _ = writeln!(
            s,
            "{:<34} {:>9} {:>10}",
            x.slug,
            x.responses.to_string(),
            share(x.helpful_pct, x.responses)
        );
    }
    for x in &p.priorities {
        let _ = writeln!(
            s,
            "{:<34} {:>9} {:>10}",
            format!("all {}", x.priority),
            x.responses.to_string(),
            share(x.helpful_pct, x.responses)
        );
    }
    let _ = writeln!(
        s,
        "\nRecorded crime per 1,000 households, {}",
        if c.months.is_empty() {
            "no police.uk figures imported yet".to_string()
        } else {
            c.months.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "{:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "area", "crimes", "all", "burglary", "vehicle", "violent"
    );
    let rate = |v: Option<f64>| v.map_or_else(|| "–".into(), |v| format!("{v:.1}"));
    for a in &c.areas {
        let cat = |slug: &str| {
            rate(
                a.categories
                    .iter()
                    .find(|x| x.category == slug)
                    .and_then(|x| x.per_1000_households),
            )
        };
        let _ = writeln!(
            s,
            "{:<28} {:>7} {:>10} {:>10} {:>10} {:>10}",
            a.name,
            a.crimes,
            rate(a.per_1000_households),
            cat("burglary"),
            cat("vehicle-crime"),
            cat("violent-crime")
        );
    }
    let _ = writeln!(
        s,
        "All areas: {} per 1,000 households",
        rate(c.all_per_1000_households)
    );
    let _ = writeln!(s, "{}", c.attribution);
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One row per area and quarter, then per quarter for all areas, then per campaign and priority.
pub fn perception_csv(p: &Perception) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "key",
        "name",
        "quarter",
        "responses",
        "pct",
        "informed_responses",
        "informed_pct",
    ])?;
    let num = |v: Option<f64>, answers: Cell| match (v, answers) {
        (Some(v), _) => format!("{v:.1}"),
        (None, Cell::Suppressed(why)) => why.to_string(),
        (None, Cell::Count(_)) => String::new(),
    };
    for a in &p.areas {
        w.write_record([
            "area".to_string(),
            a.slug.clone(),
            a.name.clone(),
            a.quarter.clone(),
            a.responses.to_string(),
            num(a.feel_safe_pct, a.responses),
            a.informed_responses.to_string(),
            num(a.informed_pct, a.informed_responses),
        ])?;
    }
    for t in &p.totals {
        w.write_record([
            "all-areas".to_string(),
            "all".into(),
            "Chiltern and South Bucks".into(),
            t.quarter.clone(),
            t.responses.to_string(),
            num(t.feel_safe_pct, t.responses),
            t.informed_responses.to_string(),
            num(t.informed_pct, t.informed_responses),
        ])?;
    }
    let helped = p
        .campaigns
        .iter()
        .map(|c| ("campaign", &c.slug, &c.title, c.responses, c.helpful_pct))
        .chain(p.priorities.iter().map(|c| {
            (
                "priority",
                &c.priority,
                &c.label,
                c.responses,
                c.helpful_pct,
            )
        }));
    for (kind, key, name, responses, pct) in helped {
        w.write_record([
            kind.to_string(),
            key.clone(),
            name.clone(),
            String::new(),
            responses.to_string(),
            num(pct, responses),
            String::new(),
            String::new(),
        ])?;
    }
    finish(w)
}

/// One row per area and category (`all` first), with crimes and the rate per 1,000 households.
pub fn crime_csv(c: &CrimeSection) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "area",
        "name",
        "category",
        "months",
        "crimes",
        "per_1000_households",
    ])?;
    let months = c.months.join(" ");
    let num = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    for a in &c.areas {
        w.write_record([
            a.slug.as_str(),
            &a.name,
            "all",
            &months,
            &a.crimes.to_string(),
            &num(a.per_1000_households),
        ])?;
        for x in &a.categories {
            w.write_record([
                a.slug.as_str(),
                &a.name,
                &x.category,
                &months,
                &x.crimes.to_string(),
                &num(x.per_1000_households),
            ])?;
        }
    }
    finish(w)
}
