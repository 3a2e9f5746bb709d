//! Beacon: the Chiltern and South Bucks Community Safety Partnership's campaign and alert service.
//!
//! Rooms, lowest first (see DESIGN.md): `domain` → `calendar`, `store` → `render` → `channels`
//! → `scheduler`, `delivery`, `reach` → `web` → `config`, `app`, `cli`.

#![forbid(unsafe_code)]

pub mod app;
pub mod bulk;
pub mod calendar;
pub mod channels;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod reach;
pub mod render;
pub mod scheduler;
pub mod store;
pub mod web;
