//! Sign-ups for an address already on file, and the consent history.

use crate::app::{TestApp, spawn_app};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::Utc;

/// A resident's consent history, oldest first: (action, wording version, source).
async fn consent_history(app: &TestApp, id: i64) -> Vec<(String, String, String)> {
    let sql = "select action, consent_version, source from consent_event
               where subscriber_id = $1 order by consent_event_id";
    match app.services.store.pool() {
        beacon::store::Pool::Sqlite(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
        beacon::store::Pool::Postgres(p) => sqlx::query_as(sql).bind(id).fetch_all(p).await,
    }
    .unwrap()
}

/// The `/confirm/…` link in the newest mail to `addr`.
fn confirm_link(mails: &[crate::smtp::Received], addr: &str) -> String {
    let m = mails
        .iter()
        .rev()
        .find(|m| m.to.iter().any(|t| t == addr))
        .unwrap_or_else(|| panic!("no mail to {addr}"));
    let text = crate::smtp::decoded(&m.data);
    let start = text.find("/confirm/").expect("a confirm link");
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect()
}

fn signup<'a>(
    email: &'a str,
    postcode: &'a str,
    topic: &'a str,
    source: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("postcode", postcode),
        ("topics", topic),
        ("frequency", "immediate"),
        ("consent", "yes"),
        ("source", source),
        ("website", ""),
    ]
}

async fn a_sign_up_for_a_known_address_changes_nothing_until_its_own_link_is_used(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let store = &app.services.store;
    let record = |email: &'static str| async move {
        let (id, version) = store.subscriber_by_email(email).await.unwrap().unwrap();
        let p = store.preferences(id, version).await.unwrap().unwrap();
        (id, p.status, p.postcode, p.areas, p.topics)
    };

    // A resident signs up; before they confirm, someone else posts their address.
    app.post_form(
        "/subscribe",
        &signup("vic@example.com", "HP5 9AA", "burglary-vehicle", "library"),
    )
    .await;
    app.drain(Utc::now()).await;
    let first = confirm_link(
        &sink.wait_for(1, std::time::Duration::from_secs(10)),
        "vic@example.com",
    );
    let before = record("vic@example.com").await;
    let r = app
        .post_form(
            "/subscribe",
            &signup("vic@example.com", "HP6 5PU", "fear-of-crime", "attacker"),
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, std::time::Duration::from_secs(10));
    assert_eq!(
        record("vic@example.com").await,
        before,
        "the record is untouched"
    );
    // Their own, older link confirms their own choices.
    assert_eq!(app.post_form(&first, &[]).await.status(), 200);
    let (id, status, postcode, areas, topics) = record("vic@example.com").await;
    assert_eq!(status, "confirmed");
    assert_eq!((postcode, areas, topics), (before.2, before.3, before.4));
    assert_eq!(
        consent_history(&app, id).await,
        vec![(
            "consent".into(),
            beacon::domain::signup::CONSENT_VERSION.into(),
            "library".into()
        )]
    );
    let second = confirm_link(&mails, "vic@example.com");
    assert_ne!(first, second);

    // A resident who left: a sign-up in their name neither rejoins them nor rewrites their
    // consent, and the purge of unconfirmed sign-ups leaves them be.
    app.resident("left@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    let (id, version) = store
        .subscriber_by_email("left@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(store.unsubscribe(id, version, Utc::now()).await.unwrap());
    let left = record("left@example.com").await;
    app.post_form(
        "/subscribe",
        &signup("left@example.com", "HP6 5PU", "fear-of-crime", "attacker"),
    )
    .await;
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(3, std::time::Duration::from_secs(10));
    assert_eq!(record("left@example.com").await, left);
    store
        .purge_unconfirmed(Utc::now() + chrono::Duration::days(31), Utc::now())
        .await
        .unwrap();
    assert_eq!(record("left@example.com").await, left, "not purged");
    let history = consent_history(&app, id).await;
    assert_eq!(
        history.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        ["consent", "withdrawal"]
    );
    // The purge removed the waiting request: its link no longer confirms anything.
    let stale = confirm_link(&mails, "left@example.com");
    assert_eq!(app.post_form(&stale, &[]).await.status(), 410);
    assert_eq!(record("left@example.com").await, left);

    // A fresh request, confirmed from the resident's own mailbox, applies those choices
    // and adds to the history rather than replacing it.
    app.post_form(
        "/subscribe",
        &signup("left@example.com", "HP6 5PU", "fear-of-crime", "rejoined"),
    )
    .await;
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(4, std::time::Duration::from_secs(10));
    let link = confirm_link(&mails, "left@example.com");
    assert_eq!(app.post_form(&link, &[]).await.status(), 200);
    let (_, status, _, areas, topics) = record("left@example.com").await;
    assert_eq!(status, "confirmed");
    assert_eq!(
        (areas, topics),
        (
            vec!["chesham-bois".to_string()],
            vec!["fear-of-crime".to_string()]
        )
    );
    let history = consent_history(&app, id).await;
    assert_eq!(
        history
            .iter()
            .map(|h| (h.0.as_str(), h.2.as_str()))
            .collect::<Vec<_>>(),
        [
            ("consent", "test"),
            ("withdrawal", "unsubscribe"),
            ("consent", "rejoined")
        ]
    );
    assert_eq!(app.post_form(&link, &[]).await.status(), 410, "used once");

    // The resident's download holds the history too.
    let (_, version) = store
        .subscriber_by_email("left@example.com")
        .await
        .unwrap()
        .unwrap();
    let export = store.export(id, version).await.unwrap().unwrap();
    assert_eq!(export["consent_history"].as_array().unwrap().len(), 3);
    assert_eq!(export["consent_history"][1]["action"], "withdrawal");

    // Erasure takes the history with it.
    let (_, version) = store
        .subscriber_by_email("left@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(store.erase(id, version, Utc::now()).await.unwrap());
    assert!(consent_history(&app, id).await.is_empty());
    app.finish().await;
}
each_engine!(a_sign_up_for_a_known_address_changes_nothing_until_its_own_link_is_used);
