//! One worker step: `run_once` claims rows for this process's session, sends them with bounded
//! concurrency, and records each outcome as the server gives it, while a heartbeat keeps the
//! rows' leases alive. At most `window` messages are ever sent but not yet recorded, so a
//! crash repeats at most that many.

use super::Context;
use super::breaker::Attempt;
use super::lease::{Hold, heartbeat};
use super::limits::Limits;
use super::recorder::{Done, Outcome};
use super::report::{Tally, WorkerReport, tally};
use super::state::{Reliability, WorkerState};
use crate::channels::SendError;
use crate::channels::email::Mailer;
use crate::channels::smtp_reply::{reply_key, throttle_in_text};
use crate::channels::webhook::WebhookClient;
use crate::domain::OutboxChannel;
use crate::store::{Claimed, Failure, Recipient, SqlStore, StoreError};
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

const CHANNELS: [&str; 2] = ["email", "webhook"];

pub struct Worker {
    pub store: Arc<SqlStore>,
    pub ctx: Arc<Context>,
    pub mailer: Arc<Mailer>,
    pub hooks: WebhookClient,
    pub limits: Arc<Limits>,
    /// The most rows one step claims; fewer when the observed rate could not finish them
    /// well inside the lease.
    pub batch: i64,
    pub concurrency: usize,
    pub lease: Duration,
    pub retry_for: Duration,
    pub reliability: Reliability,
    pub state: Arc<WorkerState>,
}

impl Worker {
    /// One step at `now`: take back dead sessions' rows, claim, send, record as answers come.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<WorkerReport, StoreError> {
        let me = self.session(now).await?;
        let started = std::time::Instant::now();
        let clock = move || now + Duration::from_std(started.elapsed()).unwrap_or_default();
        self.beat_if_due(me, now).await?;
        self.store
            .release_abandoned(
                me,
                &self.state.in_hand(),
                now,
                now - self.reliability.dead_after,
            )
            .await?;
        let rows = self.claim(me, now).await?;
        let _in_hand = self
            .state
            .take_in_hand(rows.iter().map(|(r, _)| r.outbox_id).collect());
        let mut report = WorkerReport {
            claimed: rows.len(),
            ..Default::default()
        };
        if rows.is_empty() {
            self.state.errors.summarise(false);
            // Nothing due: runs whose last message went out become `sent` (the scheduler's tick
            // does it too, so a queue that never empties still settles).
            self.store.settle_runs(now).await?;
            return Ok(report);
        }
        let probes: HashSet<i64> = rows
            .iter()
            .filter(|(_, p)| *p)
            .map(|(r, _)| r.outbox_id)
            .collect();
        let ids: Vec<i64> = rows.iter().filter_map(|(r, _)| r.subscriber_id).collect();
        let recipients = match self.store.recipients(&ids).await {
            Ok(r) => Arc::new(r),
            Err(e) => {
                // Nothing was sent: hand the rows back now rather than after their lease.
                let back: Vec<i64> = rows.iter().map(|(r, _)| r.outbox_id).collect();
                let _ = self.store.give_back(me, &back, now, now).await;
                return Err(e);
            }
        };
        let span = self.lease.min(self.reliability.dead_after);
        let hold = Hold::new(rows.iter().map(|(r, _)| r.outbox_id), now, span);

