//! `beacon subscribers import` and `beacon demo`: residents in bulk, with a progress bar on a
//! terminal and a summary line always.

use super::progress;
use crate::app::Services;
use anyhow::Context;
use chrono::Utc;
use std::path::Path;

pub async fn import(s: &Services, file: &Path, source: &str) -> anyhow::Result<bool> {
    let input =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let label = file.display().to_string();
    let cal = s.calendar.get();
    let bar = progress::spinner("{spinner} {human_pos} residents read [{elapsed}]");
    let r = crate::bulk::import_with_progress(
        s.store.as_ref(),
        &cal.areas,
        std::io::BufReader::new(input),
        &label,
        source,
        |line, why| bar.suspend(|| eprintln!("{label}:{line}: skipped: {why}")),
        &bar,
    )
    .await?;
    s.store
        .audit(
            None,
            &super::actor::actor(),
            "subscribers.import",
            Some(&format!("{label} as {source}: {} added", r.added)),
            None,
            Utc::now(),
        )
        .await?;
    println!(
        "imported {} new, {} already known, {} invalid row(s) skipped",
        r.added, r.unchanged, r.invalid
    );
    Ok(true)
}

pub async fn demo(s: &Services, subscribers: usize, months: u32) -> anyhow::Result<bool> {
    let cal = s.calendar.get();
    let now = Utc::now();
    let bar = progress::bar("residents");
    let r = crate::bulk::demo(s.store.as_ref(), &cal.areas, subscribers, months, now, &bar).await?;
    let mut sent = crate::bulk::DemoHistory::default();
    if months > 0 {
        let rules = s
            .config
            .delivery
            .sending_rules()
            .map_err(|m| anyhow::anyhow!("invalid configuration: {m}"))?;
        let bar = progress::bar("past sends");
        sent = crate::bulk::demo_history(
            s.store.as_ref(),
            &cal.areas,
            &cal.campaigns,
            months,
            now,
            rules.repeat_window,
            &bar,
        )
        .await?;
    }
    let detail = format!("{} demo residents added", r.added);
    super::actor::audit(s, "demo", Some(&detail)).await?;
    let n = |v: usize| crate::domain::numbers::thousands(i64::try_from(v).unwrap_or(i64::MAX));
    println!(
        "added {} demo residents ({} already there) and {} past send(s) over {months} month(s), {} message(s) delivered",
        n(r.added),
        n(r.unchanged),
        n(sent.runs),
        crate::domain::numbers::thousands(sent.delivered)
    );
    Ok(true)
}
