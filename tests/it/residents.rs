//! A resident's journey over real HTTP, with a real SMTP server: sign up, confirm, manage,
//! export, erase; what the form reveals (nothing); expired and forged links; abuse limits.

use crate::app::{Options, TestApp, spawn_app, spawn_app_with};
use crate::smtp::{Received, SmtpSink, decoded, header};
use crate::support::{TestDb, sqlite};
use beacon::auth::token::{Claims, Purpose};
use chrono::{Duration, Utc};
use std::time::Duration as StdDuration;

const WAIT: StdDuration = StdDuration::from_secs(10);

fn form<'a>(email: &'a str, postcode: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("email", email),
        ("postcode", postcode),
        ("topics", "burglary-vehicle"),
        ("topics", "fear-of-crime"),
        ("frequency", "immediate"),
        ("consent", "yes"),
        ("source", "chesham-fair"),
        ("website", ""),
    ]
}

/// The first link in a mail to `{base}/{path}/…`.
fn link(app: &TestApp, mail: &Received, path: &str) -> String {
    let text = decoded(&mail.data);
    let prefix = format!("{}/{path}/", app.base);
    let start = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no /{path}/ link in {text}"));
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect()
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
}

fn to(mails: &[Received], addr: &str) -> Vec<Received> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .cloned()
        .collect()
}

