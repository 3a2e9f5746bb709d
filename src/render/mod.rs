//! Turning campaigns into what people read: e-mail (HTML and text), feeds and CAP alerts.

pub mod answers;
pub mod cap;
pub mod crime_text;
pub mod email;
pub mod feeds;
pub mod markdown;
pub mod resident_mail;
pub mod webhook;
pub mod words;
