//! The message each outbox row carries, built at send time from what the database holds now.

use super::Worker;
use crate::auth::token::Purpose;
use crate::channels::SendError;
use crate::channels::email::Outgoing;
use crate::domain::{OutboxKind, SubscriberStatus};
use crate::render::webhook;
use crate::store::{Claimed, Recipient};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl Worker {
    /// The message for an e-mail row, or `None` if it must not be sent any more.
    pub(super) async fn email(
        &self,
        row: &Claimed,
        recipients: &HashMap<i64, Recipient>,
    ) -> Result<Option<lettre::Message>, SendError> {
        let recipient = row.subscriber_id.and_then(|id| recipients.get(&id));
        match row.kind {
            OutboxKind::Campaign => self.campaign_mail(row, recipient).await,
            OutboxKind::Confirm | OutboxKind::Already | OutboxKind::Links | OutboxKind::Digest => {
                match recipient {
                    Some(r) => self.resident_mail(row, r).await,
                    None => Ok(None),
                }
            }
            // Other transactional mail (tests from the console): the payload carries the message.
            OutboxKind::Test | OutboxKind::Webhook => self.payload_mail(row, recipient),
        }
    }

    /// A resident's copy of a campaign run, if they are still confirmed.
    async fn campaign_mail(
        &self,
        row: &Claimed,
        recipient: Option<&Recipient>,
    ) -> Result<Option<lettre::Message>, SendError> {
        {
            let Some(r) = recipient.filter(|r| r.status == SubscriberStatus::Confirmed) else {
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
                .template(self.store.as_ref(), &run, row.area_id)
                .await?;
            let unsubscribe = self.ctx.link(
                "unsubscribe",
                Purpose::Unsubscribe,
                r.subscriber_id,
                r.token_version,
            );
            let manage = self
                .ctx
                .link("manage", Purpose::Manage, r.subscriber_id, r.token_version);
            let answer = self.ctx.answer_token(
                run.run_id,
                run.survey_question.is_some(),
                row.area_id,
                r.subscriber_id,
                Utc::now(),
            );
            let body = template.personalise(&manage, &unsubscribe, &answer);
            self.mailer
                .build(&Outgoing {
                    to: email,
                    subject: &run.subject,
                    text: body.text,
                    html: Some(body.html),
                    list_id: Some(&self.ctx.list_id),
                    unsubscribe_url: Some(&unsubscribe),
                })
                .map(Some)
        }
    }

    /// A message whose payload carries it (a test send from the console).
    fn payload_mail(
        &self,
        row: &Claimed,
        recipient: Option<&Recipient>,
    ) -> Result<Option<lettre::Message>, SendError> {
        let payload: serde_json::Value = row
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| SendError::Permanent("message without a payload".into()))?;
        let field = |k: &str| payload.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let to = match (field("to"), recipient) {
            (Some(to), _) => to,
            (None, Some(r)) if r.status != SubscriberStatus::Erased => match &r.email {
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

    /// `now` is the step's clock: it stamps the body and the signature.
    pub(super) async fn webhook(&self, row: &Claimed, now: DateTime<Utc>) -> Result<(), SendError> {
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
        let body_markdown = self
            .ctx
            .body(self.store.as_ref(), &run, None)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let body = webhook::campaign_published(
            &webhook::Published {
                message_id: run.run_id,
                campaign: &run.campaign_slug,
                title: &run.title,
                subject: &run.subject,
                summary: &run.summary,
                body_markdown: &body_markdown,
                priority: &run.priority,
                lead: &run.lead,
                sent_at: run.fire_at,
                areas: run
                    .areas
                    .iter()
                    .filter_map(|s| self.ctx.areas.get(s))
                    .collect(),
                url: format!(
                    "{}/messages/{}",
                    self.ctx.base_url,
                    self.ctx.signer.archive_id(run.run_id)
                ),
                cap_url: format!("{}/alerts/{}/cap.xml", self.ctx.base_url, run.run_id),
            },
            now,
        );
        // The id stays the same across retries so partners can de-duplicate.
        let msg_id = format!("msg_{}", row.outbox_id);
        self.hooks
            .post(&hook.url, &hook.secret, &msg_id, now.timestamp(), body)
            .await
    }
}
