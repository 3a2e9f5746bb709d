//! Beacon's integration tests: one binary, real databases, a real SMTP server, real HTTP.

// Test code: an unwrap that fails is a failed test, said where it failed.
#![allow(clippy::unwrap_used)]

// First: its `each_engine!` macro is used by the modules below.
#[macro_use]
mod support;

mod answers;
mod api;
mod app;
mod browser;
mod cli;
mod console;
mod crash;
mod crime;
mod delivery;
mod editor;
mod feed_negotiation;
mod feed_pages;
mod feed_validity;
mod feeds;
mod fixtures;
mod hardening;
mod leases;
mod observability;
mod operator;
mod outages;
mod places;
mod public_site;
mod reliability;
mod residents;
mod safe_sending;
mod security;
mod send_views;
mod smtp;
mod smtp_pipelining;
mod store;
mod webhooks;
