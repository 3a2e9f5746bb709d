//! `beacon crime import FILE.csv…` and `beacon crime fetch`: recorded crime from police.uk.

use crate::app::Services;
use crate::crime::{Locator, csv_file};
use anyhow::Context;
use chrono::Utc;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum CrimeCommand {
    /// Import police.uk street-level CSV files (data.police.uk/data); each month in them replaces
    /// what was held for that month, so importing a file again changes nothing.
    #[command(
        after_help = "Example:\n  beacon crime import 2026-09-thames-valley-street.csv 2026-10-thames-valley-street.csv"
    )]
    Import {
        /// Street-level CSV files as data.police.uk publishes them (one month each).
        #[arg(required = true, value_name = "FILE.csv")]
        files: Vec<PathBuf>,
    },
    /// Fetch every month not held yet (and the latest again) from the data.police.uk API.
    #[command(after_help = "Example:\n  beacon crime fetch")]
    Fetch,
}

/// The postcode positions, each with its area.
pub fn locator(s: &Services) -> anyhow::Result<Locator> {
    let geo = crate::calendar::postcodes::load().map_err(anyhow::Error::msg)?;
    Ok(Locator::new(&geo, &s.calendar.get().areas))
}

pub async fn run(config: crate::config::Config, command: CrimeCommand) -> anyhow::Result<bool> {
    let s = Services::build(config).await?;
    let ok = run_with(&s, command).await;
    s.store.close().await;
    ok
}

async fn run_with(s: &Services, command: CrimeCommand) -> anyhow::Result<bool> {
    match command {
        CrimeCommand::Import { files } => {
            let locator = locator(s)?;
            let tally = match csv_file::read_all(&files, &locator) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{e}\nnothing was imported");
                    return Ok(false);
                }
            };
            tally
                .store(s.store.as_ref(), "police.uk CSV", Utc::now())
                .await
                .context("cannot store the crimes; nothing was imported")?;
            print!("{}", tally.report());
            println!(
                "Contains public sector information licensed under the Open Government Licence v3.0 (data.police.uk)."
            );
            Ok(true)
        }
        CrimeCommand::Fetch => {
            let months = crate::app::crime_fetch::fetch_once(s).await?;
            let names: Vec<String> = months.iter().map(ToString::to_string).collect();
            println!(
                "stored {} month(s) from {}: {}",
                months.len(),
                s.config.crime.api_base,
                names.join(", ")
            );
            Ok(true)
        }
    }
}
