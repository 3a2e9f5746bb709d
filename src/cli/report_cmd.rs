//! `beacon report`: reach against the plan's outcomes, as text, JSON, CSV or one HTML file.

use crate::app::Services;
use crate::reach::fear_format::{self, Section};
use crate::reach::{self, Period, format};
use anyhow::{Context, bail};
use chrono::{NaiveDate, Utc};
use std::path::Path;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Json,
    Csv,
    Html,
}

pub async fn run(
    s: &Services,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    fmt: ReportFormat,
    section: Section,
    output: Option<&Path>,
) -> anyhow::Result<bool> {
    let now = Utc::now();
    let period = match Period::asked(from, to, 90, now.date_naive()) {
        Ok(p) => p,
        Err(e) => bail!(
            "--from/--to: {e}; a report covers at most five years, between 2000-01-01 and 2099-12-31"
        ),
    };
    let cal = s.calendar.get();
    let report = match fmt {
        // The board report and JSON put the period before beside each figure.
        ReportFormat::Html | ReportFormat::Json => {
            reach::gather_compared(s.store.as_ref(), &cal.areas, &cal.outcomes, period, now).await?
        }
        ReportFormat::Text | ReportFormat::Csv => {
            reach::gather(s.store.as_ref(), &cal.areas, &cal.outcomes, period, now).await?
        }
    };
    let body = match fmt {
        ReportFormat::Text => format::text(&report),
        ReportFormat::Json => format::json(&report)?,
        ReportFormat::Csv => fear_format::csv(&report, section)?,
        ReportFormat::Html => format::html(&report, cal.outcomes.amber_margin_pct)?,
    };
    match output {
        Some(path) => {
            std::fs::write(path, body)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("report written to {}", path.display());
        }
        None => print!("{body}"),
    }
    Ok(true)
}
