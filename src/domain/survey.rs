//! Residents' answers: "Did this message help you feel safer?" after every message, and the
//! feel-safe pulse's fixed bank of questions. The slugs here are stored in `feedback_tally` and
//! `survey_tally` and read by the reports, so they never change once shipped.

use super::schedule::LONDON;
use chrono::{DateTime, Datelike, Utc};

/// The question after every message.
pub const FEEDBACK_QUESTION: &str = "Did this message help you feel safer?";
/// The box under it.
pub const COMMENT_LABEL: &str = "What would help?";
/// The longest comment kept, in characters.
pub const MAX_COMMENT: usize = 500;

/// Days an answer's receipt is kept (answer links expire before, so nobody answers twice).
pub const RECEIPT_DAYS: i64 = 30;
/// Days an answer link stays open after it was sent.
pub const ANSWER_LINK_DAYS: i64 = 28;
/// Days a "What would help?" comment is kept.
pub const COMMENT_DAYS: i64 = 365;

/// The pulse's own consent, separate from the alerts', and its version.
pub const PULSE_TEXT: &str = "A short question about how safe you feel, up to four times a year";
/// Recorded in the consent history beside the time the pulse consent was given or withdrawn.
pub const PULSE_VERSION: &str = "pulse-2026-11";

/// An answer to "Did this message help you feel safer?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Helpful {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not sure.
    NotSure,
}

impl Helpful {
    /// Every answer, in the order shown.
    pub const ALL: [Helpful; 3] = [Helpful::Yes, Helpful::No, Helpful::NotSure];

    /// The stored and linked name.
    pub fn slug(self) -> &'static str {
        match self {
            Helpful::Yes => "yes",
            Helpful::No => "no",
            Helpful::NotSure => "not_sure",
        }
    }

    /// What residents read.
    pub fn label(self) -> &'static str {
        match self {
            Helpful::Yes => "Yes",
            Helpful::No => "No",
            Helpful::NotSure => "Not sure",
        }
    }

    /// Reads a slug.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.slug() == s)
    }
}

/// One question of the pulse's fixed bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// The Crime Survey for England and Wales' "walking alone after dark".
    FeelSafeAfterDark,
    /// How well informed residents feel about crime and safety.
    Informed,
}

impl Question {
    /// The whole bank.
    pub const ALL: [Question; 2] = [Question::FeelSafeAfterDark, Question::Informed];

    /// The name campaign files use and `survey_tally.question` stores.
    pub fn slug(self) -> &'static str {
        match self {
            Question::FeelSafeAfterDark => "feel_safe_after_dark",
            Question::Informed => "informed",
        }
    }

    /// The question as residents read it.
    pub fn text(self) -> &'static str {
        match self {
            Question::FeelSafeAfterDark => {
                "How safe do you feel walking alone in your area after dark?"
            }
            Question::Informed => {
                "How well informed do you feel about crime and safety in your area?"
            }
        }
    }

    /// The answers, (slug, label), in the order shown.
    pub fn answers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Question::FeelSafeAfterDark => &[
                ("very_safe", "Very safe"),
                ("fairly_safe", "Fairly safe"),
                ("a_bit_unsafe", "A bit unsafe"),
                ("very_unsafe", "Very unsafe"),
            ],
            Question::Informed => &[
                ("very_well", "Very well informed"),
                ("fairly_well", "Fairly well informed"),
                ("not_very_well", "Not very well informed"),
                ("not_at_all", "Not at all informed"),
            ],
        }
    }

    /// Whether `slug` is one of this question's answers.
    pub fn has_answer(self, slug: &str) -> bool {
        self.answers().iter().any(|(s, _)| *s == slug)
    }

    /// Reads a slug.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.slug() == s)
    }

    /// The slugs, for error messages.
    pub fn known() -> String {
        Self::ALL
            .iter()
            .map(|q| format!("\"{}\"", q.slug()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The calendar quarter of an instant in UK time, as stored: `2026-Q4`.
pub fn quarter(at: DateTime<Utc>) -> String {
    let d = at.with_timezone(&LONDON).date_naive();
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// A comment as kept: trimmed, with control characters other than line breaks dropped;
/// `Err` with the resident's message when it is too long. Empty means no comment.
pub fn clean_comment(raw: &str) -> Result<Option<String>, String> {
    let text: String = raw
        .trim()
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let n = text.chars().count();
    if n > MAX_COMMENT {
        return Err(format!(
            "Keep it to {MAX_COMMENT} characters or fewer (you wrote {n})"
        ));
    }
    Ok((!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn quarters_follow_uk_dates() {
        assert_eq!(quarter(utc("2026-12-31T23:30:00Z")), "2026-Q4");
        // 00:30 on 1 July in London is still 30 June in UTC.
        assert_eq!(quarter(utc("2026-06-30T23:30:00Z")), "2026-Q3");
        assert_eq!(quarter(utc("2027-01-01T00:00:00Z")), "2027-Q1");
    }

    #[test]
    fn comments_are_bounded_and_plain() {
        assert_eq!(clean_comment("  "), Ok(None));
        assert_eq!(
            clean_comment(" More patrols\u{7}\r\nplease ").unwrap(),
            Some("More patrols\nplease".into())
        );
        assert!(clean_comment(&"é".repeat(500)).unwrap().is_some());
        assert!(clean_comment(&"é".repeat(501)).unwrap_err().contains("501"));
    }

    #[test]
    fn the_bank_reads_its_own_slugs() {
        for q in Question::ALL {
            assert_eq!(Question::parse(q.slug()), Some(q));
            assert_eq!(q.answers().len(), 4);
        }
        assert!(Question::Informed.has_answer("not_at_all"));
        assert!(!Question::Informed.has_answer("very_safe"));
        assert_eq!(Helpful::parse("not_sure"), Some(Helpful::NotSure));
    }
}
