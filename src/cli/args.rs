//! What `beacon` accepts: every command and argument, each with its help text and an example.

use crate::config::Config;
use anyhow::Context;
use clap::{ColorChoice, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "beacon",
    version,
    about = "Crime-prevention campaigns and alerts for Chiltern and South Bucks",
    // Colour only on a terminal, and never with NO_COLOR set (clap's Auto does both).
    color = ColorChoice::Auto,
    after_help = "Example:\n  beacon check && beacon serve --listen 127.0.0.1:8080"
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
    /// A table for people, times in UK time.
    #[default]
    Table,
    /// JSON for scripts, times in RFC 3339.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate every calendar file and areas.toml; print every problem as path:line:col.
    #[command(after_help = "Example:\n  beacon check --campaigns ./campaigns")]
    Check,
    /// List every campaign: title, next send (UK time), paused, in or out of season.
    #[command(after_help = "Examples:\n  beacon campaigns\n  beacon campaigns --format json")]
    Campaigns {
        /// Table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// List upcoming sends in Europe/London time.
    #[command(
        after_help = "Examples:\n  beacon calendar --days 14\n  beacon calendar --from 2026-12-01 --campaign winter-burglary\n  beacon calendar --per-resident --area chesham"
    )]
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
        /// Table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Instead: e-mails per month, over 12 months, for a resident following every topic.
        #[arg(long)]
        per_resident: bool,
        /// With --per-resident: this area (default: the busiest area each month).
        #[arg(long, value_name = "SLUG", requires = "per_resident")]
        area: Option<String>,
    },
    /// List areas, resolve a postcode to its area(s), or list every postcode with its area(s).
    #[command(
        after_help = "Examples:\n  beacon areas\n  beacon areas --postcode \"HP5 1AA\"\n  beacon areas --postcodes > postcodes.csv"
    )]
    Areas {
        /// Show which area(s) this postcode belongs to.
        #[arg(long, value_name = "POSTCODE", conflicts_with = "postcodes")]
        postcode: Option<String>,
        /// Print every postcode of the postcode table with its ward, position and area(s), as CSV.
        #[arg(long)]
        postcodes: bool,
        /// Table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Apply database migrations.
    #[command(after_help = "Example:\n  beacon migrate --database-url sqlite://beacon.db")]
    Migrate,
    /// Run the web server, the scheduler and the delivery workers.
    #[command(
        after_help = "Examples:\n  beacon serve\n  beacon serve --listen 0.0.0.0:8080 --no-worker"
    )]
    Serve {
        /// Address to listen on, overriding the config.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Do not turn due fires into runs in this process.
        #[arg(long)]
        no_scheduler: bool,
        /// Do not deliver from the outbox in this process.
        #[arg(long)]
        no_worker: bool,
        /// Log lines as `text` or `json` (one object per line), overriding `log.format`.
        #[arg(long, value_enum, value_name = "FORMAT", env = "BEACON_LOG_FORMAT")]
        log_format: Option<crate::config::LogFormat>,
    },
    /// Send a campaign now (by the scheduler's path), then deliver until nothing is due.
    #[command(
        after_help = "Examples:\n  beacon send winter-burglary --dry-run\n  beacon send winter-burglary --area chesham --area amersham\n  beacon send winter-burglary --resend \"asked by the PCSO team, first send bounced\""
    )]
    Send {
        /// The campaign's slug (its file name without .md); `beacon campaigns` lists them.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
        /// Only these areas (area or district slugs) of the campaign's own; repeatable.
        #[arg(long = "area", value_name = "SLUG")]
        areas: Vec<String>,
        /// Show recipients per area and channel; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Queue the run and leave delivery to `beacon serve`.
        #[arg(long)]
        no_wait: bool,
        /// Send again to residents who already had it within the repeat window; the reason
        /// is written to the audit log.
        #[arg(long, value_name = "REASON")]
        resend: Option<String>,
        /// Send a paused or out-of-season campaign.
        #[arg(long)]
        force: bool,
    },
    /// Manage residents.
    #[command(
        after_help = "Examples:\n  beacon subscribers import residents.csv --source library-2026\n  beacon subscribers unsuppress someone@example.org"
    )]
    Subscribers {
        #[command(subcommand)]
        command: SubscribersCommand,
    },
    /// Load synthetic residents (addresses at example.invalid) with months of sign-ups and
    /// sends, for trying Beacon out.
    #[command(
        after_help = "Examples:\n  beacon demo\n  beacon demo --subscribers 5000 --months 12"
    )]
    Demo {
        /// How many residents to add, spread over the areas by their households.
        #[arg(long, default_value_t = 1000, value_name = "N")]
        subscribers: usize,
        /// Months of history: sign-ups spread over them and every campaign's past sends
        /// delivered; 0 adds the residents today with no history.
        #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=36))]
        months: u32,
    },
    /// Show the outbox: per channel pending, retrying (last error, next attempt), failed today,
    /// paused by the circuit breaker; queue depth by status; the oldest waiting message.
    #[command(after_help = "Examples:\n  beacon outbox\n  beacon outbox --resume email")]
    Outbox {
        /// Table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Resume a channel the circuit breaker paused (email or webhook).
        #[arg(long, value_name = "CHANNEL")]
        resume: Option<String>,
    },
    /// Validate the calendar and tell every running `beacon serve` to load it.
    #[command(after_help = "Example:\n  beacon reload")]
    Reload,
    /// Reach against the plan's outcome targets (default: the last 90 days).
    #[command(
        after_help = "Examples:\n  beacon report\n  beacon report --from 2026-04-01 --to 2027-03-31 --format html --output board.html"
    )]
    Report {
        /// First day (baseline), YYYY-MM-DD; default 90 days before --to.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// Last day, YYYY-MM-DD; default today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        /// text, json, csv, or html (the board report, printable on A4).
        #[arg(long, value_enum, default_value_t)]
        format: super::report_cmd::ReportFormat,
        /// With --format csv: which table (reach by area, perception, crime).
        #[arg(long, value_enum, default_value_t)]
        section: crate::reach::fear_format::Section,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Recorded crime from police.uk: import street-level CSV files, or fetch from the API.
    #[command(
        after_help = "Examples:\n  beacon crime import 2026-09-thames-valley-street.csv\n  beacon crime fetch"
    )]
    Crime {
        #[command(subcommand)]
        command: super::crime_cmd::CrimeCommand,
    },
    /// Staff accounts for the console, and API tokens.
    #[command(
        after_help = "Examples:\n  beacon users add jo.bloggs@buckinghamshire.gov.uk --role editor\n  beacon users list"
    )]
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a member of staff; prints a one-time password.
    #[command(
        after_help = "Example:\n  beacon users add jo.bloggs@buckinghamshire.gov.uk --role editor"
    )]
    Add {
        /// Their work e-mail address, which they sign in with.
        email: String,
        /// viewer (reports), editor (campaigns and residents) or admin (also staff).
        #[arg(long, value_parser = parse_role)]
        role: crate::domain::Role,
    },
    /// List staff accounts.
    #[command(after_help = "Example:\n  beacon users list")]
    List,
    /// Disable an account and end its sessions (never the last active admin).
    #[command(after_help = "Example:\n  beacon users disable jo.bloggs@buckinghamshire.gov.uk")]
    Disable {
        /// The account's e-mail address.
        email: String,
    },
    /// Give an account a new one-time password (it must be changed at first sign-in); also
    /// unlocks it and ends its sessions.
    #[command(
        after_help = "Example:\n  beacon users reset-password jo.bloggs@buckinghamshire.gov.uk"
    )]
    ResetPassword {
        /// The account's e-mail address.
        email: String,
    },
    /// Clear an account's failed sign-ins and lock.
    #[command(after_help = "Example:\n  beacon users unlock jo.bloggs@buckinghamshire.gov.uk")]
    Unlock {
        /// The account's e-mail address.
        email: String,
    },
    /// Re-enable a disabled account.
    #[command(after_help = "Example:\n  beacon users enable jo.bloggs@buckinghamshire.gov.uk")]
    Enable {
        /// The account's e-mail address.
        email: String,
    },
    /// Make an API token (for /api) for a partner's script; prints it once.
    #[command(after_help = "Example:\n  beacon users token thames-valley-police --role viewer")]
    Token {
        /// A name for whoever uses it, to revoke it by later.
        name: String,
        /// What it may do: viewer, editor or admin.
        #[arg(long, value_parser = parse_role, default_value = "viewer")]
        role: crate::domain::Role,
    },
    /// List API tokens (names, roles, live or revoked; never the secrets).
    #[command(after_help = "Example:\n  beacon users tokens")]
    Tokens,
    /// Revoke the API tokens with this name; they stop working at once.
    #[command(after_help = "Example:\n  beacon users revoke thames-valley-police")]
    Revoke {
        /// The name the token was made with.
        name: String,
    },
}

