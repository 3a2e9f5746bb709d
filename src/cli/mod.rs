//! The `beacon` command line: argument definitions and dispatch to one module per command.

mod account_cmd;
mod actor;
mod areas_cmd;
mod args;
mod bulk_cmd;
mod calendar_cmd;
mod campaigns_cmd;
mod check_cmd;
mod crime_cmd;
mod human;
mod outbox_cmd;
mod progress;
mod report_cmd;
mod send_cmd;
mod users_cmd;

pub use args::{Cli, Command, Format, SubscribersCommand, UsersCommand};

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
            let ok = bulk_cmd::import(&s, &file, &source).await;
            s.store.close().await;
            ok
        }
        Command::Subscribers {
            command: SubscribersCommand::Unsuppress { email },
        } => {
            let s = crate::app::Services::build(config).await?;
            let ok = outbox_cmd::unsuppress(&s, &email).await;
            s.store.close().await;
            ok
        }
        Command::Demo {
            subscribers,
            months,
        } => {
            let s = crate::app::Services::build(config).await?;
            let ok = bulk_cmd::demo(&s, subscribers, months).await;
            s.store.close().await;
            ok
        }
        Command::Campaigns { format } => campaigns_cmd::run(&config, format).await,
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
            actor::audit(&s, "calendar.reload", None).await?;
            s.store.close().await;
            println!("calendar is valid; running services will load it within one scheduler tick");
            Ok(true)
        }
    }
}
