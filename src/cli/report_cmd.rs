//! `beacon report`: reach against the plan's outcomes, as text, JSON, CSV or one HTML file.

use crate::app::Services;
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
    output: Option<&Path>,
) -> anyhow::Result<bool> {
    let now = Utc::now();
    let to = to.unwrap_or(now.date_naive());
    let from = from.unwrap_or(to - chrono::Duration::days(90));
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    let cal = s.calendar.get();
    let report = reach::gather(s.store.as_ref(), &cal, Period { from, to }, now).await?;
    let body = match fmt {
        ReportFormat::Text => format::text(&report),
        ReportFormat::Json => format::json(&report)?,
        ReportFormat::Csv => format::csv(&report)?,
        ReportFormat::Html => format::html(&report)?,
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
