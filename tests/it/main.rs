//! Beacon's integration tests: one binary, real databases, a real SMTP server, real HTTP.

// Test code: an unwrap that fails is a failed test, said where it failed.
#![allow(clippy::unwrap_used)]

// First: its `each_engine!` macro is used by the modules below.
#[macro_use]
mod support;

mod app;
mod browser;
mod cli;
mod console;
mod crash;
mod delivery;
mod editor;
mod feeds;
mod fixtures;
mod hardening;
mod leases;
mod operator;
mod outages;
mod places;
mod reliability;
mod residents;
mod safe_sending;
mod security;
mod send_views;
mod smtp;
mod store;
mod webhooks;
