//! `/`: what Beacon is and the sign-up form; `POST /subscribe`; the "check your email" page.
//!
//! Whatever happens to a valid sign-up (new, pending, already subscribed, daily mail cap hit,
//! bot), the answer is the same "check your email" page showing the address typed: the form
//! never tells anyone whether an address is on the list. The page is the post's own answer (no
//! redirect) so the address shown never goes into a URL, a log or a cookie; its "send it again"
//! posts the same form once more, under the same per-connection and per-address limits.

use super::form_view::{Choice, ErrorSummary, anchored};
use super::{AppState, pages};
use crate::domain::signup::{CONSENT_TEXT, FieldError, SignupForm};
use crate::domain::{District, Priority};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::Utc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/subscribe", post(subscribe))
        .route("/subscribe/check-email", get(check_email))
}

/// An area's feeds, for people who prefer a feed reader.
pub struct FeedLink {
    pub slug: String,
    pub name: String,
}

#[derive(askama::Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    errors: ErrorSummary,
    email: String,
    postcode: String,
    source: String,
    topics: Vec<Choice>,
    frequencies: Vec<Choice>,
    consent_checked: bool,
    consent_text: &'static str,
    /// The feel-safe pulse box (`pages/pulse_choice.html`).
    pulse_checked: bool,
    districts: Vec<(&'static str, Vec<FeedLink>)>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HomeQuery {
    source: String,
}

impl HomePage {
    fn new(state: &AppState, form: &SignupForm, errors: Vec<FieldError>) -> Self {
        let cal = state.calendar.get();
        let districts = [District::Chiltern, District::SouthBucks]
            .into_iter()
            .map(|d| {
                let mut areas: Vec<FeedLink> = cal
                    .areas
                    .iter()
                    .filter(|a| a.district == d)
                    .map(|a| FeedLink {
                        slug: a.slug.clone(),
                        name: a.name.clone(),
                    })
                    .collect();
                areas.sort_by(|a, b| a.name.cmp(&b.name));
                (d.name(), areas)
            })
            .collect();
        let topics = anchored(
            Priority::ALL
                .iter()
                .map(|p| {
                    let checked = form.topics.iter().any(|t| t == p.slug());
                    Choice::new("topics", p.slug(), p.resident_label(), checked)
                })
                .collect(),
        );
        let frequencies = anchored(
            [
                (
                    "immediate",
                    "As it happens",
                    "An email for each alert, usually no more than a few a month",
                ),
                (
                    "weekly",
                    "A weekly round-up",
                    "One email on Saturday morning, only when there is something new",
                ),
            ]
            .into_iter()
            .map(|(v, label, hint)| {
                let mut c = Choice::new("frequency", v, label, form.frequency == v);
                c.hint = hint.into();
                c
            })
            .collect(),
        );
        HomePage {
            errors: ErrorSummary::new(errors),
            email: form.email.clone(),
            postcode: form.postcode.clone(),
            source: form.source.clone(),
            topics,
            frequencies,
            consent_checked: form.consent == "yes",
            consent_text: CONSENT_TEXT,
            pulse_checked: form.pulse == "yes",
            districts,
        }
    }
}

async fn home(State(state): State<AppState>, Query(q): Query<HomeQuery>) -> Response {
    let form = SignupForm {
        source: crate::domain::signup::clean_source(&q.source),
        frequency: "immediate".into(),
        ..Default::default()
    };
    pages::render(StatusCode::OK, &HomePage::new(&state, &form, Vec::new()))
}

async fn subscribe(
    State(state): State<AppState>,
    peer: super::guard::Peer,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> super::Result {
    if form.is_bot() {
        tracing::info!("sign-up honeypot filled; ignored");
        return Ok(sent(&form));
    }
    let cal = state.calendar.get();
    let signup = match form.validate(&cal.areas) {
        Ok(s) => s,
        Err(rejected) => {
            if let Some(postcode) = &rejected.outside {
                return Ok(super::place::outside(postcode));
            }
            // The place is asked on its own page, once everything else is right.
            let others: Vec<FieldError> = rejected
                .errors
                .into_iter()
                .filter(|e| e.field != "area")
                .collect();
            if let (true, Some(postcode)) = (
                others.is_empty() && !rejected.area_choices.is_empty(),
                &rejected.postcode,
            ) {
                return Ok(super::place::ask(&form, postcode, &rejected.area_choices));
            }
            let page = HomePage::new(&state, &form, others);
            return Ok(pages::render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    if !state.signup_limit.check(state.client_ip(&headers, &peer)) {
        return Err(super::guard::too_many());
    }
    let outcome = state.store.sign_up(&signup, Utc::now()).await?;
    metrics::counter!("beacon_signups_total").increment(1);
    tracing::info!(?outcome, source = %signup.source, areas = signup.area_slugs.len(), "sign-up");
    Ok(sent(&form))
}

#[derive(askama::Template)]
#[template(path = "pages/check_email.html")]
struct CheckEmailPage {
    /// The address as typed; empty on the bookmarkable page.
    email: String,
    /// The form's fields, posted again by "send it again".
    resend: Vec<(&'static str, String)>,
    valid_days: i64,
}

/// "Check your email" for the form just posted.
fn sent(form: &SignupForm) -> Response {
    let mut resend: Vec<(&'static str, String)> = vec![
        ("email", form.email.clone()),
        ("postcode", form.postcode.clone()),
        ("frequency", form.frequency.clone()),
        ("consent", form.consent.clone()),
        ("source", form.source.clone()),
        ("area", form.area.clone()),
        ("asked", form.asked.clone()),
    ];
    resend.extend(form.topics.iter().map(|t| ("topics", t.clone())));
    resend.retain(|(_, v)| !v.is_empty());
    let page = CheckEmailPage {
        email: form.email.trim().to_string(),
        resend,
        valid_days: crate::store::CONFIRM_VALID_DAYS,
    };
    no_store(pages::render(StatusCode::OK, &page))
}

/// The page holds the address typed: no cache keeps it.
fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

async fn check_email() -> Response {
    pages::render(
        StatusCode::OK,
        &CheckEmailPage {
            email: String::new(),
            resend: Vec::new(),
            valid_days: crate::store::CONFIRM_VALID_DAYS,
        },
    )
}
