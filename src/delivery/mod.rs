//! Workers that drain the outbox: claim a batch with a lease, send, record every outcome.

mod backoff;
mod breaker;
mod compose;
mod content;
mod lease;
mod limits;
mod recorder;
mod report;
mod resident_mail;
mod state;
mod worker;

pub use backoff::retry_at;
pub use breaker::BreakerSettings;
pub use content::Context;
pub use limits::Limits;
pub use report::WorkerReport;
pub use state::{Reliability, WorkerState};
pub use worker::Worker;
