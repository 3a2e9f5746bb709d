//! Workers that drain the outbox: claim a batch with a lease, send, record every outcome.

mod backoff;
mod content;
mod resident_mail;
mod worker;

pub use backoff::retry_at;
pub use content::Context;
pub use worker::{Limits, Worker, WorkerReport};
