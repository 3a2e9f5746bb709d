//! Progress for long commands: a bar on standard error while standard output is a terminal,
//! nothing otherwise (scripts and pipes get only the final summary line).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Whether to draw: a person is watching standard output.
pub fn wanted() -> bool {
    std::io::stdout().is_terminal()
}

/// A bar counting `what` towards a length set later; hidden unless `wanted()`.
pub fn bar(what: &str) -> ProgressBar {
    if !wanted() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template("{msg:<20} {wide_bar} {human_pos}/{human_len} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b.set_message(what.to_string());
    b
}

/// A counter for work of unknown length; hidden unless `wanted()`.
pub fn spinner(template: &str) -> ProgressBar {
    if !wanted() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    b.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    b
}