fn parse_role(s: &str) -> Result<crate::domain::Role, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Import confirmed residents from a CSV with a header row naming the columns
    /// email,postcode[,topics][,consent_at]; topics separated by `;`, `|` or spaces.
    #[command(
        after_help = "Example:\n  beacon subscribers import residents.csv --source library-2026\n\nresidents.csv:\n  email,postcode,topics,consent_at\n  sam@example.org,HP5 1AA,burglary-vehicle;fear-of-crime,2026-03-01"
    )]
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Where the list came from (recorded as the consent source `import:NAME`).
        #[arg(long)]
        source: String,
    },
    /// Lift the suppression a mail server's refusal put on an address (audited).
    #[command(after_help = "Example:\n  beacon subscribers unsuppress someone@example.org")]
    Unsuppress {
        /// The resident's e-mail address.
        email: String,
    },
}

impl Cli {
    /// How to write log lines: `serve --log-format` (or `BEACON_LOG_FORMAT`), else `log.format`.
    pub fn log_format(&self) -> crate::config::LogFormat {
        match &self.command {
            Command::Serve {
                log_format: Some(f),
                ..
            } => *f,
            _ => self.settings().map(|c| c.log.format).unwrap_or_default(),
        }
    }

    /// Settings with this invocation's flags applied last.
    pub fn settings(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(self.config.as_deref()).context("cannot load settings")?;
        if let Some(url) = &self.database_url {
            config.database.url = url.clone();
        }
        if let Some(dir) = &self.campaigns {
            config.calendar.dir = dir.clone();
        }
        if let Command::Serve {
            listen: Some(l), ..
        } = &self.command
        {
            config.server.listen = l.clone();
        }
        Ok(config)
    }
}
