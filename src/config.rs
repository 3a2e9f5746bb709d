//! Layered settings: defaults in code → `beacon.toml` → `BEACON_SECTION__KEY` env → CLI flags.

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod crime_section;
mod observe;
mod organisation;
mod redact;
mod sections;
pub use crime_section::CrimeConfig;
pub use observe::{LogConfig, LogFormat, MetricsConfig};
pub use organisation::OrganisationConfig;
pub use redact::{Secret, redact_url};
pub use sections::{
    CalendarConfig, DatabaseConfig, DeliveryConfig, DigestConfig, FeedsConfig, MailConfig,
    SecretsConfig, ServerConfig, SignupConfig, WebhookConfig,
};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub calendar: CalendarConfig,
    pub mail: MailConfig,
    pub secrets: SecretsConfig,
    pub delivery: DeliveryConfig,
    pub digest: DigestConfig,
    pub signup: SignupConfig,
    pub feeds: FeedsConfig,
    pub webhooks: Vec<WebhookConfig>,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
    pub crime: CrimeConfig,
    pub organisation: OrganisationConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
}

/// Environment variables that name things other than settings.
const NOT_SETTINGS: [&str; 3] = ["CONFIG", "TEST_POSTGRES", "LOG_FORMAT"];

impl Config {
    /// Defaults, then the file (`explicit` must exist; otherwise `beacon.toml` if present),
    /// then `BEACON_*` variables from `env`.
    pub fn load_from(
        explicit: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match explicit {
            Some(p) if !p.exists() => return Err(ConfigError::Missing(p.to_path_buf())),
            Some(p) => fig = fig.merge(Toml::file_exact(p)),
            None if Path::new("beacon.toml").exists() => {
                fig = fig.merge(Toml::file_exact("beacon.toml"))
            }
            None => {}
        }
        let vars: Vec<(String, String)> = env
            .into_iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix("BEACON_")?;
                (!NOT_SETTINGS.iter().any(|n| key.starts_with(n)))
                    .then(|| (key.to_ascii_lowercase().replace("__", "."), v))
            })
            .collect();
        for (key, value) in vars {
            fig = fig.merge((key.as_str(), parse_env_value(&value)));
        }
        fig.extract().map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// As `load_from`, reading the process environment and `BEACON_CONFIG`.
    pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let from_env = std::env::var_os("BEACON_CONFIG").map(PathBuf::from);
        Config::load_from(explicit.or(from_env.as_deref()), std::env::vars())
    }
}

/// Env values are strings; numbers and booleans are read as such, as figment's `Env` does.
fn parse_env_value(v: &str) -> figment::value::Value {
    use figment::value::Value;
    v.parse::<figment::value::Value>()
        .unwrap_or_else(|_| Value::from(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_setup() {
        let c = Config::load_from(None, env(&[])).unwrap();
        assert_eq!(c.database.url, "sqlite://beacon.db");
        assert_eq!(c.server.listen, "127.0.0.1:8080");
        assert_eq!(c.mail.transport, "file:outbox");
        assert_eq!(c.calendar.dir, PathBuf::from("campaigns"));
        assert_eq!(
            c.delivery.sending_rules().unwrap(),
            crate::domain::SendingRules::default()
        );
        let mut d = c.delivery.clone();
        d.quiet_hours = String::new();
        assert_eq!(d.sending_rules().unwrap().quiet_hours, None);
        d.quiet_hours = "9pm-7am".into();
        assert!(
            d.sending_rules()
                .unwrap_err()
                .starts_with("delivery.quiet_hours:")
        );
    }

    #[test]
    fn file_then_env_override_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("b.toml");
        std::fs::write(&f, "[mail]\ntransport = \"smtp://a:25\"\npool_size = 2\n[server]\nlisten = \"0.0.0.0:1\"\n").unwrap();
        let c = Config::load_from(
            Some(&f),
            env(&[
                ("BEACON_MAIL__TRANSPORT", "smtp://127.0.0.1:2525"),
                ("BEACON_DELIVERY__BATCH_SIZE", "7"),
                ("BEACON_CONFIG", "ignored"),
                ("BEACON_TEST_POSTGRES", "ignored"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.mail.transport, "smtp://127.0.0.1:2525");
        assert_eq!(c.mail.pool_size, 2);
        assert_eq!(c.server.listen, "0.0.0.0:1");
        assert_eq!(c.delivery.batch_size, 7);
    }

    #[test]
    fn unknown_keys_and_missing_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("b.toml");
        std::fs::write(&f, "[mail]\ntransprot = \"x\"\n").unwrap();
        assert!(
            Config::load_from(Some(&f), env(&[]))
                .unwrap_err()
                .to_string()
                .contains("transprot")
        );
        assert!(matches!(
            Config::load_from(Some(&dir.path().join("nope.toml")), env(&[])),
            Err(ConfigError::Missing(_))
        ));
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let mut c = Config::default();
        c.secrets.token_key = Secret("hunter2".into());
        c.database.url = "postgres://beacon:pw123@db/beacon".into();
        c.mail.transport = "smtps://u:mailpw@mail.example.com:465".into();
        let s = format!("{c:?}");
        assert!(
            !s.contains("hunter2") && !s.contains("pw123") && !s.contains("mailpw"),
            "{s}"
        );
    }
}
