//! `beacon send`: a run now, by the scheduler's own path, then deliver until the queue is empty.

use crate::app::Services;
use crate::domain::Channel;
use anyhow::{Context, bail};
use chrono::Utc;

pub async fn run(
    s: &Services,
    slug: &str,
    areas: &[String],
    dry_run: bool,
    wait: bool,
) -> anyhow::Result<bool> {
    let cal = s.calendar.get();
    let Some(c) = cal.campaign(slug) else {
        bail!("no campaign called `{slug}`; `beacon calendar` lists them");
    };
    if dry_run {
        let mut chosen: Vec<String> = cal
            .areas
            .expand(&c.areas)
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        if !areas.is_empty() {
            chosen.retain(|a| {
                areas
                    .iter()
                    .any(|x| x == a || cal.areas.get(a).is_some_and(|ar| ar.district.slug() == x))
            });
        }
        println!(
            "dry run: `{slug}` would reach {} area(s); nothing is changed",
            chosen.len()
        );
        for ch in &c.channels {
            match ch {
                Channel::Email => {
                    let counts = s.store.audience_by_area(c.priority.slug(), &chosen).await?;
                    for (area, n) in &counts {
                        println!("email    {area:<28} {n:>8} recipient(s)");
                    }
                    println!("email    (a resident in several areas gets one message)");
                }
                Channel::Feed => println!("feed     {} area feed(s) and `all`", chosen.len()),
                Channel::Webhook => println!(
                    "webhook  {} endpoint(s) × {} area(s)",
                    s.config.webhooks.len(),
                    chosen.len()
                ),
            }
        }
        return Ok(true);
    }
    let run_id = s
        .scheduler
        .send_now(slug, areas, Utc::now(), None)
        .await
        .with_context(|| format!("cannot send `{slug}`"))?;
    let Some(run_id) = run_id else {
        bail!("`{slug}` already has a run at this instant; try again");
    };
    println!("run {run_id} of `{slug}` is queued");
    if wait {
        // The run and its messages are committed: whatever fails now, they are not lost, and
        // sending the campaign again would not be the way to finish them.
        super::outbox_cmd::drain(s).await.with_context(|| {
            format!(
                "run {run_id} of `{slug}` exists and its messages are safely queued, but delivering them \
                 failed here; `beacon serve` (or `beacon outbox` to see why) will complete it. \
                 Do not send it again"
            )
        })?;
    }
    Ok(true)
}
