//! `[crime]`: recorded crime from data.police.uk, fetched monthly when asked to.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CrimeConfig {
    /// Pull each newly published month from the data.police.uk API (`beacon serve` checks daily).
    pub fetch: bool,
    /// The API's base address.
    pub api_base: String,
    /// Hours between checks for a newly published month.
    pub check_every_hours: u64,
}

impl Default for CrimeConfig {
    fn default() -> Self {
        CrimeConfig {
            fetch: false,
            api_base: "https://data.police.uk/api".into(),
            check_every_hours: 24,
        }
    }
}
