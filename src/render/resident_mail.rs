//! The mails a resident's own actions cause: confirm, "already subscribed", the weekly digest.

use crate::domain::signup::{CONFIRM_VALID_DAYS, Frequency};
use askama::Template;

/// A rendered mail, ready for the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
struct ConfirmHtml<'a> {
    subject: &'a str,
    area_name: &'a str,
    topics: &'a [&'a str],
    how_often: &'a str,
    confirm_url: &'a str,
    valid_days: i64,
}

#[derive(Template)]
#[template(path = "email/confirm.txt")]
struct ConfirmText<'a> {
    subject: &'a str,
    area_name: &'a str,
    topics: &'a [&'a str],
    how_often: &'a str,
    confirm_url: &'a str,
    valid_days: i64,
}

/// The confirmation mail; `frequency` is the form's value (`immediate` or `weekly`).
pub fn confirm(
    area_name: &str,
    topics: &[&str],
    frequency: &str,
    confirm_url: &str,
) -> Result<Mail, askama::Error> {
    let subject = "Confirm your community safety alerts";
    let how_often = Frequency::parse(frequency)
        .unwrap_or(Frequency::Immediate)
        .resident_words();
    Ok(Mail {
        subject: subject.into(),
        html: ConfirmHtml {
            subject,
            area_name,
            topics,
            how_often,
            confirm_url,
            valid_days: CONFIRM_VALID_DAYS,
        }
        .render()?,
        text: ConfirmText {
            subject,
            area_name,
            topics,
            how_often,
            confirm_url,
            valid_days: CONFIRM_VALID_DAYS,
        }
        .render()?,
    })
}

#[derive(Template)]
#[template(path = "email/already.html")]
struct AlreadyHtml<'a> {
    subject: &'a str,
    manage_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/already.txt")]
struct AlreadyText<'a> {
    manage_url: &'a str,
}

pub fn already_subscribed(manage_url: &str) -> Result<Mail, askama::Error> {
    let subject = "You already get our community safety alerts";
    Ok(Mail {
        subject: subject.into(),
        html: AlreadyHtml {
            subject,
            manage_url,
        }
        .render()?,
        text: AlreadyText { manage_url }.render()?,
    })
}

#[derive(Template)]
#[template(path = "email/new_link.html")]
struct NewLinkHtml<'a> {
    subject: &'a str,
    manage_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/new_link.txt")]
struct NewLinkText<'a> {
    manage_url: &'a str,
}

/// The new manage link a resident asked for; every older link has stopped working.
pub fn new_link(manage_url: &str) -> Result<Mail, askama::Error> {
    let subject = "Your new link for community safety alerts";
    Ok(Mail {
        subject: subject.into(),
        html: NewLinkHtml {
            subject,
            manage_url,
        }
        .render()?,
        text: NewLinkText { manage_url }.render()?,
    })
}

/// One message as a digest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub title: String,
    pub summary: String,
    pub topic: String,
    pub area: String,
    pub date: String,
    pub url: String,
    /// It came when the resident had already had their weekly e-mails, so it waited for this.
    pub held_over: bool,
    /// "Did this message help you feel safer?" for this item.
    pub answers: Option<super::answers::AnswerBlock>,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct DigestHtml<'a> {
    subject: &'a str,
    items: &'a [DigestLine],
    manage_url: &'a str,
    unsubscribe_url: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct DigestText<'a> {
    subject: &'a str,
    items: &'a [DigestLine],
    manage_url: &'a str,
    unsubscribe_url: &'a str,
}

pub fn digest(
    items: &[DigestLine],
    manage_url: &str,
    unsubscribe_url: &str,
) -> Result<Mail, askama::Error> {
    let subject = match items.len() {
        1 => "Your weekly community safety round-up: 1 message".to_string(),
        n => format!("Your weekly community safety round-up: {n} messages"),
    };
    Ok(Mail {
        html: DigestHtml {
            subject: &subject,
            items,
            manage_url,
            unsubscribe_url,
        }
        .render()?,
        text: DigestText {
            subject: &subject,
            items,
            manage_url,
            unsubscribe_url,
        }
        .render()?,
        subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_confirmation_names_the_area_topics_and_link_and_escapes_them() {
        let m = confirm(
            "Chalfont <St> Giles",
            &["Local crime news"],
            "weekly",
            "https://b.example/confirm/T",
        )
        .unwrap();
        assert!(m.text.contains("Chalfont <St> Giles"));
        assert!(m.text.contains("- Local crime news"));
        assert!(m.text.contains("A weekly round-up on Saturday morning"));
        assert!(m.html.contains("A weekly round-up on Saturday morning"));
        assert!(m.text.contains("https://b.example/confirm/T"));
        assert!(m.html.contains("href=\"https://b.example/confirm/T\""));
        assert!(!m.html.contains("<St>"), "escaped in HTML");
    }

    #[test]
    fn a_digest_lists_every_item_with_its_link() {
        let line = |n: u32| DigestLine {
            title: format!("Title {n}"),
            summary: "S".into(),
            topic: "Local crime news".into(),
            area: "Chesham".into(),
            date: "Saturday 5 December".into(),
            url: format!("https://b.example/messages/{n}"),
            held_over: false,
            answers: Some(crate::render::answers::AnswerBlock::feedback(&format!(
                "https://b.example/feedback/T{n}"
            ))),
        };
        let m = digest(&[line(1), line(2)], "https://m", "https://u").unwrap();
        assert_eq!(
            m.subject,
            "Your weekly community safety round-up: 2 messages"
        );
        for n in [1, 2] {
            assert!(m.text.contains(&format!("Title {n}")));
            assert!(
                m.html
                    .contains(&format!("href=\"https://b.example/messages/{n}\""))
            );
        }
        assert!(m.text.contains("Unsubscribe: https://u"));
        assert!(
            m.text
                .contains("Yes: https://b.example/feedback/T2?answer=yes")
        );
        assert!(
            m.html
                .contains("href=\"https://b.example/feedback/T1?answer=no\"")
        );
    }
}
