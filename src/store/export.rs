//! A resident's right of access (UK GDPR Article 15): everything held about them, as JSON.

use super::{Result, SqlStore, from_ms, with_pool};
use sqlx::Row;

/// Runs a query for one resident's rows and turns each row into JSON with `$json`
/// (a block that may use `?` on the row's columns).
macro_rules! json_rows {
    ($p:expr, $sql:expr, $id:expr, |$r:ident| $json:block) => {
        sqlx::query($sql)
            .bind($id)
            .fetch_all($p)
            .await?
            .iter()
            .map(|$r| -> sqlx::Result<serde_json::Value> { $json })
            .collect::<sqlx::Result<Vec<_>>>()?
    };
}

impl SqlStore {
    /// Everything held about one resident; `None` when the link's version is stale or they
    /// were erased.
    pub async fn export(
        &self,
        subscriber_id: i64,
        version: i64,
    ) -> Result<Option<serde_json::Value>> {
        let t = |v: Option<i64>| v.map(|v| from_ms(v).to_rfc3339());
        with_pool!(&self.pool, p => {
            let Some(s) = sqlx::query(
                "select email, postcode, status, frequency, paused, consent_version, consent_at, source, confirmed_at,
                        unsubscribed_at, bounced_at, created_at, updated_at
                 from subscriber where subscriber_id = $1 and token_version = $2 and status <> 'erased'",
            )
            .bind(subscriber_id)
            .bind(version)
            .fetch_optional(p)
            .await?
            else {
                return Ok(None);
            };
            let subs = json_rows!(
                p,
                "select a.slug, a.name, sub.priority, sub.consent_version, sub.consent_at, sub.source
                 from subscription sub join area a on a.area_id = sub.area_id
                 where sub.subscriber_id = $1 order by a.slug, sub.priority",
                subscriber_id,
                |r| {
                Ok(serde_json::json!({
                    "area": r.try_get::<String, _>("slug")?,
                    "area_name": r.try_get::<String, _>("name")?,
                    "topic": r.try_get::<String, _>("priority")?,
                    "consent_version": r.try_get::<String, _>("consent_version")?,
                    "consent_at": t(Some(r.try_get("consent_at")?)),
                    "source": r.try_get::<String, _>("source")?,
                }))
                }
            );
            let messages = json_rows!(
                p,
                "select o.kind, o.channel, o.status, o.created_at, o.sent_at, r.subject, r.run_id
                 from outbox o left join run r on r.run_id = o.run_id
                 where o.subscriber_id = $1 order by o.created_at, o.outbox_id",
                subscriber_id,
                |r| {
                Ok(serde_json::json!({
                    "kind": r.try_get::<String, _>("kind")?,
                    "channel": r.try_get::<String, _>("channel")?,
                    "status": r.try_get::<String, _>("status")?,
                    "queued_at": t(Some(r.try_get("created_at")?)),
                    "sent_at": t(r.try_get("sent_at")?),
                    "subject": r.try_get::<Option<String>, _>("subject")?,
                    "message_id": r.try_get::<Option<i64>, _>("run_id")?,
                }))
                }
            );
            let consents = json_rows!(
                p,
                "select action, consent_version, source, occurred_at from consent_event
                 where subscriber_id = $1 order by occurred_at, consent_event_id",
                subscriber_id,
                |r| {
                Ok(serde_json::json!({
                    "action": r.try_get::<String, _>("action")?,
                    "consent_version": r.try_get::<String, _>("consent_version")?,
                    "source": r.try_get::<String, _>("source")?,
                    "at": t(Some(r.try_get("occurred_at")?)),
                }))
                }
            );
            let requests = json_rows!(
                p,
                "select postcode, frequency, areas, topics, source, created_at from signup_request
                 where subscriber_id = $1 order by created_at, signup_request_id",
                subscriber_id,
                |r| {
                let list = |c: &str| -> sqlx::Result<serde_json::Value> {
                    Ok(serde_json::from_str(&r.try_get::<String, _>(c)?).unwrap_or_default())
                };
                Ok(serde_json::json!({
                    "postcode": r.try_get::<String, _>("postcode")?,
                    "frequency": r.try_get::<String, _>("frequency")?,
                    "areas": list("areas")?,
                    "topics": list("topics")?,
                    "source": r.try_get::<String, _>("source")?,
                    "requested_at": t(Some(r.try_get("created_at")?)),
                }))
                }
            );
            Ok(Some(serde_json::json!({
                "about": "Everything the Chiltern and South Bucks Community Safety Partnership's alert service holds about you.",
                "subscriber": {
                    "email": s.try_get::<Option<String>, _>("email")?,
                    "postcode": s.try_get::<Option<String>, _>("postcode")?,
                    "status": s.try_get::<String, _>("status")?,
                    "frequency": s.try_get::<String, _>("frequency")?,
                    "paused": s.try_get::<i64, _>("paused")? != 0,
                    "consent_version": s.try_get::<String, _>("consent_version")?,
                    "consent_at": t(Some(s.try_get("consent_at")?)),
                    "source": s.try_get::<String, _>("source")?,
                    "signed_up_at": t(Some(s.try_get("created_at")?)),
                    "confirmed_at": t(s.try_get("confirmed_at")?),
                    "unsubscribed_at": t(s.try_get("unsubscribed_at")?),
                    "bounced_at": t(s.try_get("bounced_at")?),
                    "updated_at": t(Some(s.try_get("updated_at")?)),
                },
                "subscriptions": subs,
                "consent_history": consents,
                "sign_ups_awaiting_confirmation": requests,
                "messages": messages,
            })))
        })
    }
}
