//! Sign-up addresses: ones SMTP cannot carry refused, and the same job for every address.

use super::*;

#[tokio::test]
async fn sign_up_refuses_addresses_smtp_cannot_carry() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    for email in [
        "\"a,b\"@example.org",
        "ann\u{85}@example.org",
        "ann\u{fffd}@example.org",
    ] {
        let r = app
            .post_form(
                "/subscribe",
                &[
                    ("email", email),
                    ("postcode", "HP5 9AA"),
                    ("topics", "fear-of-crime"),
                    ("frequency", "immediate"),
                    ("consent", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "{email:?}");
    }
    // Invalid UTF-8 in the form body.
    let r = app
        .request("POST", "/subscribe")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=ann%FF%FE%40example.org&postcode=HP5+9AA&topics=fear-of-crime&frequency=immediate&consent=yes")
        .send()
        .await
        .unwrap();
    assert!(!r.text().await.unwrap().contains("Check your email"));
    app.finish().await;
}

async fn sign_up_queues_the_same_job_whether_or_not_the_address_is_confirmed(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("known@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let form = |email: &'static str| {
        vec![
            ("email", email),
            ("postcode", "HP5 9AA"),
            ("topics", "fear-of-crime"),
            ("frequency", "immediate"),
            ("consent", "yes"),
        ]
    };
    app.post_form("/subscribe", &form("waiting@example.org"))
        .await;
    let before = app
        .services
        .store
        .subscriber_by_email("known@example.org")
        .await
        .unwrap();
    let mut jobs = Vec::new();
    for email in [
        "known@example.org",
        "waiting@example.org",
        "new@example.org",
    ] {
        let r = app.post_form("/subscribe", &form(email)).await;
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("<h1>Check your email</h1>")
        );
        let (id, _) = app
            .services
            .store
            .subscriber_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let sql = "select kind, channel, payload from outbox where subscriber_id = $1 order by outbox_id desc limit 1";
        let (kind, channel, payload): (String, String, Option<String>) =
            match app.services.store.pool() {
                beacon::store::Pool::Sqlite(p) => {
                    sqlx::query_as(sql).bind(id).fetch_one(p).await.unwrap()
                }
                beacon::store::Pool::Postgres(p) => {
                    sqlx::query_as(sql).bind(id).fetch_one(p).await.unwrap()
                }
            };
        let expires = payload
            .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
            .is_some_and(|v| v.get("expires").is_some());
        jobs.push((kind, channel, expires));
    }
    assert!(
        jobs.windows(2).all(|w| w[0] == w[1]),
        "{}: different jobs for confirmed and unconfirmed addresses: {jobs:?}",
        app.db.name
    );
    assert_eq!(
        app.services
            .store
            .subscriber_by_email("known@example.org")
            .await
            .unwrap(),
        before,
        "the confirmed resident's record is untouched"
    );
    // The same writes for a confirmed and a waiting address: one request each, kept apart.
    for email in ["known@example.org", "waiting@example.org"] {
        let (id, _) = app
            .services
            .store
            .subscriber_by_email(email)
            .await
            .unwrap()
            .unwrap();
        let sql = "select count(*) from signup_request where subscriber_id = $1";
        let n: i64 = match app.services.store.pool() {
            beacon::store::Pool::Sqlite(p) => {
                sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
            }
            beacon::store::Pool::Postgres(p) => {
                sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap()
            }
        };
        assert_eq!(n, 1, "{}: {email}", app.db.name);
    }
    // The mails that go are still the right ones for each.
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(4, std::time::Duration::from_secs(10));
    let to_known: Vec<String> = mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("known@")))
        .map(|m| crate::smtp::decoded(&m.data))
        .collect();
    assert_eq!(to_known.len(), 1);
    assert!(to_known[0].contains("already"), "{}", to_known[0]);
    app.finish().await;
}
each_engine!(sign_up_queues_the_same_job_whether_or_not_the_address_is_confirmed);
