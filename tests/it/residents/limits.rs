//! Abuse limits on sign-ups, and unconfirmed sign-ups deleted after thirty days.

use super::*;

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
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("<h1>Check your email</h1>")
        );
    }
    app.drain(Utc::now()).await;
    assert_eq!(to(&sink.wait_for(3, WAIT), "victim@example.com").len(), 3);

    // The sixth post from this connection is allowed, the seventh is not.
    let r = app
        .post_form("/subscribe", &form("a@example.com", "HP5 9AA"))
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
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
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<strong>bot@example.com</strong>")
    );

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
