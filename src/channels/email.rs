//! E-mail through lettre: a pooled SMTP transport, or `.eml` files for the zero-set-up default.

use super::SendError;
use super::smtp_pool::{SmtpError, SmtpPool, StartTls};
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

enum Transport {
    /// `smtp://`: our pool of no-delay connections.
    Pooled(Box<SmtpPool>),
    /// `smtps://`: lettre's pool (TLS from the first byte).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Headers a DKIM signature covers. `List-Unsubscribe` and `List-Unsubscribe-Post` must be
/// signed for one-click unsubscribe to be honoured (RFC 8058 §4); a header a message lacks is
/// still listed, so nobody can add it later without breaking the signature. Not
/// `Content-Type`: lettre writes a multipart message's with the body, after signing, where
/// the signer cannot see it (the body hash covers the parts).
const DKIM_HEADERS: [&str; 9] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// relaxed/relaxed: lettre folds the `DKIM-Signature` line after hashing it, which only a
/// relaxed header canonicalisation survives; relaxed bodies survive relays' whitespace changes.
fn dkim_config(selector: &str, domain: &str, key: DkimSigningKey) -> DkimConfig {
    DkimConfig::new(
        selector.to_string(),
        domain.to_string(),
        key,
        DKIM_HEADERS
            .iter()
            .map(|h| HeaderName::new_from_ascii_str(h))
            .collect(),
        DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        },
    )
}

/// The key as lettre takes it: RSA as PKCS#1 PEM (converted from the PKCS#8 that
/// `openssl genrsa` writes on OpenSSL 3), Ed25519 as the base64 of its 32 raw bytes.
fn dkim_key(pem: &str) -> Result<(String, DkimSigningAlgorithm), String> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    if pem.contains("BEGIN RSA PRIVATE KEY") {
        return Ok((pem.to_string(), DkimSigningAlgorithm::Rsa));
    }
    if pem.contains("BEGIN PRIVATE KEY") {
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem.trim()).map_err(|e| {
            format!("not an RSA key in PKCS#8 PEM ({e}); use an RSA key, or an Ed25519 key as base64 of its 32 raw bytes")
        })?;
        let pkcs1 = key
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| format!("cannot convert the key: {e}"))?;
        return Ok((pkcs1.to_string(), DkimSigningAlgorithm::Rsa));
    }
    if pem.contains("BEGIN") {
        return Err("use an RSA key in PEM (`openssl genrsa -out key.pem 2048`) or an Ed25519 key as base64 of its 32 raw bytes".into());
    }
    Ok((pem.to_string(), DkimSigningAlgorithm::Ed25519))
}

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Relay {
    /// `.eml` files in a directory (created if missing): the zero-set-up default.
    Files(std::path::PathBuf),
    /// An SMTP server: `smtp://` upgrades with STARTTLS when offered (`?tls=required` insists)
    /// and pipelines commands when the server offers it on a plain session (`?pipelining=off`),
    /// `smtps://` is TLS from the first byte; at most `pool_size` connections.
    Smtp {
        /// `smtp://` or `smtps://`, with any credentials.
        url: url::Url,
        /// The most connections held open at once.
        pool_size: u32,
    },
}

/// Why a relay cannot be set up. The URL itself is never shown: it may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The directory for `.eml` files cannot be created.
    #[error("cannot create the mail directory {0}: {1}")]
    Dir(String, std::io::Error),
    /// The URL has no host lettre can connect to.
    #[error("the SMTP URL names no host, or not one lettre accepts")]
    Url,
    /// TLS cannot be set up for the host.
    #[error("{0}")]
    Tls(String),
}

fn smtp_transport(url: &url::Url, pool_size: u32) -> Result<Transport, RelayError> {
    let host = url.host_str().ok_or(RelayError::Url)?.to_string();
    // from_url understands smtp:// (opportunistic STARTTLS is not its default, so we pick
    // the TLS mode ourselves): smtps:// is TLS from the start; smtp:// upgrades with
    // STARTTLS when offered, or `?tls=required` insists on it.
    if url.scheme() == "smtp" {
        let required = url
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "required");
        // `?pipelining=off` sends one command at a time even to a server offering PIPELINING
        // (for a server that announces it but mishandles it, and to measure the difference).
        let pipelining = !url
            .query_pairs()
            .any(|(k, v)| k == "pipelining" && v == "off");
        let params =
            TlsParameters::new(host.clone()).map_err(|e| RelayError::Tls(e.to_string()))?;
        let tls = if required {
            StartTls::Required(params)
        } else {
            StartTls::Opportunistic(params)
        };
        let credentials = (!url.username().is_empty()).then(|| {
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Credentials::new(decode(url.username()), decode(url.password().unwrap_or("")))
        });
        return Ok(Transport::Pooled(Box::new(SmtpPool::new(
            host,
            url.port().unwrap_or(25),
            tls,
            credentials,
            pool_size.max(1) as usize,
            pipelining,
        ))));
    }
    let b = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        .map_err(|_| RelayError::Url)?;
    let pool = PoolConfig::new().max_size(pool_size.max(1));
    Ok(Transport::Smtp(
        b.pool_config(pool)
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build(),
    ))
}

