//! The states a message, a run and a resident move through, as the database spells them.
//!
//! Each converts to and from its stored string (`strum`), so the store reads them from rows and
//! the workers `match` on them exhaustively; `domain/` stays free of the database crate.

use strum::{AsRefStr, Display, EnumString, IntoStaticStr};

/// Implements `TryFrom<String>` (how rows are decoded), `as_str` and `Serialize` as the stored string.
macro_rules! stored_as_text {
    ($($t:ty),*) => {$(
        impl TryFrom<String> for $t {
            type Error = strum::ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $t {
            /// The string stored in the database.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    )*};
}

/// What an outbox row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum OutboxKind {
    /// One resident's copy of a campaign run.
    Campaign,
    /// One partner's post of a run.
    Webhook,
    /// A link to confirm a sign-up (or a request to change one).
    Confirm,
    /// "You are already subscribed", sent instead of a confirmation to a confirmed address.
    Already,
    /// Fresh manage and unsubscribe links, asked for on the manage page.
    Links,
    /// A weekly round-up of the messages held back for it.
    Digest,
    /// A test send from the console; its payload carries the message.
    Test,
}

/// Where an outbox row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum OutboxStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a worker, under a lease.
    Sending,
    /// Handed to the channel.
    Sent,
    /// Given up on.
    Failed,
    /// Not to be sent after all (the resident left since fan-out).
    Cancelled,
}

/// How far a run's fan-out has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum RunStatus {
    /// Outbox rows are still being written.
    Fanning,
    /// Every row is written.
    Queued,
    /// Done.
    Finished,
    /// Recorded, but nothing published or sent.
    Skipped,
}

/// A run's delivery as an operator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
pub enum RunState {
    /// Nothing sent yet.
    #[strum(serialize = "queued")]
    Queued,
    /// Some rows sent, some still waiting.
    #[strum(serialize = "sending")]
    Sending,
    /// Every row sent.
    #[strum(serialize = "sent")]
    Sent,
    /// Settled, with at least one row given up on.
    #[strum(serialize = "sent with failures")]
    SentWithFailures,
    /// Recorded, but nothing published or sent.
    #[strum(serialize = "skipped")]
    Skipped,
}

/// Where a resident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum SubscriberStatus {
    /// Signed up, not yet confirmed.
    Pending,
    /// Confirmed: receives what they chose.
    Confirmed,
    /// Left.
    Unsubscribed,
    /// Suppressed after a hard bounce.
    Bounced,
    /// Personal data erased; the row stays for counts.
    Erased,
}

/// The lane an outbox row waits in: a channel, or the weekly round-up no worker claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, AsRefStr, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum OutboxChannel {
    /// Sent by the e-mail worker.
    Email,
    /// Posted by the webhook worker.
    Webhook,
    /// Held for the weekly round-up.
    Digest,
}

stored_as_text!(
    OutboxKind,
    OutboxStatus,
    RunStatus,
    RunState,
    SubscriberStatus,
    OutboxChannel
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_what_they_store() {
        assert_eq!(RunState::SentWithFailures.as_str(), "sent with failures");
        assert_eq!("sent with failures".parse(), Ok(RunState::SentWithFailures));
        assert_eq!(
            OutboxKind::try_from("links".to_string()),
            Ok(OutboxKind::Links)
        );
        assert_eq!(SubscriberStatus::Confirmed.to_string(), "confirmed");
        assert!(OutboxStatus::try_from("lost".to_string()).is_err());
    }
}
