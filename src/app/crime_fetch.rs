//! With `crime.fetch = true`, the scheduler process checks data.police.uk for a newly published
//! month every `crime.check_every_hours` and stores what it has not got yet.

use super::Services;
use crate::crime::Locator;
use crate::crime::police_api::PoliceApi;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// One check: the months stored, or why none could be.
pub async fn fetch_once(s: &Services) -> anyhow::Result<Vec<crate::domain::crime::Month>> {
    let geo = crate::calendar::postcodes::load().map_err(anyhow::Error::msg)?;
    let locator = Locator::new(&geo, &s.calendar.get().areas);
    let api = PoliceApi::new(&s.config.crime.api_base)?;
    Ok(api
        .fetch_new(s.store.as_ref(), &locator, Utc::now())
        .await?)
}

pub(super) async fn crime_loop(s: Arc<Services>, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(s.config.crime.check_every_hours.max(1) * 3600);
    loop {
        if let Err(e) = fetch_once(&s).await {
            tracing::warn!(error = %format!("{e:#}"), "police.uk fetch failed; will try again");
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
