//! Three plain-English sentences a board member reads first: what was sent, whom it reached,
//! and how the plan's targets stand. Built from the report's figures alone, so it is testable.

use super::numbers::{decimal, thousands};
use super::{OutcomeStatus, Period, Report};
use crate::domain::outcome::Rag;

fn span(p: &Period) -> String {
    if p.from.format("%Y").to_string() == p.to.format("%Y").to_string() {
        format!(
            "{} to {}",
            p.from.format("%-d %B"),
            p.to.format("%-d %B %Y")
        )
    } else {
        format!(
            "{} to {}",
            p.from.format("%-d %B %Y"),
            p.to.format("%-d %B %Y")
        )
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// What was sent, with the period before beside it.
fn sent(r: &Report) -> String {
    let runs: i64 = r.campaigns.iter().map(|c| c.counts.runs).sum();
    let campaigns = r.campaigns.iter().filter(|c| c.counts.runs > 0).count() as i64;
    let t = &r.totals;
    let was = r
        .previous
        .as_ref()
        .map(|p| format!(" ({} in the period before)", thousands(p.totals.delivered)))
        .unwrap_or_default();
    if runs == 0 {
        return format!(
            "From {}, no campaign messages were sent{was}.",
            span(&r.period)
        );
    }
    let attempted = t
        .delivered
        .saturating_add(t.failed)
        .saturating_add(t.bounced);
    let rate = if attempted > 0 {
        format!(
            ", {}% of those attempted",
            decimal(t.delivered as f64 * 100.0 / attempted as f64)
        )
    } else {
        String::new()
    };
    format!(
        "From {}, the partnership made {} across {} and {} reached residents' inboxes{rate}{was}.",
        span(&r.period),
        plural(runs, "send", "sends"),
        plural(campaigns, "campaign", "campaigns"),
        plural(t.delivered, "message", "messages"),
    )
}

/// Whom it reached: subscribers at the start and end, sign-ups, feed readers.
fn reached(r: &Report) -> String {
    let t = &r.totals;
    let movement = match t.subscribers.cmp(&t.baseline_subscribers) {
        std::cmp::Ordering::Greater => format!(
            "rose from {} to {}{}",
            thousands(t.baseline_subscribers),
            thousands(t.subscribers),
            t.growth_pct
                .map(|g| format!(" (up {}%)", decimal(g)))
                .unwrap_or_default()
        ),
        std::cmp::Ordering::Less => format!(
            "fell from {} to {}{}",
            thousands(t.baseline_subscribers),
            thousands(t.subscribers),
            t.growth_pct
                .map(|g| format!(" (down {}%)", decimal(-g)))
                .unwrap_or_default()
        ),
        std::cmp::Ordering::Equal => format!("stayed at {}", thousands(t.subscribers)),
    };
    let readers = if t.feed_readers > 0 {
        format!(
            ", and about {} a day read the alerts by feed",
            plural(t.feed_readers, "person", "people")
        )
    } else {
        String::new()
    };
    format!(
        "Confirmed subscribers {movement}, with {}{readers}.",
        plural(t.signups, "new sign-up", "new sign-ups")
    )
}

fn worst(outcomes: &[OutcomeStatus]) -> Option<&OutcomeStatus> {
    // The red one furthest from its target, relative to the target's size.
    outcomes
        .iter()
        .filter(|o| o.rag == Rag::Red)
        .filter_map(|o| {
            o.actual
                .map(|a| (o, (a - o.target).abs() / o.target.abs().max(1e-9)))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(o, _)| o)
}

/// How the targets stand, naming the one furthest off.
fn targets(r: &Report) -> String {
    let count = |rag: Rag| r.outcomes.iter().filter(|o| o.rag == rag).count() as i64;
    let (green, amber, red, grey) = (
        count(Rag::Green),
        count(Rag::Amber),
        count(Rag::Red),
        count(Rag::Grey),
    );
    let n = r.outcomes.len() as i64;
    if n == 0 {
        return "No outcome targets are set, so none can be reported against.".into();
    }
    if n == grey {
        return format!(
            "None of the {} has data to measure yet.",
            plural(n, "outcome target", "outcome targets")
        );
    }
    let mut parts = vec![format!("{} on target", thousands(green))];
    if amber > 0 {
        parts.push(format!("{} close (amber)", thousands(amber)));
    }
    if red > 0 {
        parts.push(format!("{} off target (red)", thousands(red)));
    }
    if grey > 0 {
        parts.push(format!("{} without data yet", thousands(grey)));
    }
    let listed = match parts.len() {
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    };
    let tail = match worst(&r.outcomes) {
        Some(o) => format!(
            "; furthest off is “{}”, at {} against a target of {} {}",
            o.description.trim_end_matches('.'),
            o.actual.map(decimal).unwrap_or_default(),
            decimal(o.target),
            o.unit
        ),
        None if red == 0 && amber == 0 => "; every measured target is met".into(),
        None => String::new(),
    };
    format!(
        "Of {}, {listed}{tail}.",
        plural(n, "outcome target", "outcome targets")
    )
}

/// The summary's three sentences, in order.
pub fn narrative(r: &Report) -> [String; 3] {
    [sent(r), reached(r), targets(r)]
}

#[cfg(test)]
mod tests;
