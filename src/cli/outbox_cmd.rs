//! `beacon outbox`: each channel's state and queue depth; resuming a paused channel; lifting a
//! suppression; and draining the outbox for `send`.

use super::Format;
use crate::app::Services;
use anyhow::Context;
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub async fn show(s: &Services, format: Format) -> anyhow::Result<bool> {
    s.store.settle_runs(Utc::now()).await?;
    let stats = s.store.stats(Utc::now()).await?;
    let runs = s.store.recent_runs(10).await?;
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(&stats)?;
            v["runs"] = serde_json::to_value(&runs)?;
            println!("{}", serde_json::to_string_pretty(&v)?)
        }
        Format::Table => {
            print_channels(&stats.channels);
            if stats.depth.is_empty() {
                println!("the outbox is empty");
            }
            if !stats.depth.is_empty() {
                let mut t = super::human::table(&["status", "channel", "messages"]);
                for d in &stats.depth {
                    t.add_row([
                        d.status.to_string(),
                        d.channel.to_string(),
                        crate::domain::numbers::thousands(d.count),
                    ]);
                }
                println!("{}", super::human::show(&t));
            }
            match stats.oldest_pending_secs {
                Some(secs) => println!("oldest waiting message: {secs} s"),
                None => println!("nothing pending"),
            }
            if !runs.is_empty() {
                println!("recent runs:");
            }
            for r in &runs {
                println!(
                    "{:>6} {:<28} {:<19} {:>7} delivered {:>6} waiting {:>5} failed {:>6} left out {:>6} in round-up",
                    r.run_id,
                    r.campaign,
                    r.state,
                    r.delivered,
                    r.queued,
                    r.failed,
                    r.skipped_repeat,
                    r.folded
                );
            }
        }
    }
    Ok(true)
}

fn print_channels(channels: &[crate::store::ChannelReport]) {
    if channels.is_empty() {
        return;
    }
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>12}  state",
        "channel", "pending", "retrying", "sending", "failed today"
    );
    for c in channels {
        let state = match &c.paused {
            Some(p) => format!(
                "PAUSED by the circuit breaker since {}: {} (resume: beacon outbox --resume {})",
                super::human::when(p.paused_at),
                p.reason,
                c.channel
            ),
            None => "running".into(),
        };
        println!(
            "{:<8} {:>9} {:>9} {:>9} {:>12}  {state}",
            c.channel, c.pending, c.retrying, c.sending, c.failed_today
        );
        if let Some(at) = c.next_attempt_at {
            println!("         next retry {}", super::human::when(at));
        }
        if let Some(e) = &c.last_error {
            println!(
                "         last error: {}",
                crate::web::admin::mask_addresses(e)
            );
        }
    }
    println!();
}

/// `beacon outbox --resume CHANNEL`.
pub async fn resume(s: &Services, channel: &str) -> anyhow::Result<bool> {
    if s.store.resume_channel(channel, Utc::now()).await? {
        s.store
            .audit(
                None,
                &crate::cli::actor::actor(),
                "channel.resume",
                Some(channel),
                None,
                Utc::now(),
            )
            .await?;
        println!("{channel} resumed; queued messages go out at the next worker step");
        Ok(true)
    } else {
        println!("{channel} is not paused");
        Ok(false)
    }
}

/// `beacon subscribers unsuppress EMAIL`.
pub async fn unsuppress(s: &Services, email: &str) -> anyhow::Result<bool> {
    let email = match crate::domain::Email::parse(email) {
        Ok(e) => e,
        Err(e) => anyhow::bail!("`{email}` is not an e-mail address: {e}"),
    };
    match s.store.unsuppress(email.as_str(), Utc::now()).await? {
        Some(u) => {
            let why = u.reason.unwrap_or_else(|| "no reply recorded".into());
            s.store
                .audit(
                    None,
                    &crate::cli::actor::actor(),
                    "subscriber.unsuppress",
                    Some(&format!("subscriber {} (was: {why})", u.subscriber_id)),
                    None,
                    Utc::now(),
                )
                .await?;
            println!("suppression lifted; it had been caused by: {why}");
            Ok(true)
        }
        None => {
            println!("that address is not suppressed");
            Ok(false)
        }
    }
}

/// Runs workers until nothing is due (messages waiting for a retry later are left queued) and
/// `fanned_out` is set: while a fan-out is still queueing, an idle lane waits for its next
/// committed batch instead of stopping.
pub async fn drain_while_queueing(s: &Services, fanned_out: Arc<AtomicBool>) -> anyhow::Result<()> {
    let queued = s.scheduler.queued.clone();
    let worker = std::sync::Arc::new(s.worker().await?);
    let bar = super::progress::spinner("{spinner} {human_pos} sent {msg} [{elapsed}]");
    let lanes = s.config.delivery.workers.max(1) as usize;
    // Each lane claims its next batch as soon as its last one is done, so the SMTP connections
    // never all wait on one slow message or on the other lane's database step.
    let total = std::sync::Arc::new(std::sync::Mutex::new(
        crate::delivery::WorkerReport::default(),
    ));
    let steps = (0..lanes).map(|_| {
        let w = worker.clone();
        let total = total.clone();
        let bar = bar.clone();
        let queued = queued.clone();
        let fanned_out = fanned_out.clone();
        // Spawned, so the lanes (each building and sending its messages) run on separate
        // threads of the runtime rather than all inside this one future.
        tokio::spawn(async move {
            loop {
                // Read before the claim: once set, an empty claim means nothing more will come.
                let finished = fanned_out.load(Ordering::Acquire);
                let next_batch = queued.notified();
                tokio::pin!(next_batch);
                next_batch.as_mut().enable();
                let r = w.run_once(Utc::now()).await?;
                if let Ok(mut t) = total.lock() {
                    t.sent += r.sent;
                    t.retried += r.retried;
                    t.failed += r.failed;
                    t.cancelled += r.cancelled;
                    t.deferred += r.deferred;
                    bar.set_position(t.sent as u64);
                    bar.set_message(format!("{} retrying, {} failed", t.retried, t.failed));
                }
                if r.claimed == 0 {
                    if finished {
                        return Ok::<(), crate::store::StoreError>(());
                    }
                    // The fan-out's end is not announced: look again after a short while.
                    let _ = tokio::time::timeout(Duration::from_millis(100), next_batch).await;
                }
            }
        })
    });
    for r in futures::future::join_all(steps).await {
        r.context("a delivery lane stopped unexpectedly")??;
    }
    let total = total.lock().map(|t| *t).unwrap_or_default();
    bar.finish_and_clear();
    println!(
        "delivered {} message(s); {} to retry later, {} failed, {} no longer wanted, {} held by the rate limit",
        total.sent, total.retried, total.failed, total.cancelled, total.deferred
    );
    Ok(())
}
