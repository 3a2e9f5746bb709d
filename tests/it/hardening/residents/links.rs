//! Residents' links: retired on request, dead after erasure, confirm links not replayable.

use super::*;

#[tokio::test]
async fn a_resident_retires_their_links_and_gets_a_new_one_by_mail() {
    use beacon::auth::token::Purpose;
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.resident("ann@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let manage = resident_link(&app, "ann@example.org", Purpose::Manage).await;
    let unsubscribe = resident_link(&app, "ann@example.org", Purpose::Unsubscribe).await;
    let html = app.get(&manage).await.text().await.unwrap();
    assert!(html.contains("Send me a new link"), "{html}");
    let r = app.post_form(&format!("{manage}/new-link"), &[]).await;
    assert_eq!(r.status(), 200);
    for old in [&manage, &unsubscribe] {
        let r = app.get(old).await;
        assert_eq!(r.status(), 410, "{old}");
        assert!(r.text().await.unwrap().contains("no longer works"));
    }
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(1, std::time::Duration::from_secs(10));
    let text = crate::smtp::decoded(&mails[0].data);
    let prefix = format!("{}/manage/", app.base);
    let at = text.find(&prefix).expect("the mail carries the new link");
    let fresh: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_./:".contains(*c))
        .collect();
    assert_eq!(app.get(&fresh).await.status(), 200);
    app.finish().await;
}

#[tokio::test]
async fn an_erased_residents_old_links_say_they_no_longer_work_on_get_too() {
    use beacon::auth::token::Purpose;
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.resident("bob@example.org", &["chesham"], &["fear-of-crime"])
        .await;
    let manage = resident_link(&app, "bob@example.org", Purpose::Manage).await;
    let unsubscribe = resident_link(&app, "bob@example.org", Purpose::Unsubscribe).await;
    let confirm = resident_link(&app, "bob@example.org", Purpose::Confirm).await;
    let r = app.post_form(&format!("{manage}/erase"), &[]).await;
    assert_eq!(r.status(), 200);
    for old in [
        manage.clone(),
        format!("{manage}/erase"),
        unsubscribe,
        confirm,
    ] {
        let r = app.get(&old).await;
        assert_eq!(r.status(), 410, "{old}");
        assert!(r.text().await.unwrap().contains("no longer works"), "{old}");
    }
    app.finish().await;
}

#[tokio::test]
async fn replaying_a_confirm_link_does_not_hand_out_a_manage_link() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "cat@example.org"),
                ("postcode", "HP5 9AA"),
                ("topics", "fear-of-crime"),
                ("frequency", "immediate"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );
    let confirm = resident_link(
        &app,
        "cat@example.org",
        beacon::auth::token::Purpose::Confirm,
    )
    .await;
    let first = app.post_form(&confirm, &[]).await.text().await.unwrap();
    assert!(
        first.contains("/manage/"),
        "the first use links to the manage page"
    );
    let again = app.post_form(&confirm, &[]).await;
    let again = again.text().await.unwrap();
    assert!(
        !again.contains("/manage/"),
        "a replay handed out a manage link"
    );
    app.finish().await;
}
