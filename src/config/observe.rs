//! Settings for watching Beacon run: where `/metrics` is served and how logs are written.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Serve `/metrics` on this address of its own (e.g. `127.0.0.1:9090`), so it need not be
    /// public; empty serves it on the main listener.
    pub listen: String,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`; `beacon serve --log-format` and `BEACON_LOG_FORMAT` override it.
    pub format: LogFormat,
}
