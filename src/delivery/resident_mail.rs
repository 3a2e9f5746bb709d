//! Building the mails a resident's own actions cause, at send time, from what the database
//! holds now: a confirmation names the areas and topics as they stand when it goes out.

use super::Worker;
use crate::auth::token::Purpose;
use crate::channels::SendError;
use crate::channels::email::Outgoing;
use crate::domain::schedule::LONDON;
use crate::domain::{OutboxKind, Priority, SubscriberStatus};
use crate::render::answers::AnswerBlock;
use crate::render::resident_mail::{self, DigestLine, Mail};
use crate::store::{Claimed, Recipient};

impl Worker {
    /// The confirm, "already subscribed" or digest mail for `row`; `None` if it must not go.
    pub(super) async fn resident_mail(
        &self,
        row: &Claimed,
        r: &Recipient,
    ) -> Result<Option<lettre::Message>, SendError> {
        let Some(to) = r.email.as_deref() else {
            return Ok(None);
        };
        let transient = |e: crate::store::StoreError| SendError::Transient(e.to_string());
        let rendering = |e: askama::Error| SendError::Permanent(e.to_string());
        let manage = self
            .ctx
            .link("manage", Purpose::Manage, r.subscriber_id, r.token_version);
        let unsubscribe = self.ctx.link(
            "unsubscribe",
            Purpose::Unsubscribe,
            r.subscriber_id,
            r.token_version,
        );
        // Sign-up queues the same job for every known address; a resident already confirmed
        // gets "already subscribed" (their request is never offered) instead of a link to confirm.
        let kind = match (row.kind, r.status) {
            (OutboxKind::Confirm, SubscriberStatus::Confirmed) => OutboxKind::Already,
            (k, _) => k,
        };
        let (mail, bulk): (Mail, bool) = match kind {
            OutboxKind::Confirm => {
                let payload = row
                    .payload
                    .as_deref()
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok());
                let field = |k: &str| {
                    payload
                        .as_ref()
                        .and_then(|v| v.get(k).and_then(serde_json::Value::as_i64))
                };
                let expires = field("expires").unwrap_or(0);
                // A request for an address on file names its own choices and has its own link;
                // a first sign-up confirms the record itself.
                let (areas, topics, frequency, url) = match field("request") {
                    Some(request) => {
                        let Some(q) = self
                            .store
                            .signup_request(request)
                            .await
                            .map_err(transient)?
                            .filter(|q| q.subscriber_id == r.subscriber_id)
                        else {
                            return Ok(None);
                        };
                        let url = self.ctx.link_until(
                            "confirm",
                            Purpose::ConfirmRequest,
                            request,
                            r.token_version,
                            expires,
                        );
                        (q.areas, q.topics, q.frequency, url)
                    }
                    None => {
                        if r.status != SubscriberStatus::Pending {
                            return Ok(None);
                        }
                        let Some(prefs) = self
                            .store
                            .preferences(r.subscriber_id, r.token_version)
                            .await
                            .map_err(transient)?
                        else {
                            return Ok(None);
                        };
                        let url = self.ctx.link_until(
                            "confirm",
                            Purpose::Confirm,
                            r.subscriber_id,
                            r.token_version,
                            expires,
                        );
                        (prefs.areas, prefs.topics, prefs.frequency, url)
                    }
                };
                let area_names: Vec<&str> = areas
                    .iter()
                    .map(|s| {
                        self.ctx
                            .areas
                            .get(s)
                            .map_or(s.as_str(), |a| a.name.as_str())
                    })
                    .collect();
                let topics: Vec<&str> = topics
                    .iter()
                    .filter_map(|t| t.parse::<Priority>().ok())
                    .map(Priority::resident_label)
                    .collect();
                (
                    resident_mail::confirm(&area_names.join(", "), &topics, &frequency, &url)
                        .map_err(rendering)?,
                    false,
                )
            }
            // Asked for on the manage page; goes whatever their status, as the page does.
            OutboxKind::Links => (resident_mail::new_link(&manage).map_err(rendering)?, false),
            OutboxKind::Already => {
                if r.status != SubscriberStatus::Confirmed {
                    return Ok(None);
                }
                (
                    resident_mail::already_subscribed(&manage).map_err(rendering)?,
                    false,
                )
            }
            // Not resident mail: never routed here.
            OutboxKind::Campaign | OutboxKind::Webhook | OutboxKind::Test => return Ok(None),
            OutboxKind::Digest => {
                if r.status != SubscriberStatus::Confirmed {
                    return Ok(None);
                }
                let items = self
                    .store
                    .digest_items(row.outbox_id)
                    .await
                    .map_err(transient)?;
                if items.is_empty() {
                    return Ok(None);
                }
                let lines: Vec<DigestLine> = items
                    .iter()
                    .map(|i| DigestLine {
                        title: i.title.clone(),
                        summary: i.summary.clone(),
                        topic: i
                            .priority
                            .parse::<Priority>()
                            .map_or("Community safety", Priority::resident_label)
                            .to_string(),
                        area: self
                            .ctx
                            .area_slug(i.area_id)
                            .and_then(|s| self.ctx.areas.get(s))
                            .map_or("Chiltern and South Bucks", |a| a.name.as_str())
                            .to_string(),
                        date: i
                            .sent_at
                            .with_timezone(&LONDON)
                            .format("%A %-d %B")
                            .to_string(),
                        url: format!(
                            "{}/messages/{}",
                            self.ctx.base_url,
                            self.ctx.signer.archive_id(i.run_id)
                        ),
                        held_over: i.held_over,
                        answers: Some(AnswerBlock::feedback(&format!(
                            "{}/feedback/{}",
                            self.ctx.base_url,
                            self.ctx.answer_token(
                                i.run_id,
                                false,
                                i.area_id,
                                r.subscriber_id,
                                chrono::Utc::now()
                            )
                        ))),
                    })
                    .collect();
                (
                    resident_mail::digest(&lines, &manage, &unsubscribe).map_err(rendering)?,
                    true,
                )
            }
        };
        self.mailer
            .build(&Outgoing {
                to,
                subject: &mail.subject,
                text: mail.text,
                html: Some(mail.html),
                list_id: bulk.then_some(self.ctx.list_id.as_str()),
                unsubscribe_url: bulk.then_some(unsubscribe.as_str()),
            })
            .map(Some)
    }
}
