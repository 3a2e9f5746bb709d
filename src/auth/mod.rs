//! Signed resident links, staff passwords and random ids: the crypto (hmac, argon2, rand) kept
//! out of `domain/`, which stays pure. Imports only `domain`.

pub mod answer;
pub mod password;
pub mod token;
