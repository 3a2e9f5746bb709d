//! Signed links for residents: unsubscribe, confirm, manage. HMAC-SHA256 over what the link
//! may do, for whom, until when; no database row to guess or enumerate.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// What a signed link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Leave every list.
    Unsubscribe,
    /// Confirm a sign-up.
    Confirm,
    /// See and change one's subscriptions.
    Manage,
    /// Confirms one sign-up request for an address already on file; the claims'
    /// `subscriber_id` holds the request's id, `version` the resident's link version.
    ConfirmRequest,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Unsubscribe => "u",
            Purpose::Confirm => "c",
            Purpose::Manage => "m",
            Purpose::ConfirmRequest => "r",
        }
    }
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    /// What the link lets its holder do.
    pub purpose: Purpose,
    /// Whose link it is.
    pub subscriber_id: i64,
    /// Bumped on the subscriber to revoke every link issued before.
    pub version: i64,
    /// Seconds since the epoch; 0 means no expiry.
    pub expires: i64,
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not signed with our key, or altered.
    #[error("the link is not one we sent")]
    Invalid,
    /// Past its expiry.
    #[error("the link has expired")]
    Expired,
}

/// Signs and checks tokens with one key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer with this key.
    pub fn new(key: &[u8]) -> Self {
        Signer { key: key.to_vec() }
    }

    pub(super) fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }

    /// The token for these claims: payload and HMAC, URL-safe.
    pub fn sign(&self, claims: Claims) -> String {
        let payload = format!(
            "{}.{}.{}.{}",
            claims.purpose.tag(),
            claims.subscriber_id,
            claims.version,
            claims.expires
        );
        self.seal(&payload)
    }

    /// `payload.mac`, both URL-safe: what every signed link carries.
    pub(super) fn seal(&self, payload: &str) -> String {
        let sig = self.mac(payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The payload of a sealed token, if its MAC is ours (compared in constant time).
    pub(super) fn unseal(&self, token: &str) -> Result<String, TokenError> {
        let (p, s) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Invalid)?;
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| TokenError::Invalid)?;
        let payload = String::from_utf8(payload).map_err(|_| TokenError::Invalid)?;
        self.mac(&payload)
            .verify_slice(&sig)
            .map_err(|_| TokenError::Invalid)?;
        Ok(payload)
    }

    /// Checks signature, purpose and expiry against `now`.
    pub fn verify(
        &self,
        token: &str,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<Claims, TokenError> {
        let payload = self.unseal(token)?;
        let parts: Vec<&str> = payload.split('.').collect();
        let [tag, id, version, expires] = parts.as_slice() else {
            return Err(TokenError::Invalid);
        };
        if *tag != purpose.tag() {
            return Err(TokenError::Invalid);
        }
        let claims = Claims {
            purpose,
            subscriber_id: id.parse().map_err(|_| TokenError::Invalid)?,
            version: version.parse().map_err(|_| TokenError::Invalid)?,
            expires: expires.parse().map_err(|_| TokenError::Invalid)?,
        };
        if claims.expires != 0 && now.timestamp() > claims.expires {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

impl Signer {
    /// An authentic token's claims even after expiry: an expired confirm link can still ask for
    /// a fresh one, for the same person, and nothing else.
    pub fn verify_ignoring_expiry(
        &self,
        token: &str,
        purpose: Purpose,
    ) -> Result<Claims, TokenError> {
        // At the dawn of time nothing has expired yet.
        self.verify(token, purpose, DateTime::<Utc>::MIN_UTC)
    }
}

impl Signer {
    /// The archive address of a message: `{run_id}-{mac}`. Sequential ids are public only for
    /// messages published in feeds; others (e-mail only) are reached by this unguessable form.
    pub fn archive_id(&self, run_id: i64) -> String {
        format!("{run_id}-{}", self.archive_mac(run_id))
    }

    /// The run an archive id names, and whether it carried a valid signature; `None` if forged.
    pub fn archive_run(&self, id: &str) -> Option<(i64, bool)> {
        match id.split_once('-') {
            None => id.parse().ok().map(|n| (n, false)),
            Some((n, mac)) => {
                let n: i64 = n.parse().ok()?;
                let expected = self.archive_mac(n);
                bool::from(expected.as_bytes().ct_eq(mac.as_bytes())).then_some((n, true))
            }
        }
    }

    fn archive_mac(&self, run_id: i64) -> String {
        let sig = self.mac(&format!("a.{run_id}")).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&sig[..16])
    }
}

impl Signer {
    /// A keyed tag over `text` (HMAC-SHA256, URL-safe), for tokens that bind a request's
    /// contents, such as the API's send-now confirmation; the `bind:` prefix keeps it apart from every link payload.
    pub fn tag(&self, text: &str) -> String {
        let sig = self.mac(&format!("bind:{text}")).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(sig)
    }

    /// Whether `tag` is [`Signer::tag`] of `text`, compared in constant time.
    pub fn tag_matches(&self, text: &str, tag: &str) -> bool {
        bool::from(self.tag(text).as_bytes().ct_eq(tag.as_bytes()))
    }
}

/// What the database keeps of a session cookie or API token: its SHA-256, never the secret.
pub fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 128 random bits as URL-safe text: message ids, CSRF tokens, session ids.
pub fn random_id() -> String {
    let bytes: [u8; 16] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(purpose: Purpose, expires: i64) -> Claims {
        Claims {
            purpose,
            subscriber_id: 42,
            version: 3,
            expires,
        }
    }

    #[test]
    fn a_signed_token_verifies_for_its_purpose_only() {
        let s = Signer::new(b"key");
        let now = Utc::now();
        let t = s.sign(claims(Purpose::Unsubscribe, 0));
        assert_eq!(
            s.verify(&t, Purpose::Unsubscribe, now),
            Ok(claims(Purpose::Unsubscribe, 0))
        );
        assert_eq!(s.verify(&t, Purpose::Manage, now), Err(TokenError::Invalid));
        assert_eq!(
            Signer::new(b"other").verify(&t, Purpose::Unsubscribe, now),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn archive_ids_are_signed_and_checked() {
        let s = Signer::new(b"key");
        let id = s.archive_id(7);
        assert_eq!(s.archive_run(&id), Some((7, true)));
        assert_eq!(s.archive_run("7"), Some((7, false)));
        assert_eq!(s.archive_run(&id.replacen('7', "8", 1)), None);
        assert_eq!(Signer::new(b"other").archive_run(&id), None);
    }

    #[test]
    fn tampering_and_expiry_are_caught() {
        let s = Signer::new(b"key");
        let now = Utc::now();
        let t = s.sign(claims(Purpose::Confirm, now.timestamp() - 1));
        assert_eq!(
            s.verify(&t, Purpose::Confirm, now),
            Err(TokenError::Expired)
        );
        let forged_payload = URL_SAFE_NO_PAD.encode("c.43.3.0");
        let sig = t.split('.').nth(1).unwrap();
        assert_eq!(
            s.verify(&format!("{forged_payload}.{sig}"), Purpose::Confirm, now),
            Err(TokenError::Invalid)
        );
        for junk in ["", ".", "abc", "a.b", "!!.??"] {
            assert_eq!(
                s.verify(junk, Purpose::Confirm, now),
                Err(TokenError::Invalid)
            );
        }
    }
}
