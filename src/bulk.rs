//! Confirmed residents in bulk: CSV imports (from the CLI and the console) and demo data.

use crate::domain::{AreaDirectory, Email, Postcode, Priority, Resolution};
use crate::store::{ConfirmedSubscriber, ImportOutcome, SqlStore};
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

/// The consent wording version recorded for imports and demo data.
pub const IMPORT_CONSENT_VERSION: &str = "import-2026-1";
const BATCH: usize = 500;

mod demo;
pub use demo::{DemoHistory, demo, demo_history};

fn parse_consent(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            s.parse::<NaiveDate>()
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

fn areas_for(areas: &AreaDirectory, pc: &Postcode) -> Vec<String> {
    match areas.resolve(pc) {
        Resolution::One(a) => vec![a.slug.clone()],
        Resolution::Several(v) => v.iter().map(|a| a.slug.clone()).collect(),
        Resolution::NotCovered => vec![],
    }
}

/// One CSV record as a subscriber, or why not.
fn row_to_subscriber(
    directory: &AreaDirectory,
    rec: &csv::StringRecord,
    headers: &csv::StringRecord,
    source: &str,
) -> Result<ConfirmedSubscriber, String> {
    let get = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .and_then(|i| rec.get(i))
            .map(str::trim)
    };
    let email = Email::parse(get("email").unwrap_or("")).map_err(|e| format!("email: {e}"))?;
    let pc =
        Postcode::parse(get("postcode").unwrap_or("")).map_err(|e| format!("postcode: {e}"))?;
    let areas = areas_for(directory, &pc);
    if areas.is_empty() {
        return Err(format!("postcode {pc} is outside Chiltern and South Bucks"));
    }
    let priorities: Vec<String> = match get("topics").filter(|t| !t.is_empty()) {
        Some(t) => t
            .split([';', ' ', '|'])
            .filter(|x| !x.is_empty())
            .map(|x| x.parse::<Priority>().map(|p| p.slug().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("topics: {e}"))?,
        None => Priority::ALL.iter().map(|p| p.slug().to_string()).collect(),
    };
    let consent_at = match get("consent_at").filter(|t| !t.is_empty()) {
        Some(t) => parse_consent(t)
            .ok_or_else(|| format!("consent_at: `{t}` is not a date or RFC 3339 time"))?,
        None => Utc::now(),
    };
    Ok(ConfirmedSubscriber {
        email: email.as_str().to_string(),
        postcode: Some(pc.as_str().to_string()),
        area_slugs: areas,
        priorities,
        consent_version: IMPORT_CONSENT_VERSION.into(),
        consent_at,
        source: source.to_string(),
    })
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub added: usize,
    pub unchanged: usize,
    pub invalid: usize,
}

/// Imports a CSV (`email,postcode[,topics][,consent_at]`); invalid rows are reported with their
/// line numbers and skipped, the rest committed; importing the same file again changes nothing.
pub async fn import(
    store: &SqlStore,
    directory: &AreaDirectory,
    input: impl std::io::Read,
    label: &str,
    name: &str,
    report_invalid: impl FnMut(u64, &str),
) -> anyhow::Result<ImportReport> {
    let hidden = indicatif::ProgressBar::hidden();
    import_with_progress(
        store,
        directory,
        input,
        label,
        name,
        report_invalid,
        &hidden,
    )
    .await
}

/// `import`, counting residents on `bar` (the CLI's, drawn only on a terminal) as it goes.
pub async fn import_with_progress(
    store: &SqlStore,
    directory: &AreaDirectory,
    input: impl std::io::Read,
    label: &str,
    name: &str,
    mut report_invalid: impl FnMut(u64, &str),
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<ImportReport> {
    let source = if name.starts_with("import:") {
        name.to_string()
    } else {
        format!("import:{name}")
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .context("the CSV has no header row")?
        .clone();
    if !headers
        .iter()
        .any(|h| h.trim().eq_ignore_ascii_case("email"))
        || !headers
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case("postcode"))
    {
        anyhow::bail!(
            "{label}: the header row must name the columns email,postcode[,topics][,consent_at]"
        );
    }
    let mut report = ImportReport::default();
    let mut batch = Vec::with_capacity(BATCH);
    for rec in reader.records() {
        let (line, result) = match rec {
            Ok(r) => (
                r.position().map_or(0, |p| p.line()),
                row_to_subscriber(directory, &r, &headers, &source),
            ),
            Err(e) => (e.position().map_or(0, |p| p.line()), Err(e.to_string())),
        };
        match result {
            Ok(sub) => batch.push(sub),
            Err(why) => {
                report.invalid += 1;
                report_invalid(line, &why);
            }
        }
        if batch.len() >= BATCH {
            commit(store, &mut batch, &mut report).await?;
            bar.set_position((report.added + report.unchanged) as u64);
        }
    }
    commit(store, &mut batch, &mut report).await?;
    bar.finish_and_clear();
    Ok(report)
}

async fn commit(
    store: &SqlStore,
    batch: &mut Vec<ConfirmedSubscriber>,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    commit_at(store, batch, report, Utc::now()).await
}

/// `commit`, recorded as confirmed at `at` (demo data's history is backdated).
async fn commit_at(
    store: &SqlStore,
    batch: &mut Vec<ConfirmedSubscriber>,
    report: &mut ImportReport,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    for o in store.add_confirmed(batch, at).await? {
        match o {
            ImportOutcome::Added => report.added += 1,
            ImportOutcome::Unchanged => report.unchanged += 1,
        }
    }
    batch.clear();
    Ok(())
}
