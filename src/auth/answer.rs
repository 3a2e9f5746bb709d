//! Signed answer links: "Did this message help you feel safer?" and the feel-safe pulse. A link
//! names the run and area and a keyed pseudonym of the resident, never their id, so the answer
//! pages never learn who is answering; the receipt derived from it refuses a second answer.

use super::token::{Signer, TokenError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::Mac;

/// What an answer link answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// "Did this message help you feel safer?"
    Feedback,
    /// A pulse survey's question.
    Survey,
}

impl AnswerKind {
    fn tag(self) -> &'static str {
        match self {
            AnswerKind::Feedback => "af",
            AnswerKind::Survey => "as",
        }
    }
}

/// What a valid answer link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerClaims {
    /// Feedback or survey.
    pub kind: AnswerKind,
    /// The run (message or survey) answered.
    pub run_id: i64,
    /// The area the answer counts for: the resident's, as the message was addressed.
    pub area_id: i64,
    /// The resident's keyed pseudonym ([`Signer::resident_key`]).
    pub resident: String,
    /// Seconds since the epoch after which the link is refused: before its receipt is deleted,
    /// so nobody can answer twice by waiting.
    pub expires: i64,
}

impl Signer {
    fn short_mac(&self, payload: &str) -> String {
        let sig = self.mac(payload).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&sig[..16])
    }

    /// A resident's pseudonym for answers: HMAC of their id under the server key. Erasure
    /// computes it again to delete their receipts; without the key it names nobody.
    pub fn resident_key(&self, subscriber_id: i64) -> String {
        self.short_mac(&format!("resident.{subscriber_id}"))
    }

    /// What `answer_receipt` keeps for one answer: one per resident, kind and run.
    pub fn receipt(&self, c: &AnswerClaims) -> String {
        self.short_mac(&format!(
            "receipt.{}.{}.{}",
            c.kind.tag(),
            c.resident,
            c.run_id
        ))
    }

    /// The link token for these claims.
    pub fn sign_answer(&self, c: &AnswerClaims) -> String {
        let payload = format!(
            "{}.{}.{}.{}.{}",
            c.kind.tag(),
            c.run_id,
            c.area_id,
            c.resident,
            c.expires
        );
        self.seal(&payload)
    }

    /// Checks signature, kind and expiry against `now`.
    pub fn verify_answer(
        &self,
        token: &str,
        kind: AnswerKind,
        now: DateTime<Utc>,
    ) -> Result<AnswerClaims, TokenError> {
        let payload = self.unseal(token)?;
        let parts: Vec<&str> = payload.split('.').collect();
        let [tag, run, area, resident, expires] = parts.as_slice() else {
            return Err(TokenError::Invalid);
        };
        if *tag != kind.tag() {
            return Err(TokenError::Invalid);
        }
        let claims = AnswerClaims {
            kind,
            run_id: run.parse().map_err(|_| TokenError::Invalid)?,
            area_id: area.parse().map_err(|_| TokenError::Invalid)?,
            resident: (*resident).to_string(),
            expires: expires.parse().map_err(|_| TokenError::Invalid)?,
        };
        if now.timestamp() > claims.expires {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_links_are_signed_per_kind_and_expire() {
        let s = Signer::new(b"key");
        let now = Utc::now();
        let c = AnswerClaims {
            kind: AnswerKind::Feedback,
            run_id: 7,
            area_id: 3,
            resident: s.resident_key(42),
            expires: now.timestamp() + 60,
        };
        let t = s.sign_answer(&c);
        assert_eq!(
            s.verify_answer(&t, AnswerKind::Feedback, now),
            Ok(c.clone())
        );
        assert_eq!(
            s.verify_answer(&t, AnswerKind::Survey, now),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            s.verify_answer(&t, AnswerKind::Feedback, now + chrono::Duration::minutes(2)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            Signer::new(b"other").verify_answer(&t, AnswerKind::Feedback, now),
            Err(TokenError::Invalid)
        );
        // The pseudonym does not show the id, and receipts differ per run and kind.
        assert!(!c.resident.contains("42"));
        let other_run = AnswerClaims {
            run_id: 8,
            ..c.clone()
        };
        let survey = AnswerClaims {
            kind: AnswerKind::Survey,
            ..c.clone()
        };
        assert_ne!(s.receipt(&c), s.receipt(&other_run));
        assert_ne!(s.receipt(&c), s.receipt(&survey));
        assert_eq!(s.receipt(&c), s.receipt(&c.clone()));
    }
}
