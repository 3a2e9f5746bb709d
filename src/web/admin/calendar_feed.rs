//! Each staff member's secret calendar address, for Outlook or Google Calendar, which cannot
//! sign in: `/admin/calendar/feed/SECRET.ics` serves the upcoming sends. Only the secret's
//! SHA-256 is stored, so the address is shown once, when made; making a new one retires the
//! old, and "stop" revokes it (404 from then on). Disabling the account stops it too.

use super::calendar::{Done, ics_response, page};
use super::{AppState, Staff};
use crate::auth::token::{random_id, secret_hash};
use crate::web::{Error, Explain};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;

/// The calendar page's panel about the address.
pub struct FeedPanel {
    /// Whether this person has a live address.
    pub live: bool,
    /// The address, only on the page that made it.
    pub new_url: Option<String>,
}

impl FeedPanel {
    pub async fn of(
        state: &AppState,
        staff: &Staff,
        new_url: Option<String>,
    ) -> crate::web::Result<Self> {
        let live = match staff.user_id {
            Some(id) => state.store.has_calendar_feed(id).await?,
            None => false,
        };
        Ok(FeedPanel { live, new_url })
    }
}

fn person(staff: &Staff) -> crate::web::Result<i64> {
    staff.user_id.ok_or_else(|| {
        Error::BadRequest(Explain::new(
            "A calendar address needs a person",
            "Sign in as yourself to make one.",
        ))
    })
}

/// Makes a new secret address (retiring any old one) and shows it, once.
pub async fn make(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    let id = person(&staff)?;
    let secret = random_id();
    state
        .store
        .set_calendar_feed(id, &secret_hash(&secret), Utc::now())
        .await?;
    staff.audit(&state, "calendar.feed.make", None).await;
    let url = format!("{}/admin/calendar/feed/{secret}.ics", state.base_url());
    let feed = FeedPanel::of(&state, &staff, Some(url)).await?;
    page(state, staff, Done::default(), feed).await
}

/// Stops the address: calendars that use it get 404 from now on.
pub async fn revoke(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    let id = person(&staff)?;
    if state.store.revoke_calendar_feed(id).await? {
        staff.audit(&state, "calendar.feed.revoke", None).await;
    }
    Ok(Redirect::to("/admin/calendar?done=feed-stopped#calendar-address").into_response())
}

/// The iCalendar for a live secret address; anything else is "not found", alike.
pub async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> crate::web::Result {
    let secret = file.strip_suffix(".ics").ok_or(Error::NotFound)?;
    if secret.is_empty()
        || !state
            .store
            .calendar_feed_is_live(&secret_hash(secret))
            .await?
    {
        return Err(Error::NotFound);
    }
    ics_response(&state).await
}
