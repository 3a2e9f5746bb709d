//! One worker: `run_once` claims a batch, sends it with bounded concurrency, records outcomes.

use super::Context;
use crate::channels::SendError;
use crate::channels::email::{Mailer, Outgoing};
use crate::channels::webhook::WebhookClient;
use crate::domain::token::Purpose;
use crate::store::{Claimed, Failure, Recipient, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WorkerReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Put back untried because a rate limit was reached.
    pub deferred: usize,
}

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
    async fn take(&self, channel: &str) -> Result<(), std::time::Duration> {
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

pub struct Worker {
    pub store: Arc<dyn Store>,
    pub ctx: Arc<Context>,
    pub mailer: Arc<Mailer>,
    pub hooks: WebhookClient,
    pub limits: Arc<Limits>,
    pub batch: i64,
    pub concurrency: usize,
    pub lease: Duration,
    pub retry_for: Duration,
}

enum Outcome {
    Sent,
    Cancel,
    /// Not tried: the channel's rate limit is full for this long.
    Defer(std::time::Duration),
    Failed(SendError),
}

impl Worker {
    /// One step: release dead leases, claim a batch, send it, record what happened.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<WorkerReport, StoreError> {
        self.store.release_expired(now).await?;
        let rows = self
            .store
            .claim(&["email", "webhook"], self.batch, now, now + self.lease)
            .await?;
        let mut report = WorkerReport {
            claimed: rows.len(),
            ..Default::default()
        };
        if rows.is_empty() {
            // Nothing due: runs whose last message went out become `sent` (the scheduler's tick
            // does it too, so a queue that never empties still settles).
            self.store.settle_runs(now).await?;
            return Ok(report);
        }
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.subscriber_id).collect();
        let recipients = self.store.recipients(&ids).await?;
        // Owned items: a stream of borrowed rows trips the compiler's higher-ranked lifetime
        // check once the future is spawned.
        let recipients = Arc::new(recipients);
        let outcomes: Vec<(usize, Outcome)> =
            futures::stream::iter(rows.iter().cloned().enumerate())
                .map(|(i, row)| {
                    let recipients = recipients.clone();
                    async move { (i, self.deliver(&row, &recipients).await) }
                })
                .buffer_unordered(self.concurrency.max(1))
                .collect()
                .await;

        let mut sent: Vec<&Claimed> = Vec::new();
        let mut cancelled: Vec<i64> = Vec::new();
        let mut deferred: Vec<i64> = Vec::new();
        let mut defer_for = std::time::Duration::ZERO;
        let done = Utc::now();
        for (i, outcome) in outcomes {
            let row = &rows[i];
            match outcome {
                Outcome::Sent => sent.push(row),
                Outcome::Cancel => cancelled.push(row.outbox_id),
                Outcome::Defer(wait) => {
                    deferred.push(row.outbox_id);
                    defer_for = defer_for.max(wait);
                }
                Outcome::Failed(e) => {
                    let failure = match &e {
                        SendError::Transient(_) => {
                            match super::retry_at(
                                row.created_at,
                                row.attempts,
                                done,
                                self.retry_for,
                                rand::random(),
                            ) {
                                Some(at) => Failure::Retry(at),
                                None => Failure::Permanent,
                            }
                        }
                        SendError::Permanent(_) => Failure::Permanent,
                        SendError::Bounce(_) => Failure::Bounce,
                    };
                    tracing::warn!(outbox_id = row.outbox_id, attempt = row.attempts, channel = %row.channel, error = %e, ?failure, "send failed");
                    if matches!(failure, Failure::Retry(_)) {
                        report.retried += 1;
                    } else {
                        report.failed += 1;
                    }
                    self.store
                        .mark_failed(row, failure, &e.to_string(), done)
                        .await?;
                }
            }
        }
        report.sent = sent.len();
        report.cancelled = cancelled.len();
        report.deferred = deferred.len();
        if !deferred.is_empty() {
            let until = done + Duration::from_std(defer_for).unwrap_or(Duration::hours(1));
            tracing::info!(rows = deferred.len(), until = %until, "rate limit reached; rows wait");
            self.store.defer(&deferred, until, done).await?;
        }
        self.store.mark_sent(&sent, done).await?;
        self.store
            .mark_cancelled(&cancelled, "recipient no longer subscribed", done)
            .await?;
        tracing::debug!(?report, "worker step");
        Ok(report)
    }

    async fn deliver(&self, row: &Claimed, recipients: &HashMap<i64, Recipient>) -> Outcome {
        if let Err(wait) = self.limits.take(&row.channel).await {
            return Outcome::Defer(wait);
        }
        let result = match row.channel.as_str() {
            "webhook" => self.webhook(row).await,
            _ => match self.email(row, recipients).await {
                Ok(Some(msg)) => self.mailer.send(msg).await,
                Ok(None) => return Outcome::Cancel,
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(()) => Outcome::Sent,
            Err(e) => Outcome::Failed(e),
        }
    }

    /// The message for an e-mail row, or `None` if it must not be sent any more.
    async fn email(
        &self,
        row: &Claimed,
        recipients: &HashMap<i64, Recipient>,
    ) -> Result<Option<lettre::Message>, SendError> {
        let recipient = row.subscriber_id.and_then(|id| recipients.get(&id));
        if row.kind == "campaign" {
            let Some(r) = recipient.filter(|r| r.status == "confirmed") else {
                return Ok(None);
            };
            let Some(email) = r.email.as_deref() else {
                return Ok(None);
            };
            let run_id = row
                .run_id
                .ok_or_else(|| SendError::Permanent("campaign row without a run".into()))?;
            let run = self
                .ctx
                .run(self.store.as_ref(), run_id)
                .await
                .map_err(|e| SendError::Transient(e.to_string()))?;
            let template = self
                .ctx
                .template(&run, row.area_id)
                .map_err(|e| SendError::Permanent(e.to_string()))?;
            let unsubscribe = self.ctx.link(
                "unsubscribe",
                Purpose::Unsubscribe,
                r.subscriber_id,
                r.token_version,
            );
            let manage = self
                .ctx
                .link("manage", Purpose::Manage, r.subscriber_id, r.token_version);
            let body = template.personalise(&manage, &unsubscribe);
            return self
                .mailer
                .build(&Outgoing {
                    to: email,
                    subject: &run.subject,
                    text: body.text,
                    html: Some(body.html),
                    list_id: Some(&self.ctx.list_id),
                    unsubscribe_url: Some(&unsubscribe),
                })
                .map(Some);
        }
        if matches!(
            row.kind.as_str(),
            "confirm" | "already" | "links" | "digest"
        ) {
            let Some(r) = recipient else {
                return Ok(None);
            };
            return self.resident_mail(row, r).await;
        }
        // Other transactional mail (tests from the console): the payload carries the message.
        let payload: serde_json::Value = row
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| SendError::Permanent("message without a payload".into()))?;
        let field = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let to = match (field("to"), recipient) {
            (Some(to), _) => to,
            (None, Some(r)) if r.status != "erased" => match &r.email {
                Some(e) => e.clone(),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let subject = field("subject").unwrap_or_default();
        self.mailer
            .build(&Outgoing {
                to: &to,
                subject: &subject,
                text: field("text").unwrap_or_default(),
                html: field("html"),
                list_id: None,
                unsubscribe_url: None,
            })
            .map(Some)
    }

    async fn webhook(&self, row: &Claimed) -> Result<(), SendError> {
        let name = row.target.as_deref().unwrap_or("");
        let hook = self
            .ctx
            .webhooks
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| {
                SendError::Permanent(format!("webhook `{name}` is no longer configured"))
            })?;
        let run_id = row
            .run_id
            .ok_or_else(|| SendError::Permanent("webhook row without a run".into()))?;
        let run = self
            .ctx
            .run(self.store.as_ref(), run_id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let areas: Vec<serde_json::Value> = run
            .areas
            .iter()
            .filter_map(|s| self.ctx.areas.get(s))
            .map(|a| serde_json::json!({ "slug": a.slug, "name": a.name, "district": a.district, "postcodes": a.postcodes }))
            .collect();
        let body = serde_json::json!({
            "type": "campaign.published",
            "timestamp": Utc::now().to_rfc3339(),
            "data": {
                "message_id": run.run_id,
                "campaign": run.campaign_slug,
                "title": run.title,
                "subject": run.subject,
                "summary": run.summary,
                "body_markdown": run.body,
                "body_html": crate::render::markdown::to_html(&run.body),
                "priority": run.priority,
                "lead": run.lead,
                "sent_at": run.fire_at.to_rfc3339(),
                "areas": areas,
                "url": format!("{}/messages/{}", self.ctx.base_url, self.ctx.signer.archive_id(run.run_id)),
                "cap_url": format!("{}/alerts/{}/cap.xml", self.ctx.base_url, run.run_id),
            }
        });
        // The id stays the same across retries so partners can de-duplicate.
        let msg_id = format!("msg_{}", row.outbox_id);
        self.hooks
            .post(
                &hook.url,
                hook.secret.expose(),
                &msg_id,
                Utc::now().timestamp(),
                body.to_string(),
            )
            .await
    }
}
