//! Beacon: the Chiltern and South Bucks Community Safety Partnership's campaign and alert service.
//!
//! Rooms, lowest first (see DESIGN.md): `domain` → `calendar`, `store` → `render` → `channels`
//! → `scheduler`, `delivery`, `reach` → `web` → `config`, `app`.

pub mod calendar;
pub mod domain;
