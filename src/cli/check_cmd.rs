//! `beacon check`: validate the calendar like a compiler would; then warn (without failing)
//! where it would write to residents more often than promised.

use crate::config::Config;
use chrono::Utc;

pub fn run(config: &Config) -> anyhow::Result<bool> {
    match crate::calendar::load(&config.calendar.dir) {
        Ok(cal) => {
            println!(
                "ok: {} campaigns and {} areas in {}",
                cal.campaigns.len(),
                cal.areas.len(),
                config.calendar.dir.display()
            );
            for d in &cal.drafts {
                println!("{}: draft: never sent until it is scheduled", d.slug);
            }
            let rules = config
                .delivery
                .sending_rules()
                .map_err(|m| anyhow::anyhow!("invalid configuration: {m}"))?;
            for c in &cal.campaigns {
                if let Some(r) = c.repeat_after {
                    println!(
                        "{}: may reach a resident again after {} (repeat_after; the default is {})",
                        c.slug,
                        crate::domain::sending::describe(r),
                        crate::domain::sending::describe(rules.repeat_window)
                    );
                }
                if c.urgent {
                    println!(
                        "{}: urgent: not held by quiet hours nor the weekly limit",
                        c.slug
                    );
                }
            }
            let warnings = crate::calendar::forecast::warnings(
                &cal,
                Utc::now(),
                config.calendar.max_fires_per_30_days,
                &rules,
            );
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            Ok(true)
        }
        Err(diags) => {
            for d in &diags.0 {
                eprintln!("{d}");
            }
            eprintln!(
                "error: {} problem(s) in {}; nothing was loaded",
                diags.len(),
                config.calendar.dir.display()
            );
            Ok(false)
        }
    }
}
