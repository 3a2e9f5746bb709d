//! The sign-up form: answers alike for every address, and errors explained beside each field.

use super::*;

async fn the_form_answers_alike_for_new_pending_and_subscribed_addresses(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("old@example.com", &["chesham"], &["fear-of-crime"])
        .await;
    let mut answers = Vec::new();
    for email in ["new@example.com", "new@example.com", "old@example.com"] {
        let r = app.post_form("/subscribe", &form(email, "HP5 9AA")).await;
        let status = r.status();
        // The page shows back the address typed, and nothing else that differs.
        let body = r.text().await.unwrap().replace(email, "ADDRESS");
        assert!(body.contains("<strong>ADDRESS</strong>"));
        answers.push((status, body));
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
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    app.drain(Utc::now()).await;
    assert!(decoded(&sink.wait_for(1, WAIT)[0].data).contains("Prestwood"));
    app.finish().await;
}
