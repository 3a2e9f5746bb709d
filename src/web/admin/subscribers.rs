//! Who follows what: counts by area, topic, status and source; look-up of one exact address
//! (admins only, audited); CSV import through the same code as `beacon subscribers import`.

use super::{AppState, Chrome, Staff};
use crate::domain::{Email, Priority};
use crate::reach::Cell;
use crate::render::words::thousands;
use crate::store::{Preferences, SubscriberCounts};
use axum::Extension;
use axum::extract::{FromRequest, Query, State};
use axum_extra::extract::Form;
use chrono::Utc;

#[derive(askama::Template)]
#[template(path = "admin/subscribers.html")]
pub(super) struct SubscribersPage {
    chrome: Chrome,
    /// A GOV.UK notification banner after an action: (heading, text).
    pub(super) banner: Option<(String, String)>,
    by_status: Vec<(String, Cell)>,
    by_area: Vec<(String, Cell)>,
    by_topic: Vec<(String, i64)>,
    by_source: Vec<(String, i64)>,
    query: String,
    found: Option<Option<Preferences>>,
    /// The found resident's areas by name.
    found_areas: String,
    lookup_error: String,
    import_result: String,
    import_problems: Vec<String>,
}

pub(super) async fn page(state: &AppState, staff: &Staff) -> crate::web::Result<SubscribersPage> {
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
        banner: None,
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
        found_areas: String::new(),
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
    Ok(super::render(&found_page(&state, &staff, &q.email).await?))
}

/// The page after an exact look-up (audited), with what an admin can do for that resident.
pub(super) async fn found_page(
    state: &AppState,
    staff: &Staff,
    query: &str,
) -> crate::web::Result<SubscribersPage> {
    let mut p = page(state, staff).await?;
    p.query = query.to_string();
    match Email::parse(query) {
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
            staff.audit(state, "subscriber.lookup", Some(&who)).await;
            let found = found?;
            let cal = state.calendar.get();
            p.found_areas = found.as_ref().map_or_else(String::new, |f| {
                f.areas
                    .iter()
                    .map(|slug| {
                        cal.areas
                            .get(slug)
                            .map_or_else(|| slug.clone(), |a| a.name.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            p.found = Some(found);
        }
    }
    Ok(p)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ImportForm {
    csv: String,
    source: String,
}

/// The CSV import: a file upload (multipart, the CSRF token in the address) or pasted text.
pub async fn import(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    req: axum::extract::Request,
) -> crate::web::Result {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (csv, label, source) = if multipart {
        let mut form = axum::extract::Multipart::from_request(req, &state)
            .await
            .map_err(|e| bad_upload(&e.body_text()))?;
        let (mut csv, mut name, mut source) = (Vec::new(), String::new(), String::new());
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| bad_upload(&e.body_text()))?
        {
            match field.name() {
                Some("file") => {
                    name = field.file_name().unwrap_or("the file").to_string();
                    csv = field
                        .bytes()
                        .await
                        .map_err(|e| bad_upload(&e.body_text()))?
                        .to_vec();
                }
                Some("source") => {
                    source = field.text().await.map_err(|e| bad_upload(&e.body_text()))?;
                }
                _ => {}
            }
        }
        (csv, name, source)
    } else {
        let Form(form) = Form::<ImportForm>::from_request(req, &state)
            .await
            .map_err(|e| bad_upload(&e.body_text()))?;
        (
            form.csv.into_bytes(),
            "the pasted CSV".to_string(),
            form.source,
        )
    };
    let mut problems = Vec::new();
    let source = crate::domain::signup::clean_source(&source);
    let cal = state.calendar.get();
    let result = crate::bulk::import(
        state.store.as_ref(),
        &cal.areas,
        csv.as_slice(),
        &label,
        &source,
        |line, why| problems.push(format!("line {line}: {why}")),
    )
    .await;
    let mut p = page(&state, &staff).await?;
    match result {
        Ok(r) => {
            audit_import(&state, &staff, &source, &r).await;
            p.import_result = format!(
                "Imported {} new residents from {label}; {} were already known; {} rows were skipped.",
                thousands(i64::try_from(r.added).unwrap_or(i64::MAX)),
                thousands(i64::try_from(r.unchanged).unwrap_or(i64::MAX)),
                thousands(i64::try_from(r.invalid).unwrap_or(i64::MAX)),
            );
        }
        Err(e) => p.import_result = format!("Nothing was imported: {e:#}"),
    }
    p.import_problems = problems;
    Ok(super::render(&p))
}

fn bad_upload(why: &str) -> crate::web::Error {
    crate::web::Error::BadRequest(crate::web::Explain::new(
        "The file could not be read",
        format!("Choose the CSV file again and upload it. ({why})"),
    ))
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
