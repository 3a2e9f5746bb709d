//! Sending a campaign now, from the console, the CLI or a partner's API call: one place that
//! checks the request, counts who it will reach (with the fan-out's own query) and then sends
//! it by the scheduler's path, under the same repeat window, cap and quiet hours.

use super::Scheduler;
use crate::domain::Campaign;
use crate::store::{AudienceCount, AudienceQuery, RunSummary, StoreError, Trigger};
use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::Ordering;

/// Earlier runs of the campaign this far back are shown before a send.
pub const RECENT_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum SendNowError {
    #[error("no campaign called `{0}`")]
    UnknownCampaign(String),
    #[error("there is no area called `{area}`{}", did_you_mean(.suggestion))]
    UnknownArea {
        area: String,
        suggestion: Option<String>,
    },
    #[error("`{area}` is not one of this campaign's areas{}", did_you_mean(.suggestion))]
    NotCovered {
        area: String,
        suggestion: Option<String>,
    },
    #[error("`{slug}` {why}; send it anyway only on purpose (--force, or tick \"send anyway\")")]
    NeedsForce { slug: String, why: String },
    #[error("a deliberate repeat needs a reason (who asked for it, and why)")]
    ReasonNeeded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn did_you_mean(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

use crate::domain::suggest::closest;

/// What the sender asked for.
#[derive(Debug, Clone, Default)]
pub struct SendRequest {
    pub slug: String,
    /// Some of the campaign's own areas (area or district slugs); all of them when empty.
    pub areas: Vec<String>,
    /// `Some(reason)`: send again to residents who already had it.
    pub resend: Option<String>,
    /// Send a paused or out-of-season campaign.
    pub force: bool,
    /// The same key twice sends once (a double click).
    pub idempotency_key: Option<String>,
}

/// What a send would do, counted before it is confirmed.
#[derive(Debug, Clone)]
pub struct SendPlan {
    pub slug: String,
    pub title: String,
    /// Area slugs the run reaches.
    pub areas: Vec<String>,
    pub audience: AudienceCount,
    /// Runs of this campaign in the last `RECENT_DAYS` days, newest first.
    pub recent: Vec<RunSummary>,
    /// Why it needs `force`, if it does: paused, or out of its season.
    pub needs_force: Option<String>,
    /// When its e-mail goes, if quiet hours hold it now.
    pub held_until: Option<DateTime<Utc>>,
}

impl Scheduler {
    /// The campaign's areas narrowed to `wanted`, or why one of them is wrong.
    fn chosen_areas(&self, c: &Campaign, wanted: &[String]) -> Result<Vec<String>, SendNowError> {
        let cal = self.calendar();
        let own: Vec<String> = cal
            .areas
            .expand(&c.areas)
            .iter()
            .map(|a| a.slug.clone())
            .collect();
        if wanted.is_empty() {
            return Ok(own);
        }
        let mut chosen = Vec::new();
        for a in wanted {
            let Some(t) = cal.areas.target(a) else {
                let names = cal.areas.iter().map(|x| x.slug.as_str()).chain([
                    "all",
                    "chiltern",
                    "south-bucks",
                ]);
                return Err(SendNowError::UnknownArea {
                    area: a.clone(),
                    suggestion: closest(a, names),
                });
            };
            for e in cal.areas.expand(&[t]) {
                if !own.contains(&e.slug) {
                    return Err(SendNowError::NotCovered {
                        area: e.slug.clone(),
                        suggestion: closest(a, own.iter().map(String::as_str)),
                    });
                }
                if !chosen.contains(&e.slug) {
                    chosen.push(e.slug.clone());
                }
            }
        }
        Ok(chosen)
    }

    fn repeat_window(&self, c: &Campaign, resend: bool) -> Duration {
        if resend {
            Duration::zero()
        } else {
            c.repeat_after.unwrap_or(self.rules.repeat_window)
        }
    }

    /// Counts who `req` would reach now, by the fan-out's own query, and what stands in its way.
    pub async fn plan_send(
        &self,
        req: &SendRequest,
        now: DateTime<Utc>,
    ) -> Result<SendPlan, SendNowError> {
        let cal = self.calendar();
        let c = cal
            .campaign(&req.slug)
            .ok_or_else(|| SendNowError::UnknownCampaign(req.slug.clone()))?;
        let areas = self.chosen_areas(c, &req.areas)?;
        let audience = if c.channels.contains(&crate::domain::Channel::Email) {
            self.store
                .audience(
                    &AudienceQuery {
                        campaign_slug: &c.slug,
                        priority: c.priority.slug(),
                        content_hash: &c.content_hash,
                        areas: &areas,
                        repeat_window: self.repeat_window(c, req.resend.is_some()),
                        survey: c.survey.is_some(),
                    },
                    now,
                )
                .await?
        } else {
            AudienceCount::default()
        };
        let recent = self
            .store
            .campaign_runs(&c.slug, 20)
            .await?
            .into_iter()
            .filter(|r| r.fire_at > now - Duration::days(RECENT_DAYS))
            .collect();
        let needs_force = self.needs_force(c, now).await?;
        let held_until = self.held_until(c, now);
        Ok(SendPlan {
            held_until,
            slug: c.slug.clone(),
            title: c.title.clone(),
            areas,
            audience,
            recent,
            needs_force,
        })
    }

    /// Why sending `c` now needs `force`, if it does: paused, or out of its season.
    async fn needs_force(
        &self,
        c: &Campaign,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let paused = self
            .store
            .campaigns()
            .await?
            .iter()
            .any(|s| s.slug == c.slug && s.paused);
        Ok(if paused {
            Some("is paused".to_string())
        } else if !c.active_on(now) {
            Some("is out of its season or dates".to_string())
        } else {
            None
        })
    }

    /// When `c`'s e-mail would go if sent now, if quiet hours hold it (urgent mail is never held).
    pub fn held_until(&self, c: &Campaign, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.rules.quiet_hours {
            Some(q) if !c.urgent => q.release(now),
            _ => None,
        }
    }

    /// Whether `req` may be sent now, without counting its audience: its areas, or why not.
    pub async fn check(
        &self,
        req: &SendRequest,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, SendNowError> {
        if req.resend.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err(SendNowError::ReasonNeeded);
        }
        let cal = self.calendar();
        let c = cal
            .campaign(&req.slug)
            .ok_or_else(|| SendNowError::UnknownCampaign(req.slug.clone()))?;
        let areas = self.chosen_areas(c, &req.areas)?;
        if let (Some(why), false) = (self.needs_force(c, now).await?, req.force) {
            return Err(SendNowError::NeedsForce {
                slug: req.slug.clone(),
                why,
            });
        }
        Ok(areas)
    }

    /// Sends `req` now by the scheduler's path. `Ok(None)`: its idempotency key was used already.
    /// It does not count the audience first (the fan-out is the count; counting a large
    /// audience twice delayed urgent alerts by seconds).
    pub async fn send(
        &self,
        req: &SendRequest,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, SendNowError> {
        let areas = self.check(req, now).await?;
        let cal = self.calendar();
        let c = cal
            .campaign(&req.slug)
            .ok_or_else(|| SendNowError::UnknownCampaign(req.slug.clone()))?;
        let mut run = self.new_run(c, now, Trigger::Manual, areas);
        run.idempotency_key = req.idempotency_key.clone();
        run.repeat_window = self.repeat_window(c, req.resend.is_some());
        let id = self.store.create_run(&run, now).await?;
        if id.is_some() {
            self.published.fetch_add(1, Ordering::Relaxed);
            self.finish_fan_outs(now).await?;
        }
        Ok(id)
    }

    /// A run now of all or some of the campaign's areas, paused or not, under the repeat window.
    pub async fn send_now(
        &self,
        slug: &str,
        areas: &[String],
        now: DateTime<Utc>,
        idempotency_key: Option<String>,
    ) -> Result<Option<i64>, SendNowError> {
        let req = SendRequest {
            slug: slug.to_string(),
            areas: areas.to_vec(),
            resend: None,
            force: true,
            idempotency_key,
        };
        self.send(&req, now).await
    }
}
