//! The `beacon` command line: argument definitions and dispatch to one module per command.

mod account_cmd;
mod areas_cmd;
mod calendar_cmd;
mod check_cmd;
mod crime_cmd;
mod outbox_cmd;
mod report_cmd;
mod send_cmd;
mod users_cmd;

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
        /// Instead: e-mails per month, over 12 months, for a resident following every topic.
        #[arg(long)]
        per_resident: bool,
        /// With --per-resident: this area (default: the busiest area each month).
        #[arg(long, value_name = "SLUG", requires = "per_resident")]
        area: Option<String>,
    },
    /// List areas, resolve a postcode to its area(s), or list every postcode with its area(s).
    Areas {
        #[arg(long, value_name = "POSTCODE", conflicts_with = "postcodes")]
        postcode: Option<String>,
        /// Print every postcode of the postcode table with its ward, position and area(s), as CSV.
        #[arg(long)]
        postcodes: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Apply database migrations.
    Migrate,
    /// Run the web server, the scheduler and the delivery workers.
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
    },
    /// Send a campaign now (by the scheduler's path), then deliver until nothing is due.
    Send {
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
    Subscribers {
        #[command(subcommand)]
        command: SubscribersCommand,
    },
    /// Load N synthetic residents (addresses at example.invalid) for trying Beacon out.
    Demo {
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
    },
    /// Show the outbox: per channel pending, retrying (last error, next attempt), failed today,
    /// paused by the circuit breaker; queue depth by status; the oldest waiting message.
    Outbox {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Resume a channel the circuit breaker paused (email or webhook).
        #[arg(long, value_name = "CHANNEL")]
        resume: Option<String>,
    },
    /// Validate the calendar and tell every running `beacon serve` to load it.
    Reload,
    /// Reach against the plan's outcome targets (default: the last 90 days).
    Report {
        /// First day (baseline), YYYY-MM-DD; default 90 days before --to.
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<chrono::NaiveDate>,
        /// Last day, YYYY-MM-DD; default today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value_t)]
        format: report_cmd::ReportFormat,
        /// With --format csv: which table (reach by area, perception, crime).
        #[arg(long, value_enum, default_value_t)]
        section: crate::reach::fear_format::Section,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Recorded crime from police.uk: import street-level CSV files, or fetch from the API.
    Crime {
        #[command(subcommand)]
        command: crime_cmd::CrimeCommand,
    },
    /// Staff accounts for the console, and API tokens.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a member of staff; prints a one-time password.
    Add {
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: crate::domain::Role,
    },
    /// List staff accounts.
    List,
    /// Disable an account and end its sessions (never the last active admin).
    Disable { email: String },
    /// Give an account a new one-time password (it must be changed at first sign-in); also
    /// unlocks it and ends its sessions.
    ResetPassword { email: String },
    /// Clear an account's failed sign-ins and lock.
    Unlock { email: String },
    /// Re-enable a disabled account.
    Enable { email: String },
    /// Make an API token (for /api) for a partner's script; prints it once.
    Token {
        name: String,
        #[arg(long, value_parser = parse_role, default_value = "viewer")]
        role: crate::domain::Role,
    },
    /// List API tokens (names, roles, live or revoked; never the secrets).
    Tokens,
    /// Revoke the API tokens with this name; they stop working at once.
    Revoke { name: String },
}

fn parse_role(s: &str) -> Result<crate::domain::Role, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Import confirmed residents from a CSV with columns email,postcode[,topics][,consent_at].
    Import {
        file: PathBuf,
        /// Where the list came from (recorded as the consent source `import:NAME`).
        #[arg(long)]
        source: String,
    },
    /// Lift the suppression a mail server's refusal put on an address (audited).
    Unsuppress { email: String },
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
        if let Command::Serve {
            listen: Some(l), ..
        } = &self.command
        {
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
            per_resident,
            area,
        } => {
            let args = calendar_cmd::CalendarArgs {
                from,
                days,
                only: campaign.as_deref(),
                format,
                per_resident,
                area: area.as_deref(),
            };
            calendar_cmd::run(&config, args).await
        }
        Command::Areas {
            postcodes: true, ..
        } => areas_cmd::every_postcode(&config),
        Command::Areas {
            postcode, format, ..
        } => areas_cmd::run(&config, postcode.as_deref(), format),
        Command::Migrate => {
            let store = crate::app::open_store(&config).await?;
            store.close().await;
            println!(
                "migrations applied to {}",
                crate::config::redact_url(&config.database.url)
            );
            Ok(true)
        }
        Command::Serve {
            no_scheduler,
            no_worker,
            ..
        } => {
            let roles = crate::app::Roles {
                scheduler: !no_scheduler,
                workers: !no_worker,
            };
            crate::app::run(config, roles).await.map(|()| true)
        }
        Command::Send {
            campaign,
            areas,
            dry_run,
            no_wait,
            resend,
            force,
        } => {
            let s = crate::app::Services::build(config).await?;
            let args = send_cmd::SendArgs {
                slug: &campaign,
                areas: &areas,
                dry_run,
                wait: !no_wait,
                resend,
                force,
            };
            let ok = send_cmd::run(&s, args).await;
            s.store.close().await;
            ok
        }
        Command::Subscribers {
            command: SubscribersCommand::Import { file, source },
        } => {
            let s = crate::app::Services::build(config).await?;
            let input = std::fs::File::open(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let label = file.display().to_string();
            let cal = s.calendar.get();
            let r = crate::bulk::import(
                s.store.as_ref(),
                &cal.areas,
                std::io::BufReader::new(input),
                &label,
                &source,
                |line, why| eprintln!("{label}:{line}: skipped: {why}"),
            )
            .await?;
            s.store
                .audit(
                    None,
                    "cli",
                    "subscribers.import",
                    Some(&format!("{label} as {source}: {} added", r.added)),
                    None,
                    chrono::Utc::now(),
                )
                .await?;
            s.store.close().await;
            println!(
                "imported {} new, {} already known, {} invalid row(s) skipped",
                r.added, r.unchanged, r.invalid
            );
            Ok(true)
        }
        Command::Subscribers {
            command: SubscribersCommand::Unsuppress { email },
        } => {
            let s = crate::app::Services::build(config).await?;
            let ok = outbox_cmd::unsuppress(&s, &email).await;
            s.store.close().await;
            ok
        }
        Command::Demo { subscribers } => {
            let s = crate::app::Services::build(config).await?;
            let r =
                crate::bulk::demo(s.store.as_ref(), &s.calendar.get().areas, subscribers).await?;
            s.store.close().await;
            println!(
                "added {} demo residents ({} already there)",
                r.added, r.unchanged
            );
            Ok(true)
        }
        Command::Outbox { format, resume } => {
            let s = crate::app::Services::build(config).await?;
            let ok = match resume {
                Some(channel) => outbox_cmd::resume(&s, &channel).await,
                None => outbox_cmd::show(&s, format).await,
            };
            s.store.close().await;
            ok
        }
        Command::Report {
            from,
            to,
            format,
            section,
            output,
        } => {
            let s = crate::app::Services::build(config).await?;
            let ok = report_cmd::run(&s, from, to, format, section, output.as_deref()).await;
            s.store.close().await;
            ok
        }
        Command::Crime { command } => crime_cmd::run(config, command).await,
        Command::Users { command } => {
            let s = crate::app::Services::build(config).await?;
            let ok = match command {
                UsersCommand::Add { email, role } => users_cmd::add(&s, &email, role).await,
                UsersCommand::List => users_cmd::list(&s).await,
                UsersCommand::Disable { email } => users_cmd::disable(&s, &email).await,
                UsersCommand::ResetPassword { email } => {
                    account_cmd::reset_password(&s, &email).await
                }
                UsersCommand::Unlock { email } => account_cmd::unlock(&s, &email).await,
                UsersCommand::Enable { email } => account_cmd::enable(&s, &email).await,
                UsersCommand::Token { name, role } => users_cmd::token(&s, &name, role).await,
                UsersCommand::Tokens => users_cmd::tokens(&s).await,
                UsersCommand::Revoke { name } => users_cmd::revoke(&s, &name).await,
            };
            s.store.close().await;
            ok
        }
        Command::Reload => {
            let s = crate::app::Services::build(config).await?;
            crate::app::request_reload(&s).await?;
            s.store.close().await;
            println!("calendar is valid; running services will load it within one scheduler tick");
            Ok(true)
        }
    }
}
