//! Crime figures filled into what the public pages and feeds show of a campaign body: the
//! area's own figures on its feed, the partnership's where a message speaks to several areas.

use super::AppState;
use crate::domain::Area;
use crate::domain::crime_vars::uses_crime;
use crate::render::crime_text;

/// `body` with its `{{ crime.… }}` placeholders in words for `area` (all areas when none).
pub async fn fill(state: &AppState, body: &str, area: Option<&Area>) -> super::Result<String> {
    if !uses_crime(body) {
        return Ok(body.to_string());
    }
    let table = state.store.crime_table(None).await?;
    let cal = state.calendar.get();
    Ok(crime_text::fill(body, |c| {
        table.figures(&cal.areas, area, c)
    }))
}
