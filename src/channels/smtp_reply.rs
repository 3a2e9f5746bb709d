//! What an SMTP reply says about the recipient, read by its enhanced status code (RFC 3463).
//!
//! Only a mailbox-level permanent failure judges the resident (their address is suppressed).
//! Policy, relay, authentication, network and system failures (5.7.x, 5.4.x, 5.3.x, 5.5.x …)
//! say something about us or the server, so the message fails without judging anyone; a bare
//! code without an enhanced status (`550 IP address on blocklists`) is read the same way.

use super::SendError;

/// The enhanced status code (`class.subject.detail`) at the start of a reply's text.
pub fn enhanced_code(text: &str) -> Option<(u16, u16, u16)> {
    text.split(|c: char| c.is_whitespace() || c == ':' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .find_map(|w| {
            let mut parts = w.trim_end_matches(['.', ',']).split('.');
            let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || a.len() != 1 {
                return None;
            }
            let class: u16 = a.parse().ok()?;
            (matches!(class, 2 | 4 | 5)).then_some(())?;
            Some((class, b.parse().ok()?, c.parse().ok()?))
        })
}

/// Mailbox-level and permanent: the address itself is bad (5.1.x except the sender's own
/// 5.1.7/5.1.8) or the mailbox is disabled (5.2.1).
pub fn is_mailbox_failure(code: (u16, u16, u16)) -> bool {
    matches!(code, (5, 1, d) if d != 7 && d != 8) || code == (5, 2, 1)
}

/// A reply that asks us to slow down: 421 (the server is closing), or 4.7.x (policy, often a
/// rate limit).
pub fn is_throttle(code: u16, text: &str) -> bool {
    code == 421 || matches!(enhanced_code(text), Some((4, 7, _)))
}

/// The same, read from lettre's error text (`transient error (421): …`).
pub fn throttle_in_text(text: &str) -> bool {
    let code = text
        .split(['(', ')'])
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .unwrap_or(0);
    is_throttle(code, text)
}

/// Classifies a negative reply with basic `code` and the full text.
pub fn classify(code: u16, text: &str) -> SendError {
    let text = text.to_string();
    if !(500..600).contains(&code) {
        return SendError::Transient(text);
    }
    match enhanced_code(&text) {
        Some(c) if is_mailbox_failure(c) => SendError::Bounce(text),
        _ => SendError::Permanent(text),
    }
}

/// A short key for "the same reply": the basic code and the enhanced code, or the first words.
/// Used to count identical failures (the breaker, log de-duplication), never shown per person.
pub fn reply_key(error: &str) -> String {
    let code = error
        .split(['(', ')'])
        .nth(1)
        .filter(|c| c.len() == 3 && c.chars().all(|d| d.is_ascii_digit()));
    match (code, enhanced_code(error)) {
        (Some(c), Some((a, b, d))) => format!("{c} {a}.{b}.{d}"),
        (Some(c), None) => c.to_string(),
        _ => error
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .take(48)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mailbox_failures_bounce() {
        assert!(matches!(
            classify(
                550,
                "5.1.1 <x@example.com>: Recipient address rejected: User unknown"
            ),
            SendError::Bounce(_)
        ));
        assert!(matches!(
            classify(550, "5.2.1 Mailbox disabled"),
            SendError::Bounce(_)
        ));
        assert!(matches!(
            classify(553, "5.1.3 Bad recipient address syntax"),
            SendError::Bounce(_)
        ));
        for (code, text) in [
            (550, "5.7.1 Relaying denied"),
            (554, "5.7.1 Service unavailable; client host blocked"),
            (500, "5.3.0 Other mail system problem"),
            (554, "5.4.0 Routing loop"),
            (550, "5.5.0 Syntax error"),
            (552, "5.2.2 Mailbox full"),
            (550, "5.1.7 Bad sender's mailbox address syntax"),
            (550, "IP address on blocklists"),
            (550, "Mailbox unavailable"),
        ] {
            assert!(
                matches!(classify(code, text), SendError::Permanent(_)),
                "{code} {text} must not suppress the resident"
            );
        }
        assert!(matches!(
            classify(451, "4.3.0 Try later"),
            SendError::Transient(_)
        ));
    }

    #[test]
    fn enhanced_codes_are_found_in_lettre_error_text() {
        assert_eq!(
            enhanced_code("permanent error (550): 5.7.1 Relaying denied"),
            Some((5, 7, 1))
        );
        assert_eq!(
            enhanced_code("permanent error (550): Mailbox unavailable"),
            None
        );
        assert_eq!(
            enhanced_code("version 1.2.3 said 5.1.10 nope"),
            Some((5, 1, 10))
        );
        assert_eq!(
            reply_key("permanent error (550): 5.7.1 Relaying denied <a@b>"),
            "550 5.7.1"
        );
    }

    #[test]
    fn rate_limit_replies_are_throttles() {
        assert!(is_throttle(421, "4.7.0 Too many connections"));
        assert!(is_throttle(450, "4.7.1 Rate limited, slow down"));
        assert!(!is_throttle(451, "4.3.0 Local error"));
    }
}
