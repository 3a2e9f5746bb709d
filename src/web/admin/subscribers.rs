//! Who follows what: counts by area, topic, status and source; look-up of one exact address
//! (admins only, audited); CSV import through the same code as `beacon subscribers import`.

use super::{AppState, Chrome, Staff};
use crate::domain::{Email, Priority};
use crate::reach::Cell;
use crate::store::{Preferences, SubscriberCounts};
use axum::Extension;
use axum::extract::{Query, State};
use axum_extra::extract::Form;
use chrono::Utc;

#[derive(askama::Template)]
#[template(path = "admin/subscribers.html")]
struct SubscribersPage {
    chrome: Chrome,
    by_status: Vec<(String, Cell)>,
    by_area: Vec<(String, Cell)>,
    by_topic: Vec<(String, i64)>,
    by_source: Vec<(String, i64)>,
    query: String,
    found: Option<Option<Preferences>>,
    lookup_error: String,
    import_result: String,
    import_problems: Vec<String>,
}

async fn page(state: &AppState, staff: &Staff) -> crate::web::Result<SubscribersPage> {
    // Pending sign-ups are shown as of midnight and rounded down to tens: a visitor who posts
    // the public form cannot watch a count move to learn whether an address was new.
    let midnight = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let counts: SubscriberCounts = state.store.subscriber_counts(midnight).await?;
    let cal = state.calendar.get();
    Ok(SubscribersPage {
        chrome: Chrome::new(staff, "subscribers"),
        by_status: counts
            .by_status
            .into_iter()
            .map(|(status, n)| match status.as_str() {
                "pending" => (
                    "awaiting confirmation (sign-ups before today, rounded down to tens)".into(),
                    Cell::rounded(n),
                ),
                _ => (status, Cell::Count(n)),
            })
            .collect(),
        by_area: cal
            .areas
            .iter()
            .map(|a| {
                let n = counts
                    .by_area
                    .iter()
                    .find(|(s, _)| *s == a.slug)
                    .map_or(0, |x| x.1);
                (a.name.clone(), Cell::of(n))
            })
            .collect(),
        by_topic: counts
            .by_topic
            .into_iter()
            .map(|(t, n)| {
                let label = t
                    .parse::<Priority>()
                    .map_or(t.clone(), |p| p.resident_label().to_string());
                (label, n)
            })
            .collect(),
        by_source: counts.by_source,
        query: String::new(),
        found: None,
        lookup_error: String::new(),
        import_result: String::new(),
        import_problems: Vec::new(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
) -> crate::web::Result {
    Ok(super::render(&page(&state, &staff).await?))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Lookup {
    email: String,
}

pub async fn lookup(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Query(q): Query<Lookup>,
) -> crate::web::Result {
    let mut p = page(&state, &staff).await?;
    p.query = q.email.clone();
    match Email::parse(&q.email) {
        Err(e) => p.lookup_error = e.to_string(),
        Ok(email) => {
            let found = match state.store.subscriber_by_email(email.as_str()).await {
                Ok(Some((id, version))) => state.store.preferences(id, version).await,
                Ok(None) => Ok(None),
                Err(e) => Err(e),
            };
            // The log names a resident by their number, never their address: it outlives erasure.
            let who = match &found {
                Ok(Some(f)) => format!("resident #{}", f.subscriber_id),
                _ => "no match".to_string(),
            };
            staff.audit(&state, "subscriber.lookup", Some(&who)).await;
            p.found = Some(found?);
        }
    }
    Ok(super::render(&p))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    source: String,
}

pub async fn import(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Form(form): Form<ImportForm>,
) -> crate::web::Result {
    let mut problems = Vec::new();
    let source = crate::domain::signup::clean_source(&form.source);
    let cal = state.calendar.get();
    let result = crate::bulk::import(
        state.store.as_ref(),
        &cal.areas,
        form.csv.as_bytes(),
        "the pasted CSV",
        &source,
        |line, why| problems.push(format!("line {line}: {why}")),
    )
    .await;
    let mut p = page(&state, &staff).await?;
    match result {
        Ok(r) => {
            audit_import(&state, &staff, &source, &r).await;
            p.import_result = format!(
                "Imported {} new residents; {} were already known; {} rows were skipped.",
                r.added, r.unchanged, r.invalid
            );
        }
        Err(e) => p.import_result = format!("Nothing was imported: {e:#}"),
    }
    p.import_problems = problems;
    Ok(super::render(&p))
}

/// Audits an import made from the console or the API.
pub async fn audit_import(
    state: &AppState,
    staff: &Staff,
    source: &str,
    r: &crate::bulk::ImportReport,
) {
    let detail = format!(
        "import:{source}: {} added, {} known, {} invalid",
        r.added, r.unchanged, r.invalid
    );
    staff
        .audit(state, "subscribers.import", Some(&detail))
        .await;
}
