//! Keeping the settings' secrets out of logs: `Secret`, and URLs shown without their passwords.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value that must never reach a log: `Debug` prints `"***"`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// A URL fit to show: any password replaced by `***`, even when the URL does not parse
/// (an error about a malformed URL must not print the secret inside it).
pub fn redact_url(url: &str) -> String {
    if let Ok(mut u) = url::Url::parse(url) {
        if u.password().is_some() && u.set_password(Some("***")).is_ok() {
            return u.to_string();
        }
        if u.password().is_none() {
            return u.to_string();
        }
    }
    // Unparsable: hide everything between the scheme and the last `@` of the authority.
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let user = rest[..at].split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***{}", &rest[at..])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_urls_never_show_their_password() {
        for url in [
            "postgres://beacon:s3cret@db.example:99999/beacon",
            "postgres://beacon:s3cret@db example/beacon",
            "smtp://alerts:s3cret@mail.example:notaport",
            "smtps://alerts:s3cret@[::1/",
            "postgres://beacon:s3cret@db.example/beacon",
            "postgres://beacon:s3cret@@db.example/beacon",
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains("s3cret"), "{url} shown as {shown}");
        }
        assert_eq!(redact_url("sqlite://beacon.db"), "sqlite://beacon.db");
    }
}
