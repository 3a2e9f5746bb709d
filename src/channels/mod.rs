//! Outbound adapters. Each failure says whether trying again could help.

#![warn(missing_docs)]

pub mod email;
mod smtp_pipeline;
mod smtp_pool;
pub mod smtp_reply;
pub mod webhook;

/// Why a send failed, and so whether to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: a 4xx SMTP reply, a timeout, a refused connection, HTTP 5xx/429.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Retrying will not help: a 5xx SMTP reply, HTTP 4xx, a message we could not build.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The mailbox does not exist or refuses mail: stop writing to this address.
    #[error("hard bounce: {0}")]
    Bounce(String),
}
