//! Fear of crime, measured (issue 13, sections 3 and 4): police.uk crime imported and fetched,
//! crime figures in campaign bodies, and the report's perception and crime sections.

use crate::support::{TestDb, repo_path};
use beacon::store::{FeedbackAnswer, Receipt, Recorded, SqlStore, SurveyAnswer};
use chrono::Utc;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

mod campaign;
mod fetch;
mod import;
mod report;

pub const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

/// The real-format fixture: 14 rows of September 2026. By hand: Chesham 5 (2 burglaries, a
/// vehicle crime, anti-social behaviour, a violent crime), Amersham 4 (a burglary, a
/// shoplifting, two anti-social behaviour reports at the same spot), Gerrards Cross 3 (a
/// burglary, a vehicle crime, criminal damage); one in High Wycombe (outside) and one with no location.
pub fn fixture() -> std::path::PathBuf {
    repo_path("tests/fixtures/police-uk/2026-09-thames-valley-street.csv")
}

/// Real street positions (police.uk snap points) in three areas.
pub const AMERSHAM: (f64, f64) = (51.673705, -0.599771);
pub const CHESHAM: (f64, f64) = (51.707690, -0.610452);

/// One crime: month, crime type, position.
pub type Row<'a> = (&'a str, &'a str, (f64, f64));

/// A police.uk street-level file of `rows`.
pub fn csv_of(dir: &Path, name: &str, rows: &[Row]) -> std::path::PathBuf {
    let mut s = format!("{HEADER}\n");
    for (i, (month, kind, (lat, lon))) in rows.iter().enumerate() {
        s.push_str(&format!(
            "{i:064x},{month},Thames Valley Police,Thames Valley Police,{lon},{lat},On or near High Street,E01017841,Buckinghamshire 012B,{kind},Under investigation,\n"
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, s).unwrap();
    path
}

/// `beacon args` against the test's database (either engine), on the tests' calendar.
pub fn beacon_at(db: &TestDb, args: &[&str]) -> Output {
    beacon_with(db, &repo_path("tests/fixtures/campaigns"), args)
}

/// `beacon args` against the test's database, on the calendar in `cal`.
pub fn beacon_with(db: &TestDb, cal: &Path, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", cal)
        .env("BEACON_DATABASE__URL", &db.url)
        .output()
        .expect("run beacon")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Crimes held per area (all months), and per area and category.
pub async fn counts(
    store: &SqlStore,
    month: &str,
) -> (BTreeMap<String, i64>, BTreeMap<(String, String), i64>) {
    let rows = store.crime_counts(&[month.to_string()]).await.unwrap();
    let mut per_area = BTreeMap::new();
    let mut per_cat = BTreeMap::new();
    for r in rows {
        *per_area.entry(r.area_slug.clone()).or_insert(0) += r.count;
        *per_cat.entry((r.area_slug, r.category)).or_insert(0) += r.count;
    }
    (per_area, per_cat)
}

pub fn by_hand(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// The id of the area `slug`, as the store numbers it.
async fn area_id(store: &SqlStore, slug: &str) -> i64 {
    let ids = store.area_slugs().await.unwrap();
    ids.into_iter()
        .find_map(|(id, s)| (s == slug).then_some(id))
        .unwrap_or_else(|| panic!("no area {slug}"))
}

/// Adds `count` answers to the pulse survey, each from its own resident, through the store's
/// own recording (receipt and tally in one transaction), as the survey pages would.
pub async fn survey(
    store: &SqlStore,
    question: &str,
    area: &str,
    quarter: &str,
    answer: &str,
    count: i64,
) {
    let area_id = area_id(store, area).await;
    for i in 0..count {
        let receipt = format!("survey-{question}-{area}-{quarter}-{answer}-{i}");
        let a = SurveyAnswer {
            receipt: Receipt {
                receipt: &receipt,
                resident: &receipt,
            },
            question,
            area_id,
            quarter,
            answer,
        };
        let r = store.record_survey_answer(&a, Utc::now()).await.unwrap();
        assert_eq!(r, Recorded::Counted);
    }
}

/// Adds `count` "did this help?" answers for a run in an area, each from its own resident, as
/// the feedback page would.
pub async fn feedback(store: &SqlStore, run_id: i64, area: &str, answer: &str, count: i64) {
    let area_id = area_id(store, area).await;
    for i in 0..count {
        let receipt = format!("feedback-{run_id}-{area}-{answer}-{i}");
        let a = FeedbackAnswer {
            receipt: Some(Receipt {
                receipt: &receipt,
                resident: &receipt,
            }),
            run_id,
            area_id,
            answer,
            comment: None,
        };
        let r = store.record_feedback(&a, Utc::now()).await.unwrap();
        assert_eq!(r, Recorded::Counted);
    }
}