/// The DKIM signer for `selector._domainkey.domain`, from a key in PEM (RSA) or base64 (Ed25519).
pub fn dkim(selector: &str, domain: &str, pem: &str) -> Result<DkimConfig, String> {
    let (pem, alg) = dkim_key(pem)?;
    let key = DkimSigningKey::new(pem.trim(), alg).map_err(|e| e.to_string())?;
    Ok(dkim_config(selector, domain, key))
}

/// Sends built messages; cheap to share.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    domain: String,
    dkim: Option<DkimConfig>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Pooled(_) => "smtp",
            Transport::Smtp(_) => "smtps",
            Transport::File(_) => "file",
        };
        write!(f, "Mailer({kind})")
    }
}

/// A message ready to build: already rendered, addressed to one person.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The recipient's address.
    pub to: &'a str,
    /// The subject line, before header cleaning.
    pub subject: &'a str,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, when there is one.
    pub html: Option<String>,
    /// `List-Id` value, e.g. `Community safety alerts <alerts.beacon.example>`.
    pub list_id: Option<&'a str>,
    /// The one-click unsubscribe URL (RFC 8058).
    pub unsubscribe_url: Option<&'a str>,
}

/// Header values come from files and forms: a CR or LF must never start a new header.
pub fn header_safe(v: &str) -> String {
    v.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

impl Mailer {
    /// A mailer sending from `from` through `relay`, signing with `dkim` when given.
    pub fn new(relay: Relay, from: Mailbox, dkim: Option<DkimConfig>) -> Result<Self, RelayError> {
        let domain = from.email.domain().to_string();
        let transport = match relay {
            Relay::Files(dir) => {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| RelayError::Dir(dir.display().to_string(), e))?;
                Transport::File(AsyncFileTransport::new(dir))
            }
            Relay::Smtp { url, pool_size } => smtp_transport(&url, pool_size)?,
        };
        Ok(Mailer {
            transport,
            from,
            domain,
            dkim,
        })
    }

    /// The message with its headers (From, To, List-Id, one-click unsubscribe), DKIM-signed when a key is set.
    pub fn build(&self, m: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox =
            m.to.parse()
                .map_err(|e| SendError::Bounce(format!("invalid address: {e}")))?;
        let mut b = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(header_safe(m.subject))
            .message_id(Some(format!(
                "<{}.{}@{}>",
                chrono::Utc::now().timestamp_micros(),
                crate::auth::token::random_id(),
                self.domain
            )))
            .date_now();
        if let Some(list_id) = m.list_id {
            b = b.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Id"),
                header_safe(list_id),
            ));
        }
        if let Some(url) = m.unsubscribe_url {
            b = b
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{}>", header_safe(url)),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let body = match &m.html {
            Some(html) => b.multipart(MultiPart::alternative_plain_html(
                m.text.clone(),
                html.clone(),
            )),
            None => b
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(m.text.clone()),
        };
        let mut msg =
            body.map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))?;
        if let Some(dkim) = &self.dkim {
            msg.sign(dkim);
        }
        Ok(msg)
    }

    /// Whether the transport can take mail now (for `/readyz`): a fresh SMTP connection that
    /// greets, upgrades and logs in as sending would, then quits; `file:` is always ready.
    pub async fn check_connection(&self) -> Result<(), String> {
        match &self.transport {
            Transport::Pooled(pool) => pool.check().await.map_err(|e| e.to_string()),
            Transport::Smtp(t) => match t.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer NOOP".into()),
                Err(e) => Err(e.to_string()),
            },
            Transport::File(_) => Ok(()),
        }
    }

    /// Hands the message to the transport; the error says whether trying again could help.
    pub async fn send(&self, msg: Message) -> Result<(), SendError> {
        match &self.transport {
            Transport::Pooled(pool) => {
                pool.send(msg.envelope(), &msg.formatted())
                    .await
                    .map_err(|e| match e {
                        SmtpError::Smtp(e) => classify(e),
                        SmtpError::Io(e) => SendError::Transient(format!("network: {e}")),
                    })
            }
            Transport::Smtp(t) => t.send(msg).await.map(|_| ()).map_err(classify),
            Transport::File(t) => t
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Transient(e.to_string())),
        }
    }
}

/// A reply is read by its enhanced status code (`smtp_reply`); connection trouble retries.
fn classify(e: lettre::transport::smtp::Error) -> SendError {
    let text = e.to_string();
    match e.status() {
        Some(code) => super::smtp_reply::classify(code.into(), &text),
        None => SendError::Transient(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_cannot_break_lines() {
        assert_eq!(
            header_safe("Hello\r\nBcc: victim@example.com"),
            "Hello  Bcc: victim@example.com"
        );
    }
}
