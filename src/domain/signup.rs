//! A resident's sign-up or change of preferences, checked field by field, with messages in
//! plain English for the form. Pure: the area directory is passed in.

use super::area::{AreaDirectory, Resolution};
use super::{Email, Postcode, Priority};

/// The consent statement residents agree to, and its version, kept with every subscription.
pub const CONSENT_VERSION: &str = "2026-11-26";
/// The consent statement a resident agrees to, recorded with each sign-up.
pub const CONSENT_TEXT: &str = "I agree to the Chiltern and South Bucks Community Safety Partnership emailing me crime prevention advice and alerts for my area and the topics I chose. I can change or stop them at any time with the link in every email.";

/// How long a confirmation link works, in days.
pub const CONFIRM_VALID_DAYS: i64 = 7;

/// How often a resident hears from us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Each campaign as it goes out.
    Immediate,
    /// One round-up a week.
    Weekly,
}

impl Frequency {
    /// The name used in forms and rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Immediate => "immediate",
            Frequency::Weekly => "weekly",
        }
    }

    /// How often mail comes, in the words residents read on the pages and in the mails.
    pub fn resident_words(self) -> &'static str {
        match self {
            Frequency::Immediate => {
                "As it happens: an email for each alert, usually no more than a few a month"
            }
            Frequency::Weekly => {
                "A weekly round-up on Saturday morning, only when there is something new"
            }
        }
    }

    /// Reads a form or row value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "immediate" => Some(Frequency::Immediate),
            "weekly" => Some(Frequency::Weekly),
            _ => None,
        }
    }
}

/// What the sign-up form posts. Every field is raw text, kept to show back on an error.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignupForm {
    /// The address typed.
    pub email: String,
    /// The postcode typed.
    pub postcode: String,
    /// The topics ticked.
    pub topics: Vec<String>,
    /// The frequency chosen.
    pub frequency: String,
    /// The consent box (`yes` when ticked).
    pub consent: String,
    /// Where the resident heard of us.
    pub source: String,
    /// The place chosen on "Which place do you live in?": an area slug, or `all` for every
    /// place offered.
    pub area: String,
    /// `yes` once the resident has been asked which place they live in.
    pub asked: String,
    /// The honeypot: hidden from people, filled in by bots.
    pub website: String,
    /// The feel-safe pulse's own consent box (`yes` when ticked).
    pub pulse: String,
}

/// One problem with one field, worded for the resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field it belongs to.
    pub field: &'static str,
    /// What to fix, in plain words.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// A sign-up that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    /// The checked address.
    pub email: Email,
    /// The checked postcode.
    pub postcode: Postcode,
    /// The area, or the areas the resident chose to follow when their postcode lies between places.
    pub area_slugs: Vec<String>,
    /// The topics to follow.
    pub topics: Vec<Priority>,
    /// How often to send.
    pub frequency: Frequency,
    /// Where the resident heard of us.
    pub source: String,
    /// Agreed to the feel-safe pulse (a consent of its own).
    pub pulse: bool,
}

/// Why a form could not be accepted as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Every problem found, one per field.
    pub errors: Vec<FieldError>,
    /// The postcode, when it is one.
    pub postcode: Option<Postcode>,
    /// When the postcode lies between places, the areas to choose from (slug, name), nearest first.
    pub area_choices: Vec<(String, String)>,
    /// The postcode is outside Chiltern and South Bucks: nothing else matters.
    pub outside: Option<Postcode>,
}

/// The `area` value that follows every place offered.
pub const ALL_PLACES: &str = "all";
/// The `area` value of a resident who lives in none of the places offered.
pub const ELSEWHERE: &str = "elsewhere";

/// Where a sign-up came from: `web`, or an event or QR code's own short name.
pub fn clean_source(raw: &str) -> String {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect::<String>()
        .to_ascii_lowercase();
    if s.is_empty() { "web".into() } else { s }
}

/// Topics from checkbox values; unknown values are an error, none chosen is an error.
pub fn parse_topics(raw: &[String]) -> Result<Vec<Priority>, FieldError> {
    let mut topics = Vec::new();
    for t in raw {
        let p = t
            .parse::<Priority>()
            .map_err(|_| FieldError::new("topics", "Choose topics from the list"))?;
        if !topics.contains(&p) {
            topics.push(p);
        }
    }
    if topics.is_empty() {
        return Err(FieldError::new(
            "topics",
            "Choose at least one topic you want alerts about",
        ));
    }
    topics.sort();
    Ok(topics)
}

/// Reads the frequency field, or says what to choose.
pub fn parse_frequency(raw: &str) -> Result<Frequency, FieldError> {
    Frequency::parse(raw.trim()).ok_or_else(|| {
        FieldError::new(
            "frequency",
            "Choose how often you want emails: as it happens, or a weekly round-up",
        )
    })
}

