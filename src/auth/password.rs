//! Staff passwords: argon2id hashes in PHC format, and one-time passwords for new accounts.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

/// Hashes with argon2id and its recommended parameters, salted.
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// `true` when `password` matches the stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash of a password nobody has, so a login for an unknown address costs the same time.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&super::token::random_id()).unwrap_or_default())
}

/// NCSC guidance (and Cyber Essentials): a length floor rather than composition rules, no
/// forced expiry, and a deny list of the passwords people choose most.
pub const MIN_LENGTH: usize = 12;
/// Long passphrases are welcome; the ceiling only keeps argon2's input bounded.
pub const MAX_LENGTH: usize = 256;

const COMMON: &str = include_str!("common_passwords.txt");

/// Why a chosen password was refused, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Weak {
    /// Shorter than the minimum.
    #[error("Use at least {MIN_LENGTH} characters; three random words are easy to remember")]
    TooShort,
    /// Longer than the maximum.
    #[error("Use at most {MAX_LENGTH} characters")]
    TooLong,
    /// In the list of the most common passwords.
    #[error(
        "This is one of the passwords people choose most often; choose something less guessable"
    )]
    Common,
    /// Contains the account's e-mail address.
    #[error("Do not use your email address in your password")]
    ContainsEmail,
}

/// Whether `candidate` may become the password of the account `email`.
pub fn acceptable(candidate: &str, email: &str) -> Result<(), Weak> {
    let n = candidate.chars().count();
    if n < MIN_LENGTH {
        return Err(Weak::TooShort);
    }
    if n > MAX_LENGTH {
        return Err(Weak::TooLong);
    }
    let lower = candidate.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Err(Weak::ContainsEmail);
    }
    // "Password123!" and "!!password" are the listed word with padding either side.
    let core =
        lower.trim_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ');
    let squashed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let common = COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    for word in common {
        if lower == word || core == word || squashed == word {
            return Err(Weak::Common);
        }
    }
    // One character repeated is no better.
    if lower.chars().all(|c| lower.starts_with(c)) {
        return Err(Weak::Common);
    }
    Ok(())
}

/// A random password to hand over once: 20 characters without look-alikes.
pub fn generate() -> String {
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..20)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("Correct horse", &h));
        assert!(!verify("correct horse", "not a hash"));
        assert_ne!(hash("correct horse").unwrap(), h, "salted");
        assert_eq!(generate().len(), 20);
    }

    #[test]
    fn new_passwords_follow_ncsc_guidance() {
        let me = "ann.officer@example.org";
        assert_eq!(acceptable("short one", me), Err(Weak::TooShort));
        assert_eq!(acceptable("password1234", me), Err(Weak::Common));
        assert_eq!(acceptable("Password123456!", me), Err(Weak::Common));
        assert_eq!(acceptable("Qwertyuiop!!", me), Err(Weak::Common));
        assert_eq!(acceptable("aaaaaaaaaaaaaaa", me), Err(Weak::Common));
        assert_eq!(
            acceptable("correct horse battery staple", me),
            Err(Weak::Common)
        );
        assert_eq!(
            acceptable("ann.officer@example.org!", me),
            Err(Weak::ContainsEmail)
        );
        assert_eq!(acceptable(&"x".repeat(300), me), Err(Weak::TooLong));
        assert_eq!(acceptable("kettle lantern orchard", me), Ok(()));
        assert_eq!(acceptable(&generate(), me), Ok(()));
    }
}
