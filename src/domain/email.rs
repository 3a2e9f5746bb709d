//! A resident's e-mail address, validated and normalised.

use std::fmt;
use std::str::FromStr;

/// Why an address was refused; the message is written for the resident.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was typed.
    #[error("Enter an email address")]
    Empty,
    /// Not an address mail can be sent to.
    #[error("Enter an email address in the correct format, like name@example.com")]
    Invalid,
}

/// An e-mail address that parsed as RFC 5322 `addr-spec`, trimmed, with its domain lower-cased.
///
/// The local part keeps its case (RFC 5321 says it may matter); the domain never does,
/// so `Ann@Example.COM` and `Ann@example.com` are the same subscriber.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Trims and checks an address typed by a resident; the domain is lower-cased.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if !trimmed.chars().all(smtp_can_carry) {
            return Err(EmailError::Invalid);
        }
        let parsed =
            email_address::EmailAddress::from_str(trimmed).map_err(|_| EmailError::Invalid)?;
        // A quoted local part (`"a,b"@…`) is valid RFC 5322 but breaks in many mail systems
        // and in our CSV and header handling; no resident needs one.
        if parsed.local_part().starts_with('"') {
            return Err(EmailError::Invalid);
        }
        // Display names ("Ann <ann@x>") are not an address a resident types into a form.
        if parsed.display_part() != "" || trimmed.contains('<') {
            return Err(EmailError::Invalid);
        }
        let domain = parsed.domain();
        if !domain.contains('.') || domain.starts_with('[') {
            return Err(EmailError::Invalid);
        }
        Ok(Email(format!(
            "{}@{}",
            parsed.local_part(),
            domain.to_ascii_lowercase()
        )))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A character an SMTP envelope (with SMTPUTF8) carries safely: no controls (C0, C1 such as
/// U+0085), no spaces, no invisible formatting marks, and not U+FFFD, which is what invalid
/// UTF-8 in a form turns into.
fn smtp_can_carry(c: char) -> bool {
    !(c.is_control()
        || c.is_whitespace()
        || c == '\u{fffd}'
        || c == '\u{feff}'
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2060}'..='\u{206f}').contains(&c))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Addresses are personal data: `Debug` (and so every log line) shows only the domain.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit('@').next().unwrap_or("");
        write!(f, "Email(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_domain_lowercased() {
        let e = Email::parse("  Ann.Smith@Example.CO.UK ").unwrap();
        assert_eq!(e.as_str(), "Ann.Smith@example.co.uk");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "   ",
            "ann",
            "ann@",
            "@example.com",
            "ann@localhost",
            "ann smith@example.com",
            "Ann <ann@example.com>",
            "ann@example.com\r\nBcc: x@y.z",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn addresses_smtp_cannot_carry_are_refused() {
        for bad in [
            "\"a,b\"@example.com",
            "\"ann\"@example.com",
            "ann\u{85}@example.com",
            "ann\u{fffd}@example.com",
            "ann\u{7f}@example.com",
            "ann\u{200b}@example.com",
            "ann@exam\u{85}ple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        for good in [
            "o'neil+alerts@example.com",
            "zoë@example.com",
            "a.b-c_d@sub.example.com",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} should be accepted");
        }
    }

    #[test]
    fn debug_hides_the_local_part() {
        let e = Email::parse("secret.person@example.com").unwrap();
        assert_eq!(format!("{e:?}"), "Email(***@example.com)");
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_valid_output_has_no_line_breaks(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert!(!e.as_str().contains(['\r', '\n']));
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
            }
        }
    }
}
