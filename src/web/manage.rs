//! `/manage/{token}`: a resident changes areas, topics and frequency, pauses, leaves, downloads
//! everything held about them, or has it erased. The signed link is the only key.

use super::form_view::{Choice, ErrorSummary, anchored};
use super::{AppState, Error, Explain, pages};
use crate::auth::token::{Claims, Purpose};
use crate::domain::signup::{FieldError, parse_frequency, parse_topics};
use crate::domain::{District, Priority};
use crate::store::{PreferenceChange, Preferences};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use chrono::Utc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage/{token}", get(show).post(save))
        .route("/manage/{token}/export", get(export))
        .route("/manage/{token}/erase", get(ask_erase).post(erase))
        .route("/manage/{token}/leave", axum::routing::post(leave))
        .route("/manage/{token}/new-link", axum::routing::post(new_link))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ManageForm {
    areas: Vec<String>,
    topics: Vec<String>,
    frequency: String,
    paused: String,
    pulse: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Flash {
    saved: Option<String>,
    left: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "pages/manage.html")]
struct ManagePage {
    errors: ErrorSummary,
    base: String,
    email: String,
    status: String,
    saved: bool,
    districts: Vec<(&'static str, Vec<Choice>)>,
    topics: Vec<Choice>,
    frequencies: Vec<Choice>,
    paused: bool,
    /// The feel-safe pulse box (`pages/pulse_choice.html`).
    pulse_checked: bool,
    /// What is saved, for the summary list at the top.
    now: super::summary::Choices,
}

#[derive(askama::Template)]
#[template(path = "pages/erase.html")]
struct ErasePage {
    done: bool,
    action: String,
    back: String,
}

fn invalid() -> Error {
    Error::InvalidLink(Explain::new(
        "This link is not valid",
        "The link may be incomplete, or you may have asked us to delete your details. Use the link in the newest email from us, or sign up again on the home page.",
    ))
}

/// A genuine link that was retired: the resident asked for a new one, or to be forgotten.
fn gone() -> Error {
    Error::Gone(Explain::new(
        "This link no longer works",
        "Since we sent it you asked for a new link, or asked us to delete your details. Use the link in the newest email from us, or sign up again on the home page.",
    ))
}

fn claims(state: &AppState, token: &str) -> super::Result<Claims> {
    state
        .signer
        .verify(token, Purpose::Manage, Utc::now())
        .map_err(|_| invalid())
}

fn page(
    state: &AppState,
    token: &str,
    prefs: &Preferences,
    form: &ManageForm,
    errors: Vec<FieldError>,
) -> ManagePage {
    let cal = state.calendar.get();
    let mut first = true;
    let districts = [District::Chiltern, District::SouthBucks]
        .into_iter()
        .map(|d| {
            let mut areas: Vec<_> = cal.areas.iter().filter(|a| a.district == d).collect();
            areas.sort_by(|a, b| a.name.cmp(&b.name));
            let mut choices: Vec<Choice> = areas
                .iter()
                .map(|a| Choice::new("areas", &a.slug, &a.name, form.areas.contains(&a.slug)))
                .collect();
            if first {
                choices = anchored(choices);
                first = false;
            }
            (d.name(), choices)
        })
        .collect();
    let topics = anchored(
        Priority::ALL
            .iter()
            .map(|p| {
                let on = form.topics.iter().any(|t| t == p.slug());
                Choice::new("topics", p.slug(), p.resident_label(), on)
            })
            .collect(),
    );
    let frequencies = anchored(
        [
            ("immediate", "As it happens"),
            ("weekly", "A weekly round-up on Saturday morning"),
        ]
        .into_iter()
        .map(|(v, l)| Choice::new("frequency", v, l, form.frequency == v))
        .collect(),
    );
    ManagePage {
        errors: ErrorSummary::new(errors),
        base: format!("/manage/{token}"),
        email: prefs.email.clone(),
        status: prefs.status.clone(),
        saved: false,
        districts,
        topics,
        frequencies,
        paused: form.paused == "yes",
        pulse_checked: form.pulse == "yes",
        now: super::summary::Choices::of(&cal.areas, prefs),
    }
}

fn form_of(p: &Preferences) -> ManageForm {
    ManageForm {
        areas: p.areas.clone(),
        topics: p.topics.clone(),
        frequency: p.frequency.clone(),
        paused: if p.paused {
            "yes".into()
        } else {
            String::new()
        },
        pulse: if p.pulse { "yes".into() } else { String::new() },
    }
}

async fn load(state: &AppState, token: &str) -> super::Result<(Claims, Preferences)> {
    let c = claims(state, token)?;
    match state.store.preferences(c.subscriber_id, c.version).await? {
        Some(p) => Ok((c, p)),
        None => Err(gone()),
    }
}

async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(flash): Query<Flash>,
) -> super::Result {
    let (_, prefs) = load(&state, &token).await?;
    let mut p = page(&state, &token, &prefs, &form_of(&prefs), Vec::new());
    p.saved = flash.saved.is_some() && flash.left.is_none();
    Ok(no_store(pages::render(StatusCode::OK, &p)))
}

