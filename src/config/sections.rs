//! One struct per section of `beacon.toml`, each with the defaults that run with no set-up.

use super::{Secret, redact_url};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://beacon.db` or `postgres://user@host/db`.
    pub url: String,
    pub max_connections: u32,
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://beacon.db".into(),
            max_connections: 8,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    /// Public address used in links in mail and feeds, without a trailing slash.
    pub base_url: String,
    pub request_timeout_secs: u64,
    /// A client must send a request's head within this; slow-header clients are cut off.
    pub header_read_timeout_secs: u64,
    /// Open connections at most; further clients wait in the listen queue.
    pub max_connections: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            max_connections: 512,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    pub dir: PathBuf,
    /// `beacon check` warns when one campaign fires more often than this in any 30 days.
    pub max_fires_per_30_days: u32,
    /// An editor's console change to a campaign that can send waits for an admin's approval.
    pub require_approval: bool,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        CalendarConfig {
            dir: PathBuf::from("campaigns"),
            max_fires_per_30_days: 4,
            require_approval: false,
        }
    }
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// `file:DIR`, `smtp://[user:pass@]host:port` (STARTTLS when offered, or plain on loopback),
    /// `smtp://…?tls=required`, or `smtps://…` (TLS from the start).
    pub transport: String,
    /// `Display Name <address>`.
    pub from: String,
    /// Connections kept open to the SMTP server.
    pub pool_size: u32,
    /// Optional DKIM signing: selector, domain and a PEM RSA or Ed25519 private key file.
    pub dkim_selector: Option<String>,
    pub dkim_domain: Option<String>,
    pub dkim_key_file: Option<PathBuf>,
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("transport", &redact_url(&self.transport))
            .field("from", &self.from)
            .field("pool_size", &self.pool_size)
            .field("dkim_selector", &self.dkim_selector)
            .field("dkim_domain", &self.dkim_domain)
            .field("dkim_key_file", &self.dkim_key_file)
            .finish()
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            transport: "file:outbox".into(),
            from: "Chiltern and South Bucks Community Safety <alerts@beacon.invalid>".into(),
            pool_size: 4,
            dkim_selector: None,
            dkim_domain: None,
            dkim_key_file: None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    /// Key for signing links in mail (unsubscribe, confirm, manage). When empty, a random key is
    /// made once and kept in the database, so links survive restarts.
    pub token_key: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Rows a worker claims at a time.
    pub batch_size: u32,
    /// Concurrent workers in one process.
    pub workers: u32,
    /// How long a claimed row stays claimed before another worker may take it.
    pub lease_secs: u64,
    /// Transient failures are retried with backoff for this long, then given up.
    pub retry_for_hours: u64,
    /// Per channel: messages per second (0 = unlimited) and a sliding window per hour.
    pub rate_per_second: u32,
    pub rate_per_hour: u32,
    /// Scheduler wake-up when nothing is due sooner.
    pub tick_secs: u64,
    /// A delivery process says it is alive this often, renewing the leases of rows it holds.
    pub heartbeat_secs: u64,
    /// A process silent this long is dead: its rows return to the queue at once.
    pub dead_after_secs: u64,
    /// Circuit breaker: over the last `breaker_window` attempts on a channel (at least
    /// `breaker_min_attempts`), more than `breaker_percent` failing permanently or with the same
    /// reply pauses the channel.
    pub breaker_window: u32,
    pub breaker_min_attempts: u32,
    pub breaker_percent: u32,
    /// While paused, one message is tried this often; when it goes through the channel resumes.
    pub probe_secs: u64,
    /// Messages a process may have sent but not yet recorded: the most a crash can repeat.
    /// 0 means `mail.pool_size` (the promise in the README).
    pub max_unrecorded: u32,
    /// A resident never gets the same campaign content twice within this window ("14d").
    pub repeat_window: String,
    /// Campaign e-mails a resident gets in any 7 days; more go into the weekly round-up
    /// (0 = no limit). Confirmation mail and `urgent` campaigns are exempt.
    pub max_per_resident_per_week: u32,
    /// Routine campaign e-mail due in this UK-time window waits until it ends ("" = none).
    pub quiet_hours: String,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            batch_size: 200,
            workers: 2,
            lease_secs: 300,
            retry_for_hours: 24,
            rate_per_second: 0,
            rate_per_hour: 0,
            tick_secs: 30,
            heartbeat_secs: 2,
            dead_after_secs: 15,
            breaker_window: 200,
            breaker_min_attempts: 50,
            breaker_percent: 20,
            probe_secs: 60,
            max_unrecorded: 0,
            repeat_window: "14d".into(),
            max_per_resident_per_week: 2,
            quiet_hours: "21:00-07:00".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// Feed aggregators whose "N subscribers" in the User-Agent is believed (matched,
    /// ignoring case, against the product name at the start of the User-Agent).
    pub aggregators: Vec<String>,
    /// The most readers one aggregator's claim may add to one feed in a day (also never more
    /// than the area's households).
    pub max_claimed_readers: u32,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        FeedsConfig {
            aggregators: [
                "Feedly",
                "Inoreader",
                "NewsBlur",
                "The Old Reader",
                "Feedbin",
                "BazQux",
                "Feedspot",
                "FreshRSS",
                "Tiny Tiny RSS",
                "Miniflux",
            ]
            .map(String::from)
            .to_vec(),
            max_claimed_readers: 5_000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DigestConfig {
    /// When weekly residents get their round-up (cron, Europe/London); empty turns digests off.
    pub schedule: String,
}

impl Default for DigestConfig {
    fn default() -> Self {
        DigestConfig {
            schedule: "30 8 * * Sat".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SignupConfig {
    /// Sign-up form posts accepted from one IP address per hour (0 = unlimited).
    pub per_ip_per_hour: u32,
    /// Read the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_forwarded_for: bool,
}

impl Default for SignupConfig {
    fn default() -> Self {
        SignupConfig {
            per_ip_per_hour: 30,
            trust_forwarded_for: false,
        }
    }
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    pub url: String,
    /// Standard Webhooks secret, `whsec_` followed by base64.
    pub secret: Secret,
    /// Priorities to send; empty means all.
    #[serde(default)]
    pub events: Vec<String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("name", &self.name)
            .field("url", &redact_url(&self.url))
            .field("secret", &self.secret)
            .field("events", &self.events)
            .finish()
    }
}

impl DeliveryConfig {
    /// The sending rules these settings describe, or what is wrong with them.
    pub fn sending_rules(&self) -> Result<crate::domain::SendingRules, String> {
        let quiet = self.quiet_hours.trim();
        Ok(crate::domain::SendingRules {
            repeat_window: crate::domain::sending::parse_window(&self.repeat_window)
                .map_err(|m| format!("delivery.repeat_window: {m}"))?,
            max_per_week: self.max_per_resident_per_week,
            quiet_hours: if quiet.is_empty() {
                None
            } else {
                Some(
                    quiet
                        .parse()
                        .map_err(|m| format!("delivery.quiet_hours: {m}"))?,
                )
            },
        })
    }
}
