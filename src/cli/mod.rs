//! The `beacon` command line: argument definitions and dispatch to one module per command.

mod areas_cmd;
mod calendar_cmd;
mod check_cmd;

use crate::config::Config;
use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "beacon",
    version,
    about = "Crime-prevention campaigns and alerts for Chiltern and South Bucks"
)]
pub struct Cli {
    /// Settings file (default: ./beacon.toml if present). Also BEACON_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL, overriding the config (sqlite://FILE or postgres://…).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Calendar directory, overriding the config.
    #[arg(long = "campaigns", global = true, value_name = "DIR")]
    pub campaigns: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every calendar file and areas.toml; print every problem as path:line:col.
    Check,
    /// List upcoming sends in Europe/London time.
    Calendar {
        /// First day to show (YYYY-MM-DD, Europe/London); default now.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// How many days to show.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Only this campaign.
        #[arg(long, value_name = "SLUG")]
        campaign: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List areas, or resolve a postcode to its area(s).
    Areas {
        #[arg(long, value_name = "POSTCODE")]
        postcode: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Apply database migrations.
    Migrate,
    /// Run the web server (and, in later releases, the scheduler and workers).
    Serve {
        /// Address to listen on, overriding the config.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

impl Cli {
    /// Settings with this invocation's flags applied last.
    pub fn settings(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(self.config.as_deref()).context("cannot load settings")?;
        if let Some(url) = &self.database_url {
            config.database.url = url.clone();
        }
        if let Some(dir) = &self.campaigns {
            config.calendar.dir = dir.clone();
        }
        if let Command::Serve { listen: Some(l) } = &self.command {
            config.server.listen = l.clone();
        }
        Ok(config)
    }
}

/// Runs the command; `Ok(false)` means "finished, but exit non-zero" (e.g. `check` found problems).
pub async fn run(cli: Cli) -> anyhow::Result<bool> {
    let config = cli.settings()?;
    match cli.command {
        Command::Check => check_cmd::run(&config),
        Command::Calendar {
            from,
            days,
            campaign,
            format,
        } => calendar_cmd::run(&config, from, days, campaign.as_deref(), format),
        Command::Areas { postcode, format } => areas_cmd::run(&config, postcode.as_deref(), format),
        Command::Migrate => {
            let store = crate::app::open_store(&config).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                crate::config::redact_url(&config.database.url)
            );
            Ok(true)
        }
        Command::Serve { .. } => crate::app::serve(config).await.map(|()| true),
    }
}