impl SignupForm {
    /// Checks every field and reports every problem at once, in the order of the form.
    pub fn validate(&self, areas: &AreaDirectory) -> Result<Signup, Rejected> {
        let mut errors = Vec::new();
        let mut area_choices = Vec::new();
        let mut outside = None;
        let email = Email::parse(&self.email)
            .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
            .ok();
        let mut area_slugs = None;
        let postcode = match Postcode::parse(&self.postcode) {
            Err(e) => {
                errors.push(FieldError::new("postcode", e.to_string()));
                None
            }
            Ok(pc) => {
                match areas.resolve(&pc) {
                    Resolution::One(a) => area_slugs = Some(vec![a.slug.clone()]),
                    Resolution::Several(candidates) => {
                        let chosen = self.area.trim();
                        if chosen == ELSEWHERE {
                            outside = Some(pc.clone());
                        } else if chosen == ALL_PLACES {
                            area_slugs = Some(candidates.iter().map(|a| a.slug.clone()).collect());
                        } else if let Some(a) = candidates.iter().find(|a| a.slug == chosen) {
                            area_slugs = Some(vec![a.slug.clone()]);
                        } else {
                            area_choices = candidates
                                .iter()
                                .map(|a| (a.slug.clone(), a.name.clone()))
                                .collect();
                            errors.push(FieldError::new("area", "Choose the place you live in"));
                        }
                    }
                    Resolution::NotCovered => outside = Some(pc.clone()),
                }
                Some(pc)
            }
        };
        let topics = parse_topics(&self.topics).map_err(|e| errors.push(e)).ok();
        let frequency = parse_frequency(&self.frequency)
            .map_err(|e| errors.push(e))
            .ok();
        if self.consent.trim() != "yes" {
            errors.push(FieldError::new(
                "consent",
                "Tick the box to agree to getting emails from us",
            ));
        }
        match (email, postcode, area_slugs, topics, frequency) {
            (Some(email), Some(postcode), Some(area_slugs), Some(topics), Some(frequency))
                if errors.is_empty() && outside.is_none() =>
            {
                Ok(Signup {
                    email,
                    postcode,
                    area_slugs,
                    topics,
                    frequency,
                    source: clean_source(&self.source),
                    pulse: self.pulse.trim() == "yes",
                })
            }
            (_, postcode, ..) => Err(Rejected {
                errors,
                postcode,
                area_choices,
                outside,
            }),
        }
    }

    /// A bot filled in the field people cannot see.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::{Geography, GridRef, Place, PostcodeRecord};
    use crate::domain::{Area, District};

    /// Chesham alone in its ward; HP16 0AB half-way between Great Missenden and Prestwood.
    fn areas() -> AreaDirectory {
        let area = |slug: &str, ward: &str, e: u32| Area {
            slug: slug.into(),
            name: slug.to_uppercase(),
            district: District::Chiltern,
            postcodes: Vec::new(),
            households: None,
            wards: vec![ward.into()],
            places: vec![Place {
                name: slug.into(),
                at: GridRef::new(e, 1000).unwrap(),
            }],
        };
        let record = |pc: &str, ward: &str, e: u32| PostcodeRecord {
            postcode: Postcode::parse(pc).unwrap(),
            ward: ward.into(),
            at: GridRef::new(e, 1000),
            lat_lon: None,
        };
        let geo = Geography {
            wards: vec![],
            postcodes: vec![
                record("HP5 1AA", "W1", 1000),
                record("HP16 0AB", "W2", 5000),
            ],
            ..Default::default()
        };
        AreaDirectory::with_geography(
            [
                area("chesham", "W1", 1000),
                area("great-missenden", "W2", 4000),
                area("prestwood", "W2", 6000),
            ],
            &geo,
        )
    }

    fn form() -> SignupForm {
        SignupForm {
            email: " ann@Example.com ".into(),
            postcode: "hp51aa".into(),
            topics: vec!["fear-of-crime".into(), "burglary-vehicle".into()],
            frequency: "weekly".into(),
            consent: "yes".into(),
            source: "Chesham-Fair 2026!".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_is_accepted_and_normalised() {
        let s = form().validate(&areas()).unwrap();
        assert_eq!(s.email.as_str(), "ann@example.com");
        assert_eq!(s.postcode.as_str(), "HP5 1AA");
        assert_eq!(s.area_slugs, ["chesham"]);
        assert_eq!(
            s.topics,
            vec![Priority::BurglaryVehicle, Priority::FearOfCrime]
        );
        assert_eq!(s.frequency, Frequency::Weekly);
        assert_eq!(s.source, "chesham-fair2026");
    }

    #[test]
    fn every_problem_is_reported_at_once_in_form_order() {
        let f = SignupForm::default();
        let r = f.validate(&areas()).unwrap_err();
        let fields: Vec<_> = r.errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["email", "postcode", "topics", "frequency", "consent"]
        );
    }

    #[test]
    fn a_postcode_outside_the_districts_is_not_an_error_but_a_different_answer() {
        let mut f = form();
        f.postcode = "OX1 1AA".into();
        let r = f.validate(&areas()).unwrap_err();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.outside.map(|p| p.to_string()).as_deref(), Some("OX1 1AA"));
    }

    #[test]
    fn a_postcode_between_places_asks_which_until_one_or_all_are_chosen() {
        let mut f = form();
        f.postcode = "HP16 0AB".into();
        let r = f.validate(&areas()).unwrap_err();
        assert_eq!(r.errors[0].field, "area");
        assert_eq!(r.area_choices.len(), 2);
        f.area = "prestwood".into();
        assert_eq!(f.validate(&areas()).unwrap().area_slugs, ["prestwood"]);
        f.area = ALL_PLACES.into();
        assert_eq!(
            f.validate(&areas()).unwrap().area_slugs,
            ["great-missenden", "prestwood"]
        );
        f.area = "chesham".into();
        assert!(f.validate(&areas()).is_err(), "not one of the candidates");
        f.area = ELSEWHERE.into();
        assert!(f.validate(&areas()).unwrap_err().outside.is_some());
    }

    #[test]
    fn unknown_topics_and_frequencies_are_refused() {
        let mut f = form();
        f.topics = vec!["everything".into()];
        f.frequency = "hourly".into();
        let r = f.validate(&areas()).unwrap_err();
        let fields: Vec<_> = r.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["topics", "frequency"]);
    }

    #[test]
    fn sources_are_short_safe_names() {
        assert_eq!(clean_source(""), "web");
        assert_eq!(clean_source("<script>"), "script");
        assert_eq!(clean_source(&"q".repeat(100)).len(), 40);
    }
}
