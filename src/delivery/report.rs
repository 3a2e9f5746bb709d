//! What one worker step did: each row's outcome counted once.

use super::recorder::Outcome;
use crate::store::Failure;

/// The counts of one `Worker::run_once`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WorkerReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Put back untried: a rate limit, a throttling server, a paused channel, a lost lease.
    pub deferred: usize,
}

/// Which count one outcome adds to.
pub(super) enum Tally {
    Sent,
    Cancelled,
    Deferred,
    Retried,
    Failed,
}

pub(super) fn tally(o: &Outcome) -> Tally {
    match o {
        Outcome::Sent => Tally::Sent,
        Outcome::Cancel => Tally::Cancelled,
        Outcome::GiveBack(_) => Tally::Deferred,
        Outcome::Failed {
            failure: Failure::Retry(_),
            ..
        } => Tally::Retried,
        Outcome::Failed { .. } => Tally::Failed,
    }
}

/// Counts one outcome for `/metrics`, by channel and outcome.
pub(super) fn count(channel: &'static str, t: &Tally) {
    let outcome = match t {
        Tally::Sent => "sent",
        Tally::Cancelled => "cancelled",
        Tally::Deferred => "deferred",
        Tally::Retried => "retried",
        Tally::Failed => "failed",
    };
    metrics::counter!("beacon_sends_total", "channel" => channel, "outcome" => outcome)
        .increment(1);
}