async fn a_resident_signs_up_confirms_changes_downloads_and_erases_their_details(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;

    let home = app.get("/?source=chesham-fair").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"en-GB\">"));
    assert!(html.contains("name=\"email\"") && html.contains("name=\"postcode\""));
    assert!(html.contains("value=\"chesham-fair\""), "source kept");
    assert!(html.contains("/feeds/chesham/atom.xml"));

    let r = app
        .post_form("/subscribe", &form("Ann@Example.com", "hp5 9aa"))
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/subscribe/check-email");
    let page = app
        .get("/subscribe/check-email")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Check your email"));
    assert!(sink.messages().is_empty(), "the web never sends inline");

    app.drain(Utc::now()).await;
    let mails = sink.wait_for(1, WAIT);
    assert_eq!(mails[0].to, ["Ann@example.com"]);
    assert_eq!(
        header(&mails[0].data, "Subject").as_deref(),
        Some("Confirm your community safety alerts")
    );
    assert!(
        decoded(&mails[0].data).contains("Chesham"),
        "{}",
        mails[0].data
    );
    let confirm = link(&app, &mails[0], "confirm");
    let claims = app
        .services
        .signer
        .verify(token_of(&confirm), Purpose::Confirm, Utc::now())
        .unwrap();
    let id = claims.subscriber_id;
    assert!(claims.expires > (Utc::now() + Duration::days(6)).timestamp());

    // Following the link only shows a button: scanners must not confirm anyone.
    let shown = app.get(&confirm).await;
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.unwrap().contains("Confirm my alerts"));
    let status = app.services.store.subscriber_status(id).await.unwrap();
    assert_eq!(status.as_deref(), Some("pending"));
    // Nothing is sent to someone who has not confirmed.
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    assert_eq!(sink.messages().len(), 1);

    let done = app.http.post(&confirm).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let done = done.text().await.unwrap();
    assert!(done.contains("Your alerts are confirmed"));
    let status = app.services.store.subscriber_status(id).await.unwrap();
    assert_eq!(status.as_deref(), Some("confirmed"));
    let start = done.find("/manage/").unwrap();
    let manage: String = done[start..].chars().take_while(|c| *c != '"').collect();

    // Now campaigns reach them.
    app.services
        .scheduler
        .send_now("realities-of-local-crime", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, WAIT);
    let subject = header(&mails[1].data, "Subject").unwrap();
    assert!(decoded(&mails[1].data).contains("alerts for Chesham"));

    let page = app.get(&manage).await;
    assert_eq!(page.headers()["cache-control"], "no-store");
    let page = page.text().await.unwrap();
    assert!(page.contains("Ann@example.com"));
    assert!(page.contains("value=\"chesham\" checked"));
    assert!(!page.contains("value=\"amersham\" checked"));

    let bad = app
        .post_form(
            &manage,
            &[("topics", "fear-of-crime"), ("frequency", "weekly")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("<title>Error: "));
    assert!(bad.contains("href=\"#areas\""));
    assert!(bad.contains("Choose at least one area"));

    let saved = app
        .post_form(
            &manage,
            &[
                ("areas", "chesham"),
                ("areas", "amersham"),
                ("topics", "fear-of-crime"),
                ("frequency", "weekly"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let page = app
        .get(saved.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your changes are saved"));
    assert!(page.contains("value=\"amersham\" checked"));
    assert!(page.contains("value=\"weekly\" checked"));
    assert!(!page.contains("value=\"burglary-vehicle\" checked"));

    let export = app.get(&format!("{manage}/export")).await;
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let doc: serde_json::Value = export.json().await.unwrap();
    assert_eq!(doc["subscriber"]["email"], "Ann@example.com");
    assert_eq!(doc["subscriber"]["postcode"], "HP5 9AA");
    assert_eq!(doc["subscriber"]["source"], "chesham-fair");
    assert_eq!(doc["subscriber"]["frequency"], "weekly");
    assert!(doc["subscriber"]["consent_version"].is_string());
    assert!(doc["subscriber"]["confirmed_at"].is_string());
    let areas: Vec<&str> = doc["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["area"].as_str().unwrap())
        .collect();
    assert_eq!(areas, ["amersham", "chesham"]);
    let messages = doc["messages"].as_array().unwrap();
    assert!(messages.iter().any(|m| m["kind"] == "confirm"));
    assert!(messages.iter().any(|m| m["subject"] == subject.as_str()));

    let stats_before = app.services.store.stats(Utc::now()).await.unwrap();
    let ask = app.get(&format!("{manage}/erase")).await;
    assert!(ask.text().await.unwrap().contains("Delete my details"));
    let erased = app.post_form(&format!("{manage}/erase"), &[]).await;
    assert_eq!(erased.status(), 200);
    assert!(
        erased
            .text()
            .await
            .unwrap()
            .contains("Your details are deleted")
    );

    let status = app.services.store.subscriber_status(id).await.unwrap();
    assert_eq!(status.as_deref(), Some("erased"));
    assert_eq!(app.services.store.export(id, 0).await.unwrap(), None);
    assert_eq!(app.services.store.export(id, 1).await.unwrap(), None);
    // Genuine links of an erased resident: "this link no longer works".
    assert_eq!(app.get(&manage).await.status(), 410);
    assert_eq!(app.get(&format!("{manage}/export")).await.status(), 410);
    let unsubscribe = link(&app, &mails[1], "unsubscribe");
    assert_eq!(
        app.http.post(&unsubscribe).send().await.unwrap().status(),
        410
    );
    // The anonymous counts are unchanged: what was delivered stays delivered.
    let stats_after = app.services.store.stats(Utc::now()).await.unwrap();
    let sent = |s: &beacon::store::OutboxStats| {
        s.depth
            .iter()
            .filter(|d| d.status == "sent")
            .map(|d| d.count)
            .sum::<i64>()
    };
    assert_eq!(sent(&stats_before), sent(&stats_after));
    // And nothing more goes to them.
    app.services
        .scheduler
        .send_now(
            "realities-of-local-crime",
            &[],
            Utc::now() + Duration::seconds(1),
            None,
        )
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    assert_eq!(sink.messages().len(), 2);
    app.finish().await;
}
each_engine!(a_resident_signs_up_confirms_changes_downloads_and_erases_their_details);

async fn the_form_answers_alike_for_new_pending_and_subscribed_addresses(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("old@example.com", &["chesham"], &["fear-of-crime"])
        .await;
    let mut answers = Vec::new();
    for email in ["new@example.com", "new@example.com", "old@example.com"] {
        let r = app.post_form("/subscribe", &form(email, "HP5 9AA")).await;
        let status = r.status();
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let body = r.text().await.unwrap();
        let next = app.get(&location).await.text().await.unwrap();
        answers.push((status, location, body, next));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");

    app.drain(Utc::now()).await;
    let mails = sink.wait_for(3, WAIT);
    let new = to(&mails, "new@example.com");
    assert_eq!(new.len(), 2, "pending: a fresh confirmation each time");
    let old = to(&mails, "old@example.com");
    assert_eq!(old.len(), 1);
    assert_eq!(
        header(&old[0].data, "Subject").as_deref(),
        Some("You already get our community safety alerts")
    );
    link(&app, &old[0], "manage");
    assert!(!decoded(&old[0].data).contains("/confirm/"));
    app.finish().await;
}
each_engine!(the_form_answers_alike_for_new_pending_and_subscribed_addresses);

#[tokio::test]
async fn form_errors_are_explained_beside_each_field_and_keep_what_was_typed() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "ann@"),
                ("postcode", "HP5 9AA"),
                ("frequency", "immediate"),
            ],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("<title>Error: "), "{html}");
    assert!(html.contains("There is a problem"));
    for anchor in ["#email", "#topics", "#consent"] {
        assert!(html.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    assert!(html.contains("id=\"email-error\""));
    assert!(html.contains("value=\"ann@\""), "input kept");
    assert!(html.contains("value=\"HP5 9AA\""));
    assert!(
        !html.contains("href=\"#postcode\""),
        "the postcode was fine"
    );

    let mut partial = form("ann@example.com", "HP5 1");
    partial.retain(|(k, _)| *k != "source");
    let html = app
        .post_form("/subscribe", &partial)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Enter a full UK postcode"));
    assert!(html.contains("checked"), "topics kept");

    let html = app
        .post_form("/subscribe", &form("ann@example.com", "HP16 0AB"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Which place do you live in?"));
    assert!(html.contains("value=\"great-missenden\"") && html.contains("value=\"prestwood\""));
    let mut chosen = form("ann@example.com", "HP16 0AB");
    chosen.push(("area", "prestwood"));
    let r = app.post_form("/subscribe", &chosen).await;
    assert_eq!(r.status(), 303);
    app.drain(Utc::now()).await;
    assert!(decoded(&sink.wait_for(1, WAIT)[0].data).contains("Prestwood"));
    app.finish().await;
}

#[tokio::test]
async fn expired_and_forged_confirm_links_get_pages_that_say_what_to_do() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.post_form("/subscribe", &form("ann@example.com", "HP5 9AA"))
        .await;
    app.drain(Utc::now()).await;
    let first = link(&app, &sink.wait_for(1, WAIT)[0], "confirm");
    let id = app
        .services
        .signer
        .verify(token_of(&first), Purpose::Confirm, Utc::now())
        .unwrap()
        .subscriber_id;

    let forged = app.get("/confirm/bm90LmEudG9rZW4.c2lnbmF0dXJl").await;
    assert_eq!(forged.status(), 404);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("This link is not valid")
    );
    assert_eq!(app.post_form("/confirm/garbage", &[]).await.status(), 404);

    let expired = app.services.signer.sign(Claims {
        purpose: Purpose::Confirm,
        subscriber_id: id,
        version: 0,
        expires: (Utc::now() - Duration::hours(1)).timestamp(),
    });
    let page = app.get(&format!("/confirm/{expired}")).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("Send me a new link"));
    let refused = app.post_form(&format!("/confirm/{expired}"), &[]).await;
    assert_eq!(refused.status(), 410);
    assert_eq!(
        app.services
            .store
            .subscriber_status(id)
            .await
            .unwrap()
            .as_deref(),
        Some("pending")
    );
    let resent = app
        .post_form(&format!("/confirm/{expired}/resend"), &[])
        .await;
    assert_eq!(resent.status(), 200);
    app.drain(Utc::now()).await;
    let fresh = link(&app, &sink.wait_for(2, WAIT)[1], "confirm");
    assert_eq!(app.http.post(&fresh).send().await.unwrap().status(), 200);
    assert_eq!(
        app.services
            .store
            .subscriber_status(id)
            .await
            .unwrap()
            .as_deref(),
        Some("confirmed")
    );
    app.finish().await;
}

#[tokio::test]
async fn sign_ups_are_limited_per_connection_and_per_address() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| c.signup.per_ip_per_hour = 6,
            ..Options::default()
        },
    )
    .await;
    // One address posted five times gets at most three mails a day: no mail-bombing through us.
    for _ in 0..5 {
        let r = app
            .post_form("/subscribe", &form("victim@example.com", "HP5 9AA"))
            .await;
        assert_eq!(r.status(), 303);
    }
    app.drain(Utc::now()).await;
    assert_eq!(to(&sink.wait_for(3, WAIT), "victim@example.com").len(), 3);

    // The sixth post from this connection is allowed, the seventh is not.
    assert_eq!(
        app.post_form("/subscribe", &form("a@example.com", "HP5 9AA"))
            .await
            .status(),
        303
    );
    let r = app
        .post_form("/subscribe", &form("b@example.com", "HP5 9AA"))
        .await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3600");

    // A filled honeypot looks like success and stores nothing.
    let mut bot = form("bot@example.com", "HP5 9AA");
    bot.retain(|(k, _)| *k != "website");
    bot.push(("website", "http://spam.example"));
    let r = app.post_form("/subscribe", &bot).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/subscribe/check-email");

    // Another site's page cannot post the form on a visitor's behalf.
    let r = app
        .http
        .post(format!("{}/subscribe", app.base))
        .header("origin", "https://evil.example")
        .form(&form("c@example.com", "HP5 9AA"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let big = "x".repeat(100 * 1024);
    let r = app
        .post_form("/subscribe", &[("email", big.as_str())])
        .await;
    assert_eq!(r.status(), 413);

    app.drain(Utc::now()).await;
    let mails = sink.messages();
    assert_eq!(to(&mails, "bot@example.com").len(), 0);
    assert_eq!(to(&mails, "b@example.com").len(), 0);
    assert_eq!(to(&mails, "c@example.com").len(), 0);
    app.finish().await;
}

async fn weekly_residents_get_one_digest_of_the_weeks_messages_and_none_when_nothing_is_new(
    db: TestDb,
) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let store = &app.services.store;
    app.resident(
        "now@example.com",
        &["chesham"],
        &["burglary-vehicle", "fear-of-crime"],
    )
    .await;
    app.resident(
        "week@example.com",
        &["chesham"],
        &["burglary-vehicle", "fear-of-crime"],
    )
    .await;
    let week_id = 2;
    let change = beacon::store::PreferenceChange {
        areas: vec!["chesham".into()],
        topics: vec!["burglary-vehicle".into(), "fear-of-crime".into()],
        frequency: "weekly".into(),
        paused: false,
    };
    assert!(
        store
            .change_preferences(week_id, 0, &change, Utc::now())
            .await
            .unwrap()
    );

    let scheduler = &app.services.scheduler;
    let t0 = Utc::now();
    assert_eq!(
        scheduler.gather_digests(t0).await.unwrap(),
        0,
        "first start sets the clock"
    );
    scheduler
        .send_now("winter-burglary", &[], t0, None)
        .await
        .unwrap();
    scheduler
        .send_now("realities-of-local-crime", &[], t0, None)
        .await
        .unwrap();
    app.drain(t0).await;
    let mails = sink.wait_for(2, WAIT);
    assert_eq!(to(&mails, "now@example.com").len(), 2);
    assert_eq!(
        to(&mails, "week@example.com").len(),
        0,
        "weekly waits for the digest"
    );

    let t1 = t0 + Duration::days(8);
    assert_eq!(scheduler.gather_digests(t1).await.unwrap(), 1);
    assert_eq!(
        scheduler.gather_digests(t1).await.unwrap(),
        0,
        "once per period"
    );
    app.drain(t1).await;
    let mails = sink.wait_for(3, WAIT);
    let digest = to(&mails, "week@example.com");
    assert_eq!(digest.len(), 1);
    assert_eq!(
        header(&digest[0].data, "Subject").as_deref(),
        Some("Your weekly community safety round-up: 2 messages")
    );
    let text = decoded(&digest[0].data);
    for slug in ["winter-burglary", "realities-of-local-crime"] {
        let c = app.services.calendar.get();
        let title = &c.campaigns.iter().find(|c| c.slug == slug).unwrap().title;
        assert!(text.contains(title.as_str()), "{title} in {text}");
    }
    assert!(header(&digest[0].data, "List-Unsubscribe").is_some());
    // Reach counts what the digest delivered against each campaign.
    let runs = store.campaign_runs("winter-burglary", 5).await.unwrap();
    assert_eq!(
        runs[0].delivered, 2,
        "one immediate resident, one in the digest"
    );
    link(&app, &digest[0], "manage");

    // A week with nothing new sends nothing.
    let t2 = t1 + Duration::days(7);
    assert_eq!(scheduler.gather_digests(t2).await.unwrap(), 0);
    app.drain(t2).await;
    assert_eq!(sink.messages().len(), 3);
    app.finish().await;
}
each_engine!(weekly_residents_get_one_digest_of_the_weeks_messages_and_none_when_nothing_is_new);

async fn sign_ups_never_confirmed_are_deleted_after_thirty_days(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.post_form("/subscribe", &form("late@example.com", "HP5 9AA"))
        .await;
    let store = &app.services.store;
    let (id, _) = store
        .subscriber_by_email("late@example.com")
        .await
        .unwrap()
        .unwrap();
    app.services
        .scheduler
        .tick(Utc::now() + Duration::days(29))
        .await
        .unwrap();
    let status = store.subscriber_status(id).await.unwrap();
    assert_eq!(status.as_deref(), Some("pending"));
    app.services
        .scheduler
        .tick(Utc::now() + Duration::days(31))
        .await
        .unwrap();
    let status = store.subscriber_status(id).await.unwrap();
    assert_eq!(status.as_deref(), Some("erased"));
    assert_eq!(
        store.subscriber_by_email("late@example.com").await.unwrap(),
        None
    );
    app.drain(Utc::now() + Duration::days(31)).await;
    assert!(
        sink.messages().is_empty(),
        "its confirmation was cancelled too"
    );
    app.finish().await;
}
each_engine!(sign_ups_never_confirmed_are_deleted_after_thirty_days);
