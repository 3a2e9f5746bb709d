//! The JSON partners' webhooks receive: a Standard Webhooks `campaign.published` event.

use crate::domain::Area;
use chrono::{DateTime, Utc};

/// One message as it went out, with the links partners may follow.
#[derive(Debug, Clone)]
pub struct Published<'a> {
    pub message_id: i64,
    pub campaign: &'a str,
    pub title: &'a str,
    pub subject: &'a str,
    pub summary: &'a str,
    pub body_markdown: &'a str,
    pub priority: &'a str,
    pub lead: &'a str,
    pub sent_at: DateTime<Utc>,
    pub areas: Vec<&'a Area>,
    /// The message in the public archive.
    pub url: String,
    pub cap_url: String,
}

/// The event body, stamped `now`.
pub fn campaign_published(p: &Published<'_>, now: DateTime<Utc>) -> String {
    let areas: Vec<serde_json::Value> = p
        .areas
        .iter()
        .map(|a| serde_json::json!({ "slug": a.slug, "name": a.name, "district": a.district, "postcodes": a.postcodes }))
        .collect();
    serde_json::json!({
        "type": "campaign.published",
        "timestamp": now.to_rfc3339(),
        "data": {
            "message_id": p.message_id,
            "campaign": p.campaign,
            "title": p.title,
            "subject": p.subject,
            "summary": p.summary,
            "body_markdown": p.body_markdown,
            "body_html": super::markdown::to_html(p.body_markdown),
            "priority": p.priority,
            "lead": p.lead,
            "sent_at": p.sent_at.to_rfc3339(),
            "areas": areas,
            "url": p.url,
            "cap_url": p.cap_url,
        }
    })
    .to_string()
}
