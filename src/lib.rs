//! Beacon: the Chiltern and South Bucks Community Safety Partnership's campaign and alert service.
//!
//! Rooms, lowest first (ARCHITECTURE.md has the table; `tests/architecture.rs` enforces it):
//! `domain` → `auth`, `calendar`, `store`, `render`, `config` → `channels`, `bulk`, `crime`, `reach` →
//! `scheduler`, `delivery` → `web` → `app` → `cli`.

#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod bulk;
pub mod calendar;
pub mod channels;
pub mod cli;
pub mod config;
pub mod crime;
pub mod delivery;
pub mod domain;
pub mod reach;
pub mod render;
pub mod scheduler;
pub mod store;
pub mod web;
