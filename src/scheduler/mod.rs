//! Turning due fires into runs: each (campaign, fire time) once, however many ticks, restarts
//! or processes see it; late fires within grace go out late, older ones are recorded as skipped.

use crate::calendar::{Calendar, SharedCalendar};
use crate::channels::webhook::Endpoint;
use crate::domain::SendingRules;
use crate::domain::survey;
use crate::domain::{Campaign, Schedule};
use crate::store::{NewRun, SqlStore, StoreError, Trigger, from_ms, ms};

mod send;
use chrono::{DateTime, Duration, Utc};
pub use send::{RECENT_DAYS, SendNowError, SendPlan, SendRequest};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How far back a tick looks for fires it has not recorded.
const LOOKBACK_DAYS: i64 = 7;
/// Sign-ups not confirmed within this many days are deleted (the link lasts 7).
pub const UNCONFIRMED_DAYS: i64 = 30;
/// At most this many fires of one campaign are recorded per tick.
const MAX_FIRES_PER_TICK: usize = 500;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub created: Vec<i64>,
    pub skipped: usize,
    pub queued: usize,
    pub digests: u64,
}

pub struct Scheduler {
    pub store: Arc<SqlStore>,
    pub calendar: SharedCalendar,
    /// Bumped whenever a run publishes to feeds, so feed caches refresh at once.
    pub published: Arc<AtomicU64>,
    pub webhooks: Vec<Endpoint>,
    pub fan_out_batch: i64,
    /// When weekly digests are gathered; `None` turns them off.
    pub digest: Option<Schedule>,
    /// The repeat window, weekly cap and quiet hours every run is fanned out under.
    pub rules: SendingRules,
    /// Woken each time a fan-out batch is committed, so idle workers in this process claim it
    /// at once instead of at their next poll: an urgent alert's first messages go out while
    /// the rest of its audience is still being queued.
    pub queued: Arc<tokio::sync::Notify>,
}

/// The last digest period gathered, as milliseconds since the epoch.
const DIGEST_PERIOD: &str = "digest_last_period";

