//! `spawn_app`: the real application on a free port, over a fresh database and a real SMTP server.

#![allow(dead_code)]

use crate::smtp::SmtpSink;
use crate::support::{TestDb, repo_path};
use beacon::app::{Roles, Services};
use beacon::config::{Config, WebhookConfig};
use beacon::delivery::Worker;
use beacon::store::ConfirmedSubscriber;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

pub struct TestApp {
    pub base: String,
    pub services: Arc<Services>,
    pub worker: Worker,
    /// The web state the server runs with (feed-reader counts, limits).
    pub state: beacon::web::AppState,
    pub http: reqwest::Client,
    pub db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub struct Options {
    pub calendar_dir: PathBuf,
    pub webhooks: Vec<WebhookConfig>,
    /// Last word on settings, for tests that need a limit or schedule of their own.
    pub configure: fn(&mut Config),
    /// The clock when the app starts: campaigns are known to the scheduler from then on.
    pub now: Option<DateTime<Utc>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            calendar_dir: repo_path("tests/fixtures/campaigns"),
            webhooks: vec![],
            configure: |_| {},
            now: None,
        }
    }
}

pub async fn spawn_app(db: TestDb, smtp: &SmtpSink) -> TestApp {
    spawn_app_with(db, smtp, Options::default()).await
}

pub async fn spawn_app_with(db: TestDb, smtp: &SmtpSink, opts: Options) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.calendar.dir = opts.calendar_dir;
    config.server.base_url = base.clone();
    config.mail.transport = smtp.url();
    config.mail.pool_size = 2;
    config.webhooks = opts.webhooks;
    // Tests run on the wall clock at any hour; quiet hours are tested with an injected clock.
    config.delivery.quiet_hours = String::new();
    (opts.configure)(&mut config);
    let services = Arc::new(
        Services::build_at(config, opts.now.unwrap_or_else(Utc::now))
            .await
            .expect("services start"),
    );
    let worker = services.worker().await.expect("worker");
    let state = services.web_state();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // The real entry point; the tests drive the scheduler and the worker themselves, one step
    // at a time on their own clock, so neither loop runs here.
    let server = tokio::spawn(beacon::app::serve(
        services.clone(),
        state.clone(),
        Roles {
            scheduler: false,
            workers: false,
        },
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base,
        services,
        worker,
        state,
        http,
        db,
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    /// Adds a confirmed resident following `priorities` in `areas`; returns nothing, as a form would.
    pub async fn resident(&self, email: &str, areas: &[&str], priorities: &[&str]) {
        let s = ConfirmedSubscriber {
            email: email.into(),
            postcode: Some("HP5 1AA".into()),
            area_slugs: areas.iter().map(|s| s.to_string()).collect(),
            priorities: priorities.iter().map(|s| s.to_string()).collect(),
            consent_version: "test".into(),
            consent_at: Utc::now(),
            source: "test".into(),
        };
        self.services
            .store
            .add_confirmed(&[s], Utc::now())
            .await
            .unwrap();
    }

    /// Adds `n` confirmed residents, `r0@example.com` …, all following `priority` in `area`.
    pub async fn residents_in(&self, n: usize, area: &str, priority: &str) {
        self.residents_as("r", n, area, priority).await;
    }

    /// As `residents_in`, with addresses `{prefix}{i}@example.com`, for several batches in one test.
    pub async fn residents_as(&self, prefix: &str, n: usize, area: &str, priority: &str) {
        let batch: Vec<_> = (0..n)
            .map(|i| ConfirmedSubscriber {
                email: format!("{prefix}{i}@example.com"),
                postcode: None,
                area_slugs: vec![area.into()],
                priorities: vec![priority.into()],
                consent_version: "t".into(),
                consent_at: Utc::now(),
                source: "test".into(),
            })
            .collect();
        self.services
            .store
            .add_confirmed(&batch, Utc::now())
            .await
            .unwrap();
    }

    /// A path on this app (or a full URL, as found in a mail) as a URL.
    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    /// A request with `method` ("GET" or "POST") to a path or URL, redirects not followed.
    pub fn request(&self, method: &str, path_or_url: &str) -> reqwest::RequestBuilder {
        match method {
            "GET" => self.http.get(self.url(path_or_url)),
            _ => self.http.post(self.url(path_or_url)),
        }
    }

    pub async fn get(&self, path_or_url: &str) -> reqwest::Response {
        self.request("GET", path_or_url).send().await.unwrap()
    }

    /// Posts a form as a browser would (repeated keys for repeated fields).
    pub async fn post_form(&self, path_or_url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.request("POST", path_or_url)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Runs the worker until a step claims nothing due at `now`.
    pub async fn drain(&self, now: DateTime<Utc>) -> beacon::delivery::WorkerReport {
        let mut total = beacon::delivery::WorkerReport::default();
        loop {
            let r = self.worker.run_once(now).await.unwrap();
            total.claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.failed += r.failed;
            total.cancelled += r.cancelled;
            total.deferred += r.deferred;
            if r.claimed == 0 {
                return total;
            }
        }
    }

    /// Shuts the server down as SIGTERM would (it closes the database), then drops the database.
    pub async fn finish(mut self) {
        self.shut_down().await;
        self.db.store.close().await;
    }

    async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("server task")
                .expect("server stops cleanly");
        }
    }
}
