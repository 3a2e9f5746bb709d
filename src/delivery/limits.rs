//! Per-channel sending rates (per second, per hour), shared by every worker of a process.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;

/// Per-channel limits, shared by every worker of the process.
#[derive(Default)]
pub struct Limits {
    per_channel: HashMap<&'static str, Vec<DefaultDirectRateLimiter>>,
    /// Made once: building governor's clock calibrates it, too dear to do per message.
    clock: governor::clock::DefaultClock,
}

impl Limits {
    pub fn new(per_second: u32, per_hour: u32) -> Self {
        let mut per_channel = HashMap::new();
        for ch in ["email", "webhook"] {
            let mut v = Vec::new();
            if let Some(n) = NonZeroU32::new(per_second) {
                v.push(RateLimiter::direct(Quota::per_second(n)));
            }
            if let Some(n) = NonZeroU32::new(per_hour) {
                v.push(RateLimiter::direct(Quota::per_hour(n)));
            }
            per_channel.insert(ch, v);
        }
        Limits {
            per_channel,
            clock: governor::clock::DefaultClock::default(),
        }
    }

    /// Waits out a short gap (the per-second limit); `Err(wait)` when the window is full for
    /// longer, so the row goes back to the queue instead of outliving its lease here.
    pub(super) async fn take(&self, channel: &str) -> Result<(), std::time::Duration> {
        const SHORT: std::time::Duration = std::time::Duration::from_secs(2);
        let Some(v) = self.per_channel.get(channel).filter(|v| !v.is_empty()) else {
            return Ok(());
        };
        for l in v {
            loop {
                match l.check() {
                    Ok(()) => break,
                    Err(not_until) => {
                        let wait =
                            not_until.wait_time_from(governor::clock::Clock::now(&self.clock));
                        if wait > SHORT {
                            return Err(wait);
                        }
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        Ok(())
    }
}