impl Scheduler {
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.get()
    }

    fn new_run(
        &self,
        c: &Campaign,
        fire_at: DateTime<Utc>,
        trigger: Trigger,
        areas: Vec<String>,
    ) -> NewRun {
        let webhooks = self
            .webhooks
            .iter()
            .filter(|h| h.takes(c.priority.slug()))
            .map(|h| h.name.clone())
            .collect();
        NewRun::of(
            c,
            fire_at,
            trigger,
            areas,
            webhooks,
            self.rules.repeat_window,
        )
    }

    /// One step: record every fire due by `now`, then fan out every run not yet fanned out.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, StoreError> {
        let cal = self.calendar();
        let mut report = TickReport::default();
        let stored = self.store.campaigns().await?;
        for c in &cal.campaigns {
            let paused = stored.iter().any(|s| s.slug == c.slug && s.paused);
            let grace = Duration::from_std(c.grace).unwrap_or(Duration::hours(6));
            let last_fire = self.store.last_fire(&c.slug).await?;
            let created = self.store.campaign_created_at(&c.slug).await?;
            let mut lower = now - Duration::days(LOOKBACK_DAYS);
            for known in [last_fire, created].into_iter().flatten() {
                lower = lower.max(known);
            }
            // A file written just after its send time still goes out, once: the latest fire
            // before the campaign was known, if within its grace and nothing fired since.
            let just_missed = match (last_fire, created) {
                (None, Some(created)) => c.fires_between(created - grace, created).last(),
                _ => None,
            };
            let fires = just_missed
                .into_iter()
                .chain(c.fires_between(lower, now))
                .take(MAX_FIRES_PER_TICK);
            for fire in fires {
                let areas = cal
                    .areas
                    .expand(&c.areas)
                    .iter()
                    .map(|a| a.slug.clone())
                    .collect();
                let mut run = self.new_run(c, fire, Trigger::Schedule, areas);
                if paused {
                    run.skip_reason = Some("the campaign was paused".into());
                } else if now - fire > grace {
                    run.skip_reason = Some(format!(
                        "missed by {} minutes, more than its grace of {} minutes; not sent late",
                        (now - fire).num_minutes(),
                        grace.num_minutes()
                    ));
                }
                if let Some(id) = self.store.create_run(&run, now).await? {
                    match &run.skip_reason {
                        Some(reason) => {
                            metrics::counter!("beacon_scheduler_fires_total", "result" => "skipped").increment(1);
                            tracing::warn!(campaign = %c.slug, run_id = id, fire = %fire, reason, "fire skipped");
                            report.skipped += 1;
                        }
                        None => {
                            metrics::counter!("beacon_scheduler_fires_total", "result" => "created").increment(1);
                            metrics::histogram!("beacon_scheduler_lag_seconds")
                                .record((now - fire).num_milliseconds().max(0) as f64 / 1000.0);
                            tracing::info!(campaign = %c.slug, run_id = id, fire = %fire, late_secs = (now - fire).num_seconds(), "run created");
                            self.published.fetch_add(1, Ordering::Relaxed);
                            report.created.push(id);
                        }
                    }
                }
            }
        }
        report.queued = self.finish_fan_outs(now).await?;
        self.store.settle_runs(now).await?;
        report.digests = self.gather_digests(now).await?;
        let purged = self
            .store
            .purge_unconfirmed(now - Duration::days(UNCONFIRMED_DAYS), now)
            .await?;
        if purged > 0 {
            tracing::info!(purged, "details of sign-ups never confirmed deleted");
        }
        let (receipts, comments) = self
            .store
            .purge_answers(
                now - Duration::days(survey::RECEIPT_DAYS),
                now - Duration::days(survey::COMMENT_DAYS),
            )
            .await?;
        if receipts + comments > 0 {
            tracing::info!(
                receipts,
                comments,
                "old answer receipts and comments deleted"
            );
        }
        Ok(report)
    }

    /// Queues weekly digests once per scheduled period. A first start only sets the clock: it
    /// never sends digests for periods from before the service ran.
    pub async fn gather_digests(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let Some(schedule) = &self.digest else {
            return Ok(0);
        };
        let last = self
            .store
            .setting(DIGEST_PERIOD)
            .await?
            .and_then(|v| v.parse::<i64>().ok());
        let Some(last) = last else {
            self.store
                .set_setting(DIGEST_PERIOD, &ms(now).to_string())
                .await?;
            return Ok(0);
        };
        let Some(period) = schedule
            .fires_after(from_ms(last))
            .take_while(|f| *f <= now)
            .last()
        else {
            return Ok(0);
        };
        let queued = self.store.gather_digests(period, now).await?;
        self.store
            .set_setting(DIGEST_PERIOD, &ms(period).to_string())
            .await?;
        tracing::info!(period = %period, queued, "weekly digests gathered");
        Ok(queued)
    }

    /// Fans out every run that is not fully in the outbox yet (including ones a crashed process
    /// left half-way), batch by batch from each run's checkpoint.
    pub async fn finish_fan_outs(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut total = 0;
        for run_id in self.store.unfinished_fan_outs().await? {
            loop {
                let n = self
                    .store
                    .fan_out_batch(run_id, self.fan_out_batch, &self.rules, now)
                    .await?;
                total += n;
                if n == 0 {
                    break;
                }
                self.queued.notify_waiters();
            }
            tracing::info!(run_id, "run queued");
        }
        Ok(total)
    }

    /// When to tick next: the earliest next fire, but at least every `max_wait`.
    pub fn next_wake(&self, now: DateTime<Utc>, max_wait: Duration) -> DateTime<Utc> {
        let cal = self.calendar();
        cal.campaigns
            .iter()
            .map(|c| &c.schedule)
            .chain(self.digest.as_ref())
            .filter_map(|s| s.next_after(now))
            .min()
            .map_or(now + max_wait, |t| t.min(now + max_wait))
    }
}
