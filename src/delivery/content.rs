//! What workers need to turn an outbox row into a message, cached per run and area.

use crate::auth::token::{Claims, Purpose, Signer};
use crate::channels::SendError;
use crate::channels::webhook::Endpoint;
use crate::domain::crime_vars::uses_crime;
use crate::domain::{AreaDirectory, Priority};
use crate::render::crime_text;
use crate::render::email::{CampaignContent, EmailTemplate};
use crate::store::{Run, SqlStore, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const CACHE_LIMIT: usize = 512;

/// Rendered e-mail per (run, area).
type TemplateCache = Mutex<HashMap<(i64, Option<i64>), Arc<EmailTemplate>>>;

/// Shared by every worker in the process.
pub struct Context {
    pub base_url: String,
    pub signer: Signer,
    pub areas: AreaDirectory,
    pub webhooks: Vec<Endpoint>,
    pub list_id: String,
    area_slugs: HashMap<i64, String>,
    runs: Mutex<HashMap<i64, Arc<Run>>>,
    templates: TemplateCache,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Context {
    pub async fn new(
        store: &SqlStore,
        base_url: &str,
        webhooks: Vec<Endpoint>,
        signer: Signer,
        areas: AreaDirectory,
    ) -> Result<Self, StoreError> {
        let host = url::Url::parse(base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "beacon.invalid".into());
        Ok(Context {
            base_url: base_url.trim_end_matches('/').to_string(),
            signer,
            areas,
            webhooks,
            list_id: format!("Chiltern and South Bucks community safety alerts <alerts.{host}>"),
            area_slugs: store.area_slugs().await?,
            runs: Mutex::default(),
            templates: Mutex::default(),
        })
    }

    pub fn area_slug(&self, area_id: Option<i64>) -> Option<&str> {
        area_id
            .and_then(|id| self.area_slugs.get(&id))
            .map(String::as_str)
    }

    pub fn link(&self, path: &str, purpose: Purpose, subscriber_id: i64, version: i64) -> String {
        self.link_until(path, purpose, subscriber_id, version, 0)
    }

    /// A link that stops working at `expires` (seconds since the epoch; 0 never).
    pub fn link_until(
        &self,
        path: &str,
        purpose: Purpose,
        subscriber_id: i64,
        version: i64,
        expires: i64,
    ) -> String {
        let token = self.signer.sign(Claims {
            purpose,
            subscriber_id,
            version,
            expires,
        });
        format!("{}/{path}/{token}", self.base_url)
    }

    /// The token of a resident's answer links for a run's message, open for
    /// `ANSWER_LINK_DAYS` from `now`: a survey's for a survey run, feedback's otherwise.
    pub fn answer_token(
        &self,
        run_id: i64,
        survey: bool,
        area_id: Option<i64>,
        subscriber_id: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> String {
        use crate::auth::answer::{AnswerClaims, AnswerKind};
        self.signer.sign_answer(&AnswerClaims {
            kind: if survey {
                AnswerKind::Survey
            } else {
                AnswerKind::Feedback
            },
            run_id,
            area_id: area_id.unwrap_or(0),
            resident: self.signer.resident_key(subscriber_id),
            expires: (now + chrono::Duration::days(crate::domain::survey::ANSWER_LINK_DAYS))
                .timestamp(),
        })
    }

    pub async fn run(&self, store: &SqlStore, run_id: i64) -> Result<Arc<Run>, StoreError> {
        if let Some(r) = self.runs.lock().ok().and_then(|m| m.get(&run_id).cloned()) {
            return Ok(r);
        }
        let run = Arc::new(
            store
                .run(run_id)
                .await?
                .ok_or(StoreError::NotFound("run"))?,
        );
        if let Ok(mut m) = self.runs.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(run_id, run.clone());
        }
        Ok(run)
    }

    /// The run's body with its crime figures for one area (all areas when none) filled in.
    pub async fn body(
        &self,
        store: &SqlStore,
        run: &Run,
        area_id: Option<i64>,
    ) -> Result<String, StoreError> {
        if !uses_crime(&run.body) {
            return Ok(run.body.clone());
        }
        let table = store.crime_table(None).await?;
        let area = self.area_slug(area_id).and_then(|s| self.areas.get(s));
        Ok(crime_text::fill(&run.body, |c| {
            table.figures(&self.areas, area, c)
        }))
    }

    /// The run's e-mail for one area, rendered once and then reused for every resident there.
    pub async fn template(
        &self,
        store: &SqlStore,
        run: &Run,
        area_id: Option<i64>,
    ) -> Result<Arc<EmailTemplate>, SendError> {
        let key = (run.run_id, area_id);
        if let Some(t) = self
            .templates
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Ok(t);
        }
        let area_name = self
            .area_slug(area_id)
            .and_then(|s| self.areas.get(s))
            .map_or("Chiltern and South Bucks", |a| a.name.as_str());
        let topic = run
            .priority
            .parse::<Priority>()
            .map_or("community safety", Priority::resident_label);
        let archive = format!(
            "{}/messages/{}",
            self.base_url,
            self.signer.archive_id(run.run_id)
        );
        let body = self
            .body(store, run, area_id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let t = Arc::new(
            EmailTemplate::render(&CampaignContent {
                subject: &run.subject,
                title: &run.title,
                body_markdown: &body,
                lead: &run.lead,
                archive_url: &archive,
                area_name,
                topic_label: topic,
                base_url: &self.base_url,
                survey: run
                    .survey_question
                    .as_deref()
                    .and_then(crate::domain::survey::Question::parse),
            })
            .map_err(|e| SendError::Permanent(e.to_string()))?,
        );
        if let Ok(mut m) = self.templates.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, t.clone());
        }
        Ok(t)
    }
}
