//! The question at the end of every message ("Did this message help you feel safer?") and a
//! pulse survey's question, as links residents can answer from their mail. Each link opens a
//! page that asks again with the answer chosen; only that page's button records anything.

use crate::domain::survey::{FEEDBACK_QUESTION, Helpful, Question};

/// One answer as a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLink {
    /// What the resident reads.
    pub label: String,
    /// The answer page, with the answer chosen.
    pub url: String,
}

/// A question and its answers, for `email/feedback.html` and `.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerBlock {
    /// The question.
    pub question: String,
    /// One link per answer, in order.
    pub links: Vec<AnswerLink>,
}

impl AnswerBlock {
    /// "Did this message help you feel safer?" with links under `page` (`…/feedback/{token}`).
    pub fn feedback(page: &str) -> Self {
        AnswerBlock {
            question: FEEDBACK_QUESTION.into(),
            links: Helpful::ALL
                .iter()
                .map(|a| AnswerLink {
                    label: a.label().into(),
                    url: format!("{page}?answer={}", a.slug()),
                })
                .collect(),
        }
    }

    /// A pulse question with links under `page` (`…/survey/{token}`).
    pub fn survey(q: Question, page: &str) -> Self {
        AnswerBlock {
            question: q.text().into(),
            links: q
                .answers()
                .iter()
                .map(|(slug, label)| AnswerLink {
                    label: (*label).into(),
                    url: format!("{page}?answer={slug}"),
                })
                .collect(),
        }
    }
}
