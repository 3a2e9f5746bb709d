//! The outbound adapters built from the settings: the mailer (`mail.*`) and the partners'
//! webhook endpoints (`[[webhooks]]`). The rooms that send take these, never the settings.

use crate::channels::email::{Mailer, Relay, RelayError, dkim};
use crate::channels::webhook::Endpoint;
use crate::config::{MailConfig, WebhookConfig, redact_url};
use lettre::message::Mailbox;

/// Why the mailer could not be set up from `[mail]`.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    /// `mail.transport` names no transport Beacon knows.
    #[error("mail.transport `{0}` is not file:DIR, smtp://HOST:PORT or smtps://HOST:PORT")]
    Transport(String),
    /// `mail.from` is not a mailbox.
    #[error("mail.from `{0}` is not an address like `Name <name@example.org>`")]
    From(String),
    /// The directory for `file:` mail cannot be created.
    #[error("cannot create the mail directory {0}: {1}")]
    Dir(String, std::io::Error),
    /// The DKIM key or selector cannot be used.
    #[error("DKIM: {0}")]
    Dkim(String),
}

/// The mailer `mail.*` describes: `.eml` files under `file:DIR`, or an SMTP relay.
pub fn mailer(c: &MailConfig) -> Result<Mailer, MailSetupError> {
    let from: Mailbox = c
        .from
        .parse()
        .map_err(|_| MailSetupError::From(c.from.clone()))?;
    let bad_transport = || MailSetupError::Transport(redact_url(&c.transport));
    let relay = if let Some(dir) = c.transport.strip_prefix("file:") {
        Relay::Files(dir.into())
    } else if c.transport.starts_with("smtp://") || c.transport.starts_with("smtps://") {
        Relay::Smtp {
            url: url::Url::parse(&c.transport).map_err(|_| bad_transport())?,
            pool_size: c.pool_size,
        }
    } else {
        return Err(bad_transport());
    };
    let dkim = match (&c.dkim_selector, &c.dkim_domain, &c.dkim_key_file) {
        (Some(sel), Some(dom), Some(file)) => {
            let pem = std::fs::read_to_string(file).map_err(|e| {
                MailSetupError::Dkim(format!("cannot read {}: {e}", file.display()))
            })?;
            let signer = dkim(sel, dom, &pem)
                .map_err(|why| MailSetupError::Dkim(format!("{}: {why}", file.display())))?;
            Some(signer)
        }
        (None, None, None) => None,
        _ => {
            return Err(MailSetupError::Dkim(
                "set all of mail.dkim_selector, mail.dkim_domain and mail.dkim_key_file, or none"
                    .into(),
            ));
        }
    };
    Mailer::new(relay, from, dkim).map_err(|e| match e {
        RelayError::Dir(dir, e) => MailSetupError::Dir(dir, e),
        RelayError::Tls(why) => MailSetupError::Transport(why),
        RelayError::Url => bad_transport(),
    })
}

/// Where the scheduler addresses webhook rows and the workers post them.
pub fn webhook_endpoints(hooks: &[WebhookConfig]) -> Vec<Endpoint> {
    hooks
        .iter()
        .map(|h| Endpoint {
            name: h.name.clone(),
            url: h.url.clone(),
            secret: h.secret.expose().to_string(),
            events: h.events.clone(),
        })
        .collect()
}

/// `/readyz`'s mail check: a fresh connection through the transport `mail.*` describes (built
/// once; the check opens a connection of its own each time, so it tells the truth of the moment).
pub fn mail_check(c: &MailConfig) -> crate::web::MailCheck {
    let mailer = mailer(c)
        .map(std::sync::Arc::new)
        .map_err(|e| e.to_string());
    std::sync::Arc::new(move || {
        let mailer = mailer.clone();
        Box::pin(async move {
            match mailer {
                Ok(m) => m
                    .check_connection()
                    .await
                    .map_err(|e| format!("cannot connect: {e}")),
                Err(e) => Err(e),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_smtp_url_error_hides_its_password() {
        let c = MailConfig {
            transport: "smtp://alerts:s3cret@mail.example:notaport".into(),
            ..MailConfig::default()
        };
        let Err(e) = mailer(&c) else {
            panic!("a malformed URL is refused");
        };
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
