//! `beacon outbox`: queue depth by status and channel; and draining it for `send`.

use super::Format;
use crate::app::Services;
use chrono::Utc;
use std::io::IsTerminal;

pub async fn show(s: &Services, format: Format) -> anyhow::Result<bool> {
    let stats = s.store.stats(Utc::now()).await?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
        Format::Table => {
            if stats.depth.is_empty() {
                println!("the outbox is empty");
            }
            for d in &stats.depth {
                println!("{:<10} {:<8} {:>9}", d.status, d.channel, d.count);
            }
            match stats.oldest_pending_secs {
                Some(secs) => println!("oldest waiting message: {secs} s"),
                None => println!("nothing pending"),
            }
        }
    }
    Ok(true)
}

/// Runs workers until nothing is due; messages waiting for a retry later are left queued.
pub async fn drain(s: &Services) -> anyhow::Result<()> {
    let worker = std::sync::Arc::new(s.worker().await?);
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} sent {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    });
    let lanes = s.config.delivery.workers.max(1) as usize;
    let mut total = crate::delivery::WorkerReport::default();
    loop {
        let steps = (0..lanes).map(|_| {
            let w = worker.clone();
            async move { w.run_once(Utc::now()).await }
        });
        let mut claimed = 0;
        for r in futures::future::join_all(steps).await {
            let r = r?;
            claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.failed += r.failed;
            total.cancelled += r.cancelled;
        }
        if let Some(b) = &bar {
            b.set_position(total.sent as u64);
            b.set_message(format!(
                "{} retrying, {} failed",
                total.retried, total.failed
            ));
        }
        if claimed == 0 {
            break;
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    println!(
        "delivered {} message(s); {} to retry later, {} failed, {} no longer wanted",
        total.sent, total.retried, total.failed, total.cancelled
    );
    Ok(())
}
