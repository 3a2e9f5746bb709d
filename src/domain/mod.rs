//! Validated newtypes and pure logic: no I/O, no clock reads (time is passed in).

#![warn(missing_docs)]

pub mod area;
pub mod campaign;
pub mod channel;
pub mod crime;
pub mod crime_vars;
pub mod cron_fields;
pub mod district;
pub mod email;
pub mod feed_item;
pub mod geography;
pub mod numbers;
pub mod outcome;
pub mod pipeline;
pub mod postcode;
pub mod priority;
pub mod role;
pub mod schedule;
pub mod schedule_words;
pub mod season;
pub mod sending;
pub mod signup;
pub mod suggest;
pub mod survey;

pub use area::{Area, AreaDirectory, AreaTarget, Resolution};
pub use campaign::Campaign;
pub use channel::Channel;
pub use district::District;
pub use email::Email;
pub use feed_item::FeedItem;
pub use pipeline::{
    OutboxChannel, OutboxKind, OutboxStatus, RunState, RunStatus, SubscriberStatus,
};
pub use postcode::{Postcode, PostcodePrefix};
pub use priority::Priority;
pub use role::Role;
pub use schedule::{LONDON, Schedule};
pub use season::{MonthDay, Season};
pub use sending::{QuietHours, SendingRules};
