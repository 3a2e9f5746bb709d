//! `/messages/{id}/feedback`: "Did this message help you feel safer?" from the public message
//! page, where nobody is known. Telling one visitor from another would need a cookie (consent
//! under PECR) or storing addresses, so neither is done: answers are limited per connection and
//! message in memory instead (a few, as a household shares one), and nothing about the visitor
//! is written down.

use super::{AnswerForm, AreaOption, Chosen, choose_answer, feedback_page, refused, thanks};
use crate::domain::signup::FieldError;
use crate::domain::survey::Helpful;
use crate::store::{FeedbackAnswer, Run};
use crate::web::guard::Peer;
use crate::web::{AppState, Error, Explain, pages};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::Form;
use chrono::Utc;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::Duration;

/// Answers per connection and message in a day, in memory only.
const PER_CONNECTION_PER_DAY: u32 = 3;

/// Public answers per (client address, message).
pub struct PublicAnswerLimit {
    limiter: DefaultKeyedRateLimiter<(IpAddr, i64)>,
}

impl Default for PublicAnswerLimit {
    fn default() -> Self {
        let burst = NonZeroU32::new(PER_CONNECTION_PER_DAY).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(Duration::from_secs(24 * 3600 / u64::from(burst.get())))
            .unwrap_or_else(|| Quota::per_hour(NonZeroU32::MIN))
            .allow_burst(burst);
        PublicAnswerLimit {
            limiter: RateLimiter::keyed(quota),
        }
    }
}

impl PublicAnswerLimit {
    /// `true` if this connection may answer this message now; counts the answer.
    fn check(&self, ip: Option<IpAddr>, run_id: i64) -> bool {
        // Forget quiet clients so the table does not grow without bound.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        let ip = ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.limiter.check_key(&(ip, run_id)).is_ok()
    }
}

/// The message's areas to choose from, the chosen one selected.
fn areas_of(state: &AppState, run: &Run, chosen: &str) -> Vec<AreaOption> {
    let cal = state.calendar.get();
    let only = run.areas.len() == 1;
    run.areas
        .iter()
        .filter_map(|slug| cal.areas.get(slug))
        .map(|a| AreaOption {
            slug: a.slug.clone(),
            name: a.name.clone(),
            selected: only || a.slug == chosen,
        })
        .collect()
}

fn page(
    state: &AppState,
    id: &str,
    run: &Run,
    form: &AnswerForm,
    errors: Vec<FieldError>,
) -> super::AnswerPage {
    let mut p = feedback_page(&run.title, format!("/messages/{id}/feedback"), form, errors);
    p.areas = areas_of(state, run, &form.area);
    p
}

pub(super) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(chosen): Query<Chosen>,
) -> crate::web::Result {
    let run = crate::web::archive::published_run(&state, &id).await?;
    if run.survey_question.is_some() {
        return Err(Error::NotFound);
    }
    let form = AnswerForm {
        answer: chosen.answer,
        ..AnswerForm::default()
    };
    Ok(pages::render(
        StatusCode::OK,
        &page(&state, &id, &run, &form, Vec::new()),
    ))
}

pub(super) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    peer: Peer,
    Form(form): Form<AnswerForm>,
) -> crate::web::Result {
    let run = crate::web::archive::published_run(&state, &id).await?;
    if run.survey_question.is_some() {
        return Err(Error::NotFound);
    }
    let mut errors = Vec::new();
    let answer = Helpful::parse(&form.answer);
    if answer.is_none() {
        errors.push(choose_answer());
    }
    let area_slug = match run.areas.as_slice() {
        [only] => Some(only.clone()),
        _ => run.areas.iter().find(|a| **a == form.area).cloned(),
    };
    if area_slug.is_none() {
        errors.push(FieldError {
            field: "area",
            message: "Choose where you live".into(),
        });
    }
    let comment = super::comment_of(&form, &mut errors);
    let (Some(answer), Some(area_slug), Some(comment), true) =
        (answer, area_slug, comment, errors.is_empty())
    else {
        return Ok(refused(&page(&state, &id, &run, &form, errors)));
    };
    let area_id = state
        .store
        .area_slugs()
        .await?
        .into_iter()
        .find_map(|(id, slug)| (slug == area_slug).then_some(id))
        .ok_or(Error::NotFound)?;
    if !state
        .answer_limit
        .check(state.client_ip(&headers, &peer), run.run_id)
    {
        return Err(Error::TooMany {
            explain: Explain::new(
                "We have had several answers from your connection",
                "Thank you: we have already counted answers to this message from your internet connection today. Please try again tomorrow.",
            ),
            retry_after_secs: 24 * 3600,
        });
    }
    state
        .store
        .record_feedback(
            &FeedbackAnswer {
                receipt: None,
                run_id: run.run_id,
                area_id,
                answer: answer.slug(),
                comment: comment.as_deref(),
            },
            Utc::now(),
        )
        .await?;
    Ok(thanks())
}
