//! `outcomes.toml`: the partnership's outcome targets that reach reports are RAG-rated against.

use super::diagnostic::{Diagnostic, Diagnostics};
use crate::domain::outcome::{Direction, Measure, Outcome, Outcomes};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default = "default_margin")]
    amber_margin_pct: f64,
    #[serde(default)]
    outcome: Vec<RawOutcome>,
}

fn default_margin() -> f64 {
    10.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    id: Spanned<String>,
    description: String,
    measure: Spanned<String>,
    direction: Spanned<String>,
    target: f64,
}

pub(super) fn parse(path: &Path, text: &str, diags: &mut Diagnostics) -> Outcomes {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            diags.push(Diagnostic::at(path, text, offset, e.message().trim()));
            return Outcomes::default();
        }
    };
    let mut targets: Vec<Outcome> = Vec::new();
    for o in raw.outcome {
        let at = |s: &std::ops::Range<usize>| s.start;
        if !super::areas::is_slug(o.id.get_ref()) {
            diags.push(Diagnostic::at(
                path,
                text,
                at(&o.id.span()),
                "an outcome id is lower-case letters, digits and dashes",
            ));
        }
        if targets.iter().any(|t| &t.id == o.id.get_ref()) {
            diags.push(Diagnostic::at(
                path,
                text,
                at(&o.id.span()),
                format!("duplicate outcome id `{}`", o.id.get_ref()),
            ));
        }
        let measure = o
            .measure
            .get_ref()
            .parse::<Measure>()
            .map_err(|e| diags.push(Diagnostic::at(path, text, at(&o.measure.span()), e)))
            .ok();
        let direction = match o.direction.get_ref().as_str() {
            "at-least" => Some(Direction::AtLeast),
            "at-most" => Some(Direction::AtMost),
            other => {
                diags.push(Diagnostic::at(
                    path,
                    text,
                    at(&o.direction.span()),
                    format!("unknown direction `{other}`; expected at-least or at-most"),
                ));
                None
            }
        };
        if let (Some(measure), Some(direction)) = (measure, direction) {
            targets.push(Outcome {
                id: o.id.into_inner(),
                description: o.description,
                measure,
                direction,
                target: o.target,
            });
        }
    }
    Outcomes {
        amber_margin_pct: raw.amber_margin_pct,
        targets,
    }
}
