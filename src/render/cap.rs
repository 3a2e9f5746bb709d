//! CAP 1.2 alerts (OASIS `urn:oasis:names:tc:emergency:cap:1.2`) for one published message.

use askama::Template;
use chrono::{DateTime, SecondsFormat, Utc};

pub struct CapArea {
    pub name: String,
    pub postcodes: Vec<String>,
}

#[derive(Template)]
#[template(path = "feeds/cap.xml")]
struct CapDoc<'a> {
    identifier: &'a str,
    sender: &'a str,
    sent: String,
    category: &'a str,
    event: &'a str,
    expires: String,
    sender_name: &'a str,
    headline: &'a str,
    description: &'a str,
    instruction: &'a str,
    web: &'a str,
    areas: &'a [CapArea],
}

pub struct CapAlert<'a> {
    pub identifier: &'a str,
    pub sender: &'a str,
    pub sent: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub priority: &'a str,
    pub event: &'a str,
    pub sender_name: &'a str,
    pub headline: &'a str,
    pub description: &'a str,
    pub instruction: &'a str,
    pub web: &'a str,
    pub areas: &'a [CapArea],
}

/// CAP 1.2 §3.3.2: a numeric offset, never `Z`, and UTC written `-00:00`.
fn cap_time(t: DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Secs, false);
    match s.strip_suffix("+00:00") {
        Some(local) => format!("{local}-00:00"),
        None => s,
    }
}

pub fn render(a: &CapAlert<'_>) -> Result<String, askama::Error> {
    // Crime-prevention messages are "Security"; reassurance and community ones "Safety".
    let category = match a.priority {
        "community-resilience" | "fear-of-crime" => "Safety",
        _ => "Security",
    };
    CapDoc {
        identifier: a.identifier,
        sender: a.sender,
        sent: cap_time(a.sent),
        category,
        event: a.event,
        expires: cap_time(a.expires),
        sender_name: a.sender_name,
        headline: a.headline,
        description: a.description,
        instruction: a.instruction,
        web: a.web,
        areas: a.areas,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::cap_time;
    use chrono::TimeZone;

    #[test]
    fn utc_is_written_minus_zero_as_cap_requires() {
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 11, 6, 18, 0, 0)
            .single()
            .expect("a valid time");
        assert_eq!(cap_time(t), "2026-11-06T18:00:00-00:00");
    }
}
