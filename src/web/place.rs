//! What the sign-up answers when the postcode alone does not settle it: "Which place do you
//! live in?" (one question, the GOV.UK way) for a postcode between places, and a kind page
//! pointing to Thames Valley Alert for a postcode outside Chiltern and South Bucks.

use super::form_view::{Choice, ErrorSummary, anchored};
use super::pages;
use crate::domain::Postcode;
use crate::domain::signup::{ALL_PLACES, ELSEWHERE, FieldError, SignupForm};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(askama::Template)]
#[template(path = "pages/choose_place.html")]
struct ChoosePlacePage {
    errors: ErrorSummary,
    postcode: String,
    places: Vec<Choice>,
    /// "All of these places" (when there are several) and "Somewhere else".
    others: Vec<Choice>,
    /// Everything else the resident already gave, carried to the next step.
    hidden: Vec<(&'static str, String)>,
}

/// Asks which place; says what is missing only once the question has been asked.
pub fn ask(form: &SignupForm, postcode: &Postcode, choices: &[(String, String)]) -> Response {
    let asked = form.asked == "yes";
    let errors = if asked {
        vec![FieldError {
            field: "area",
            message: "Choose the place you live in".into(),
        }]
    } else {
        Vec::new()
    };
    let places = anchored(
        choices
            .iter()
            .map(|(slug, name)| Choice::new("area", slug, name, form.area == *slug))
            .collect(),
    );
    let mut others = Vec::new();
    if choices.len() > 1 {
        let mut all = Choice::new(
            "area",
            ALL_PLACES,
            "All of these places",
            form.area == ALL_PLACES,
        );
        all.hint = "You will get the local alerts for each of them".into();
        others.push(all);
    }
    let mut elsewhere = Choice::new("area", ELSEWHERE, "Somewhere else", form.area == ELSEWHERE);
    elsewhere.hint = "We will tell you who sends alerts there".into();
    others.push(elsewhere);
    let mut hidden: Vec<(&'static str, String)> = vec![
        ("email", form.email.clone()),
        ("postcode", form.postcode.clone()),
    ];
    hidden.extend(form.topics.iter().map(|t| ("topics", t.clone())));
    hidden.extend([
        ("frequency", form.frequency.clone()),
        ("consent", form.consent.clone()),
        ("pulse", form.pulse.clone()),
        ("source", form.source.clone()),
        ("asked", "yes".to_string()),
    ]);
    let status = if asked {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    pages::render(
        status,
        &ChoosePlacePage {
            errors: ErrorSummary::new(errors),
            postcode: postcode.to_string(),
            places,
            others,
            hidden,
        },
    )
}

#[derive(askama::Template)]
#[template(path = "pages/outside.html")]
struct OutsidePage<'a> {
    postcode: &'a str,
}

/// The postcode is outside both districts: who does cover it.
pub fn outside(postcode: &Postcode) -> Response {
    pages::render(
        StatusCode::OK,
        &OutsidePage {
            postcode: postcode.as_str(),
        },
    )
}
