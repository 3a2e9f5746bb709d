//! The data.police.uk API (<https://data.police.uk/docs/>): `crime-last-updated` says which
//! month is the latest published; `crimes-street/all-crime?poly=…&date=YYYY-MM` lists one
//! month's crimes inside a polygon. Each area is asked for with the box around its postcodes;
//! a box the API refuses as too big (over 10,000 crimes, answered with 503) is asked for in
//! quarters. A crime found in two boxes is counted once, by its id.

use super::{Locator, Tally};
use crate::domain::crime::{Category, Month};
use crate::store::{SqlStore, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashSet;
use std::time::Duration;

/// Metres added around each area's postcodes, so crimes on its edge streets are asked for.
const PAD_METRES: f64 = 500.0;
/// How many times a box may be split in four.
const MAX_SPLITS: u32 = 3;
/// How many months back are filled in, so a year-on-year comparison has its months.
pub const MONTHS_BACK: i32 = 14;

/// Why a fetch stopped; nothing of the month in hand is stored.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("data.police.uk: {0}")]
    Http(#[from] reqwest::Error),
    #[error("data.police.uk answered {status} for {url}")]
    Status { status: u16, url: String },
    #[error("data.police.uk sent something unexpected: {0}")]
    Unexpected(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Deserialize)]
struct LastUpdated {
    date: String,
}

#[derive(Deserialize)]
struct Location {
    latitude: String,
    longitude: String,
}

#[derive(Deserialize)]
struct ApiCrime {
    id: i64,
    category: String,
    month: String,
    location: Option<Location>,
}

/// A client for one API base (`https://data.police.uk/api`).
#[derive(Debug, Clone)]
pub struct PoliceApi {
    http: reqwest::Client,
    base: String,
}

impl PoliceApi {
    pub fn new(base: &str) -> Result<PoliceApi, FetchError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("beacon/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(PoliceApi {
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// The latest month published.
    pub async fn last_updated(&self) -> Result<Month, FetchError> {
        let url = format!("{}/crime-last-updated", self.base);
        let resp = self.http.get(&url).send().await?;
        if !resp.status().is_success() {
            return Err(FetchError::Status {
                status: resp.status().as_u16(),
                url,
            });
        }
        let d: LastUpdated = resp.json().await?;
        d.date
            .get(..7)
            .and_then(|m| m.parse().ok())
            .ok_or_else(|| FetchError::Unexpected(format!("last updated `{}`", d.date)))
    }

    /// One month's crimes in every area.
    pub async fn month(&self, locator: &Locator, month: Month) -> Result<Tally, FetchError> {
        let mut tally = Tally::default();
        let mut seen = HashSet::new();
        for (_, b) in locator.bounds(PAD_METRES) {
            let mut boxes = vec![(b, 0u32)];
            while let Some((b, depth)) = boxes.pop() {
                match self.crimes(b, month).await? {
                    Some(crimes) => {
                        for c in crimes {
                            if seen.insert(c.id) {
                                add(&mut tally, locator, month, c)?;
                            }
                        }
                    }
                    None if depth < MAX_SPLITS => boxes.extend(quarters(b).map(|q| (q, depth + 1))),
                    None => {
                        return Err(FetchError::Unexpected(
                            "too many crimes even in a small box".into(),
                        ));
                    }
                }
            }
        }
        // A month with no crime anywhere still counts as read.
        tally.months.entry(month).or_insert(0);
        Ok(tally)
    }

    /// The crimes in a box, or none when the API says there are too many for one request.
    async fn crimes(
        &self,
        (s, w, n, e): (f64, f64, f64, f64),
        month: Month,
    ) -> Result<Option<Vec<ApiCrime>>, FetchError> {
        let poly = format!("{s:.5},{w:.5}:{n:.5},{w:.5}:{n:.5},{e:.5}:{s:.5},{e:.5}");
        let url = format!("{}/crimes-street/all-crime", self.base);
        let full = url::Url::parse_with_params(&url, [("poly", poly), ("date", month.to_string())])
            .map_err(|e| FetchError::Unexpected(format!("{url}: {e}")))?;
        let resp = self.http.get(full).send().await?;
        match resp.status().as_u16() {
            200..=299 => Ok(Some(resp.json().await?)),
            503 => Ok(None),
            status => Err(FetchError::Status { status, url }),
        }
    }

    /// Fills in every month from [`MONTHS_BACK`] before the latest published that is not held
    /// yet, and the latest again (police.uk revises it); each month is stored in its own
    /// transaction. Returns the months stored.
    pub async fn fetch_new(
        &self,
        store: &SqlStore,
        locator: &Locator,
        now: DateTime<Utc>,
    ) -> Result<Vec<Month>, FetchError> {
        let latest = self.last_updated().await?;
        let held: HashSet<String> = store.crime_months().await?.into_iter().collect();
        let mut done = Vec::new();
        for back in (0..=MONTHS_BACK).rev() {
            let m = latest.plus(-back);
            if back > 0 && held.contains(&m.to_string()) {
                continue;
            }
            let tally = self.month(locator, m).await?;
            tally.store(store, "data.police.uk API", now).await?;
            tracing::info!(month = %m, rows = tally.rows(), "police.uk crimes stored");
            done.push(m);
        }
        Ok(done)
    }
}

fn quarters((s, w, n, e): (f64, f64, f64, f64)) -> [(f64, f64, f64, f64); 4] {
    let (mid_lat, mid_lon) = ((s + n) / 2.0, (w + e) / 2.0);
    [
        (s, w, mid_lat, mid_lon),
        (s, mid_lon, mid_lat, e),
        (mid_lat, w, n, mid_lon),
        (mid_lat, mid_lon, n, e),
    ]
}

fn add(tally: &mut Tally, locator: &Locator, month: Month, c: ApiCrime) -> Result<(), FetchError> {
    let category = c
        .category
        .parse::<Category>()
        .map_err(|e| FetchError::Unexpected(format!("crime {}: {e}", c.id)))?;
    if c.month.parse::<Month>().ok() != Some(month) {
        return Err(FetchError::Unexpected(format!(
            "crime {} is of {}, not {month}",
            c.id, c.month
        )));
    }
    let position = c
        .location
        .and_then(|l| l.latitude.parse().ok().zip(l.longitude.parse().ok()));
    tally.add(locator, month, category, position);
    Ok(())
}
