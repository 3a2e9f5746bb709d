//! Campaign e-mail bodies. The expensive part (Markdown, layout) is rendered once per run and
//! area; each message only swaps its own links into the result.

use super::answers::AnswerBlock;
use crate::domain::survey::Question;
use askama::Template;

/// Stand-ins for per-resident links; plain ASCII, so escaping leaves them untouched.
const UNSUBSCRIBE_SLOT: &str = "beacon-slot-unsubscribe-url";
const MANAGE_SLOT: &str = "beacon-slot-manage-url";
const ANSWER_SLOT: &str = "beacon-slot-answer-token";

#[derive(Template)]
#[template(path = "email/campaign.html")]
struct HtmlLayout<'a> {
    /// Also the mail's heading: what the inbox shows is what the mail opens with.
    subject: &'a str,
    body_html: &'a str,
    lead: &'a str,
    archive_url: &'a str,
    reason: &'a str,
    manage_url: &'a str,
    unsubscribe_url: &'a str,
    answers: &'a AnswerBlock,
}

#[derive(Template)]
#[template(path = "email/campaign.txt")]
struct TextLayout<'a> {
    subject: &'a str,
    body_text: &'a str,
    lead: &'a str,
    archive_url: &'a str,
    reason: &'a str,
    manage_url: &'a str,
    unsubscribe_url: &'a str,
    answers: &'a AnswerBlock,
}

/// What a campaign e-mail says to everyone in one area.
#[derive(Debug, Clone)]
pub struct CampaignContent<'a> {
    pub subject: &'a str,
    pub title: &'a str,
    pub body_markdown: &'a str,
    pub lead: &'a str,
    pub archive_url: &'a str,
    pub area_name: &'a str,
    pub topic_label: &'a str,
    /// The site's address, for the answer links.
    pub base_url: &'a str,
    /// A pulse survey asks its question instead of "Did this message help you feel safer?".
    pub survey: Option<Question>,
}

/// A campaign e-mail with slots for each resident's links.
#[derive(Debug, Clone)]
pub struct EmailTemplate {
    html: String,
    text: String,
}

/// One resident's message bodies.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailBody {
    pub html: String,
    pub text: String,
}

impl EmailTemplate {
    pub fn render(c: &CampaignContent<'_>) -> Result<Self, askama::Error> {
        let (reason, answers) = match c.survey {
            None => (
                format!(
                    "You are getting this because you signed up for “{}” alerts for {} from the Chiltern and South Bucks Community Safety Partnership.",
                    c.topic_label, c.area_name
                ),
                AnswerBlock::feedback(&format!("{}/feedback/{ANSWER_SLOT}", c.base_url)),
            ),
            Some(q) => (
                format!(
                    "You are getting this because you agreed to a short question about how safe you feel in {}, up to four times a year, from the Chiltern and South Bucks Community Safety Partnership.",
                    c.area_name
                ),
                AnswerBlock::survey(q, &format!("{}/survey/{ANSWER_SLOT}", c.base_url)),
            ),
        };
        let body_html = super::markdown::to_html(c.body_markdown);
        let body_text = super::markdown::to_text(c.body_markdown);
        let html = HtmlLayout {
            subject: c.subject,
            body_html: &body_html,
            lead: c.lead,
            archive_url: c.archive_url,
            reason: &reason,
            manage_url: MANAGE_SLOT,
            unsubscribe_url: UNSUBSCRIBE_SLOT,
            answers: &answers,
        }
        .render()?;
        let text = TextLayout {
            subject: c.subject,
            body_text: &body_text,
            lead: c.lead,
            archive_url: c.archive_url,
            reason: &reason,
            manage_url: MANAGE_SLOT,
            unsubscribe_url: UNSUBSCRIBE_SLOT,
            answers: &answers,
        }
        .render()?;
        Ok(EmailTemplate { html, text })
    }

    /// Fills in one resident's links and answer token. URLs and tokens we build are URL-safe,
    /// so they need no escaping.
    pub fn personalise(
        &self,
        manage_url: &str,
        unsubscribe_url: &str,
        answer_token: &str,
    ) -> EmailBody {
        let fill = |s: &str| {
            s.replace(MANAGE_SLOT, manage_url)
                .replace(UNSUBSCRIBE_SLOT, unsubscribe_url)
                .replace(ANSWER_SLOT, answer_token)
        };
        EmailBody {
            html: fill(&self.html),
            text: fill(&self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_resident_gets_their_own_links_and_the_reason_they_get_it() {
        let t = EmailTemplate::render(&CampaignContent {
            subject: "Lights on <tonight>",
            title: "T",
            body_markdown: "Use a **timer**.",
            lead: "Thames Valley Police",
            archive_url: "https://b.example/messages/7",
            area_name: "Chesham",
            topic_label: "Burglary and vehicle crime",
            base_url: "https://b.example",
            survey: None,
        })
        .unwrap();
        let m = t.personalise(
            "https://b.example/manage/T1",
            "https://b.example/unsubscribe/T2",
            "A3",
        );
        assert!(m.html.contains("Did this message help you feel safer?"));
        assert!(
            m.html
                .contains("href=\"https://b.example/feedback/A3?answer=not_sure\"")
        );
        assert!(
            m.text
                .contains("Not sure: https://b.example/feedback/A3?answer=not_sure")
        );
        assert!(
            m.html.contains("Lights on &#60;tonight&#62;")
                || m.html.contains("Lights on &lt;tonight&gt;"),
            "{}",
            m.html
        );
        assert!(m.html.contains("<strong>timer</strong>"));
        assert!(
            m.text.starts_with("Lights on <tonight>"),
            "the heading is the subject"
        );
        assert!(m.html.contains("href=\"https://b.example/unsubscribe/T2\""));
        assert!(
            m.text
                .contains("Unsubscribe: https://b.example/unsubscribe/T2")
        );
        assert!(
            m.text
                .contains("Change your areas or topics: https://b.example/manage/T1")
        );
        assert!(
            m.text
                .contains("“Burglary and vehicle crime” alerts for Chesham")
        );
        assert!(!m.html.contains("beacon-slot") && !m.text.contains("beacon-slot"));
    }
}
