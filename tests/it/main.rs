//! Beacon's integration tests: one binary, real databases, real processes.

mod cli;
mod store;
mod support;
