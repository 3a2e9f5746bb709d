//! Webhooks to partners, signed as the Standard Webhooks specification says.

use super::SendError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the secret after `whsec_`.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Result<String, SendError> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| SendError::Permanent("webhook secret is not whsec_ + base64".into()))?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key).map_err(|e| SendError::Permanent(e.to_string()))?;
    mac.update(format!("{msg_id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// A partner's webhook: its name in the outbox, where to post, the Standard Webhooks secret
/// (`whsec_` + base64) to sign with, and the priorities it takes (none listed: all).
#[derive(Clone, PartialEq)]
pub struct Endpoint {
    /// The partner's name, as the outbox rows address it.
    pub name: String,
    /// Where to post.
    pub url: String,
    /// `whsec_` followed by base64.
    pub secret: String,
    /// Priorities (slugs) to post; empty means all.
    pub events: Vec<String>,
}

impl Endpoint {
    /// Whether a campaign of this priority is posted here.
    pub fn takes(&self, priority: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == priority)
    }
}

impl std::fmt::Debug for Endpoint {
    /// The URL and secret stay out of logs (a URL may carry credentials).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// The HTTP client that posts signed webhooks to partners.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    http: reqwest::Client,
}

impl WebhookClient {
    /// A client with Beacon's timeouts and user agent.
    pub fn new() -> Result<Self, reqwest::Error> {
        // reqwest is built without its own TLS provider (aws-lc); lettre already links ring,
        // so webhooks use it too. Installing twice is harmless: the first provider stays.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("beacon/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(WebhookClient { http })
    }

    /// Posts `body` to `url`, signed with `secret`: 2xx is sent; no answer, 408, 429 and 5xx are
    /// transient; any other reply is permanent.
    pub async fn post(
        &self,
        url: &str,
        secret: &str,
        msg_id: &str,
        timestamp: i64,
        body: String,
    ) -> Result<(), SendError> {
        let signature = sign(secret, msg_id, timestamp, &body)?;
        let res = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("webhook: {e}")))?;
        let status = res.status();
        if status.is_success() {
            Ok(())
        } else if status.as_u16() == 429 || status.is_server_error() || status.as_u16() == 408 {
            Err(SendError::Transient(format!("webhook answered {status}")))
        } else {
            Err(SendError::Permanent(format!("webhook answered {status}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_standard_webhooks_reference_vector() {
        // The example from the Standard Webhooks specification.
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
