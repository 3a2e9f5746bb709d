//! `beacon check`: validate the calendar like a compiler would.

use crate::config::Config;

pub fn run(config: &Config) -> anyhow::Result<bool> {
    match crate::calendar::load(&config.calendar.dir) {
        Ok(cal) => {
            println!(
                "ok: {} campaigns and {} areas in {}",
                cal.campaigns.len(),
                cal.areas.len(),
                config.calendar.dir.display()
            );
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