        let (tx, rx) = mpsc::unbounded_channel::<Done>();
        let (done_tx, done_rx) = watch::channel(false);
        let sending = async {
            let tx = tx;
            // Owned items: a stream of borrowed rows trips the compiler's higher-ranked
            // lifetime check once the future is spawned.
            futures::stream::iter(rows)
                .map(|(row, _)| {
                    let (tx, recipients, hold, probes) =
                        (tx.clone(), recipients.clone(), &hold, &probes);
                    async move {
                        let probe = probes.contains(&row.outbox_id);
                        let done = self.attempt(row, &recipients, hold, probe, clock).await;
                        let tally = tally(&done.outcome);
                        super::report::count(done.row.channel.as_str(), &tally);
                        let _ = tx.send(done);
                        tally
                    }
                })
                .buffer_unordered(self.concurrency.max(1))
                .collect::<Vec<_>>()
                .await
        };
        let recording = async {
            self.record_all(me, rx).await;
            let _ = done_tx.send(true);
        };
        let beating = heartbeat(
            self.store.as_ref(),
            me,
            &hold,
            clock,
            self.lease,
            self.reliability.heartbeat,
            done_rx,
        );
        let (tallies, (), ()) = tokio::join!(sending, recording, beating);
        for t in tallies {
            match t {
                Tally::Sent => report.sent += 1,
                Tally::Cancelled => report.cancelled += 1,
                Tally::Deferred => report.deferred += 1,
                Tally::Retried => report.retried += 1,
                Tally::Failed => report.failed += 1,
            }
        }
        self.observe_rate(report.claimed - report.deferred, started.elapsed());
        self.state.errors.summarise(false);
        tracing::debug!(?report, "worker step");
        Ok(report)
    }

    async fn session(&self, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let id = self
            .state
            .session
            .get_or_try_init(|| async {
                let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
                let id = self
                    .store
                    .register_worker(&host, i64::from(std::process::id()), now)
                    .await?;
                tracing::info!(session = id, "delivery session started");
                Ok::<_, StoreError>(id)
            })
            .await?;
        Ok(*id)
    }

    /// Says this session lives, at most once per heartbeat period (a batch beats on its own).
    async fn beat_if_due(&self, me: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        let due = self.state.last_beat.lock().map_or(true, |last| {
            last.is_none_or(|l| {
                now < l
                    || now - l >= Duration::from_std(self.reliability.heartbeat).unwrap_or_default()
            })
        });
        if due {
            self.store.heartbeat(me, &[], now, now + self.lease).await?;
            if let Ok(mut l) = self.state.last_beat.lock() {
                *l = Some(now);
            }
        }
        Ok(())
    }

    /// Claims a batch on the running channels, plus one probe row per paused channel whose
    /// probe is due. The flag marks probes.
    async fn claim(&self, me: i64, now: DateTime<Utc>) -> Result<Vec<(Claimed, bool)>, StoreError> {
        let paused: HashSet<String> = self
            .store
            .paused_channels()
            .await?
            .into_iter()
            .map(|p| p.channel)
            .collect();
        for c in CHANNELS {
            self.state.set_paused(c, paused.contains(c));
        }
        let running: Vec<&str> = CHANNELS
            .into_iter()
            .filter(|c| !paused.contains(*c))
            .collect();
        let lease_until = now + self.lease;
        let mut rows: Vec<(Claimed, bool)> = if running.is_empty() {
            Vec::new()
        } else {
            self.store
                .claim_for(me, &running, self.claim_size(), now, lease_until)
                .await?
                .into_iter()
                .map(|r| (r, false))
                .collect()
        };
        for c in CHANNELS.into_iter().filter(|c| paused.contains(*c)) {
            if self
                .store
                .take_probe(c, now, now + self.reliability.probe_every)
                .await?
            {
                let probe = self.store.claim_for(me, &[c], 1, now, lease_until).await?;
                rows.extend(probe.into_iter().map(|r| (r, true)));
            }
        }
        Ok(rows)
    }

    /// The batch limit, or fewer: what the last observed rate finishes in a quarter lease.
    fn claim_size(&self) -> i64 {
        let rate = self.state.rate.lock().ok().and_then(|r| *r);
        let floor = self.concurrency.max(1) as i64;
        match rate {
            Some(per_sec) => {
                let fits = (per_sec * self.lease.num_seconds() as f64 / 4.0) as i64;
                fits.clamp(floor.min(self.batch), self.batch)
            }
            None => self.batch,
        }
    }

    fn observe_rate(&self, rows: usize, took: std::time::Duration) {
        if rows == 0 || took.as_secs_f64() < 0.001 {
            return;
        }
        if let Ok(mut r) = self.state.rate.lock() {
            *r = Some(rows as f64 / took.as_secs_f64());
        }
    }

    /// Sends one row, if it still may be sent, and judges the answer.
    async fn attempt(
        &self,
        row: Claimed,
        recipients: &HashMap<i64, Recipient>,
        hold: &Hold,
        probe: bool,
        clock: impl Fn() -> DateTime<Utc>,
    ) -> Done {
        let done = |row, outcome, permit| Done {
            row,
            outcome,
            at: clock(),
            _place: permit,
        };
        let channel = row.channel.as_str();
        if !probe && self.state.is_paused(channel) {
            return done(row, Outcome::GiveBack(clock()), None);
        }
        if let Some(until) = self.state.throttled_until(channel, clock()) {
            return done(row, Outcome::GiveBack(until), None);
        }
        if let Err(wait) = self.limits.take(channel).await {
            let until = clock() + Duration::from_std(wait).unwrap_or(Duration::hours(1));
            return done(row, Outcome::GiveBack(until), None);
        }
        let message = match row.channel {
            OutboxChannel::Webhook => None,
            // Never claimed (the digest job gathers them); one would go as the e-mail it is.
            OutboxChannel::Email | OutboxChannel::Digest => {
                match self.email(&row, recipients).await {
                    Ok(Some(m)) => Some(m),
                    Ok(None) => return done(row, Outcome::Cancel, None),
                    Err(e) => {
                        let outcome = self.judge(&row, e, probe, clock()).await;
                        return done(row, outcome, None);
                    }
                }
            }
        };
        // The place in the window is taken before the wire and given up once recorded.
        let permit = self.state.window.clone().acquire_owned().await.ok();
        if !hold.holds(row.outbox_id, clock()) {
            tracing::warn!(
                outbox_id = row.outbox_id,
                "lease could not be renewed; not sending, returning the row"
            );
            return done(row, Outcome::GiveBack(clock()), permit);
        }
        let on_the_wire = std::time::Instant::now();
        let result = match message {
            Some(m) => self.mailer.send(m).await,
            None => self.webhook(&row, clock()).await,
        };
        metrics::histogram!("beacon_send_duration_seconds", "channel" => channel)
            .record(on_the_wire.elapsed().as_secs_f64());
        let outcome = match result {
            Ok(()) => {
                self.state.went_through(channel);
                self.state.breaker.record(channel, Attempt::Ok);
                if probe {
                    self.probe_went_through(channel, clock()).await;
                }
                Outcome::Sent
            }
            Err(e) => self.judge(&row, e, probe, clock()).await,
        };
        done(row, outcome, permit)
    }

    async fn probe_went_through(&self, channel: &str, at: DateTime<Utc>) {
        self.state.breaker.reset(channel);
        self.state.set_paused(channel, false);
        match self.store.resume_channel(channel, at).await {
            Ok(_) => tracing::info!(channel, "probe went through; channel resumed"),
            Err(e) => {
                tracing::error!(channel, error = %e, "probe went through but the channel could not be resumed")
            }
        }
    }

    /// What a failure means for this row, the resident and the channel.
    async fn judge(&self, row: &Claimed, e: SendError, probe: bool, at: DateTime<Utc>) -> Outcome {
        let channel = row.channel.as_str();
        let next_probe = at + self.reliability.probe_every;
        if probe {
            tracing::warn!(channel, error = %e, "probe failed; channel stays paused");
            return Outcome::Failed {
                error: e,
                failure: Failure::Retry(next_probe),
            };
        }
        let key = format!("{channel} {}", reply_key(&e.to_string()));
        let attempt = match &e {
            SendError::Transient(text) => {
                if throttle_in_text(text) {
                    let until = self.state.throttle(channel, at);
                    tracing::warn!(channel, %until, "the server asks us to slow down; holding this channel");
                }
                Attempt::Transient { key: key.clone() }
            }
            SendError::Permanent(_) | SendError::Bounce(_) => {
                Attempt::Permanent { key: key.clone() }
            }
        };
        if let Some(reason) = self.state.breaker.record(channel, attempt) {
            tracing::error!(channel, %reason, "circuit breaker: channel paused; its messages stay queued until an editor resumes it or a probe goes through");
            self.state.set_paused(channel, true);
            if let Err(err) = self
                .store
                .pause_channel(channel, &reason, at, next_probe)
                .await
            {
                tracing::error!(channel, error = %err, "cannot record the pause");
            }
        }
        let failure = if self.state.is_paused(channel) {
            // Paused: nobody is judged, the row waits for the channel.
            Failure::Retry(next_probe)
        } else {
            match &e {
                SendError::Transient(_) => super::retry_at(
                    row.created_at,
                    row.attempts,
                    at,
                    self.retry_for,
                    rand::random(),
                )
                .map_or(Failure::Permanent, Failure::Retry),
                SendError::Permanent(_) => Failure::Permanent,
                SendError::Bounce(_) => Failure::Bounce,
            }
        };
        if self.state.errors.first(&key) {
            tracing::warn!(outbox_id = row.outbox_id, attempt = row.attempts, channel, error = %e, ?failure, "send failed (repeats of this failure are counted, not logged)");
        }
        Outcome::Failed { error: e, failure }
    }
}