async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<ManageForm>,
) -> super::Result {
    let (c, prefs) = load(&state, &token).await?;
    let cal = state.calendar.get();
    let mut errors = Vec::new();
    let areas: Vec<String> = form
        .areas
        .iter()
        .filter(|a| cal.areas.get(a).is_some())
        .cloned()
        .collect();
    if areas.is_empty() || areas.len() != form.areas.len() {
        errors.push(FieldError {
            field: "areas",
            message: "Choose at least one area from the list".into(),
        });
    }
    let topics = parse_topics(&form.topics).map_err(|e| errors.push(e)).ok();
    let frequency = parse_frequency(&form.frequency)
        .map_err(|e| errors.push(e))
        .ok();
    let (Some(topics), Some(frequency), true) = (topics, frequency, errors.is_empty()) else {
        return Ok(no_store(pages::render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&state, &token, &prefs, &form, errors),
        )));
    };
    let change = PreferenceChange {
        areas,
        topics: topics.iter().map(|t| t.slug().to_string()).collect(),
        frequency: frequency.as_str().into(),
        paused: form.paused == "yes",
    };
    if !state
        .store
        .change_preferences(c.subscriber_id, c.version, &change, Utc::now())
        .await?
        || !state
            .store
            .set_pulse(c.subscriber_id, c.version, form.pulse == "yes", Utc::now())
            .await?
    {
        return Err(gone());
    }
    Ok(Redirect::to(&format!("/manage/{token}?saved=1")).into_response())
}

async fn leave(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let c = claims(&state, &token)?;
    if !state
        .store
        .unsubscribe(c.subscriber_id, c.version, Utc::now())
        .await?
    {
        return Err(gone());
    }
    Ok(Redirect::to(&format!("/manage/{token}?left=1")).into_response())
}

async fn export(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let c = claims(&state, &token)?;
    let doc = state
        .store
        .export(c.subscriber_id, c.version)
        .await?
        .ok_or_else(gone)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-community-safety-alerts-data.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    )
        .into_response())
}

async fn ask_erase(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    load(&state, &token).await?;
    Ok(no_store(pages::render(
        StatusCode::OK,
        &ErasePage {
            done: false,
            action: format!("/manage/{token}/erase"),
            back: format!("/manage/{token}"),
        },
    )))
}

async fn erase(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let c = claims(&state, &token)?;
    // Receipts of answers are found by the resident's pseudonym, which only the key can make.
    if state.store.link_is_live(c.subscriber_id, c.version).await? {
        state
            .store
            .forget_answer_receipts(&state.signer.resident_key(c.subscriber_id))
            .await?;
    }
    if !state
        .store
        .erase(c.subscriber_id, c.version, Utc::now())
        .await?
    {
        return Err(gone());
    }
    tracing::info!(subscriber_id = c.subscriber_id, "erased on request");
    Ok(pages::render(
        StatusCode::OK,
        &ErasePage {
            done: true,
            action: String::new(),
            back: String::new(),
        },
    ))
}

/// Retires every link the resident holds (someone else may have one: a forwarded e-mail) and
/// mails a new one to their address.
async fn new_link(State(state): State<AppState>, Path(token): Path<String>) -> super::Result {
    let c = claims(&state, &token)?;
    if !state
        .store
        .renew_links(c.subscriber_id, c.version, Utc::now())
        .await?
    {
        return Err(gone());
    }
    tracing::info!(subscriber_id = c.subscriber_id, "links renewed on request");
    Ok(pages::notice(
        "Check your email for your new link",
        "We have sent a new link to your address. This link, and the links in our earlier emails, no longer work.",
    ))
}

/// Pages with someone's address on them are not kept by browsers or proxies.
fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}
