//! A resident's choices in words, as the confirmation page and the manage page's summary list
//! show them: area names, topic labels and how often, not slugs.

use crate::domain::signup::Frequency;
use crate::domain::{AreaDirectory, Priority};
use crate::store::Preferences;

/// What a resident follows, ready to show.
pub struct Choices {
    pub areas: String,
    pub topics: String,
    pub frequency: &'static str,
}

/// How often mail comes, as the resident chose it.
pub fn frequency_words(frequency: &str) -> &'static str {
    Frequency::parse(frequency)
        .unwrap_or(Frequency::Immediate)
        .resident_words()
}

fn join(names: &[String]) -> String {
    match names {
        [] => "None".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Choices {
    pub fn of(areas: &AreaDirectory, prefs: &Preferences) -> Self {
        let mut area_names: Vec<String> = prefs
            .areas
            .iter()
            .map(|s| areas.get(s).map_or_else(|| s.clone(), |a| a.name.clone()))
            .collect();
        area_names.sort();
        let topics: Vec<String> = Priority::ALL
            .iter()
            .filter(|p| prefs.topics.iter().any(|t| t == p.slug()))
            .map(|p| p.resident_label().to_string())
            .collect();
        Choices {
            areas: join(&area_names),
            topics: join(&topics),
            frequency: frequency_words(&prefs.frequency),
        }
    }
}
