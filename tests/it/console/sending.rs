//! An editor's send: once however often pressed, pauses, and the audit log.

use super::*;

async fn an_editor_sends_once_however_often_they_press_pauses_and_is_audited(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let (status, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert_eq!(status, 200);
    assert!(html.contains("Plain-text e-mail"));
    let csrf = hidden(&html, "csrf");
    let (_, confirm) = page(&app, &editor, "/admin/campaigns/winter-burglary/send").await;
    assert!(confirm.contains("Send to 1 resident<"), "{confirm}");
    let key = hidden(&confirm, "idempotency_key");

    let post = |path: &str, form: Vec<(&'static str, String)>| {
        app.http
            .post(format!("{}{path}", app.base))
            .header("cookie", &editor)
            .form(&form)
            .send()
    };
    let no_csrf = post(
        "/admin/campaigns/winter-burglary/send",
        vec![("idempotency_key", key.clone())],
    )
    .await
    .unwrap();
    assert_eq!(no_csrf.status(), 403);
    for _ in 0..3 {
        let r = post(
            "/admin/campaigns/winter-burglary/send",
            // `force`: the shipped campaign may be out of season on the day the test runs.
            vec![
                ("csrf", csrf.clone()),
                ("idempotency_key", key.clone()),
                ("force", "on".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 303);
    }
    let runs = app
        .services
        .store
        .campaign_runs("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "three presses, one send");
    app.drain(Utc::now()).await;
    sink.wait_for(1, Duration::from_secs(10));
    let (_, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert!(
        html.contains("<td class=\"n\">1</td>"),
        "history shows the delivery"
    );

    let test = post(
        "/admin/campaigns/winter-burglary/test",
        vec![("csrf", csrf.clone()), ("area", "burnham".into())],
    )
    .await
    .unwrap();
    assert_eq!(test.status(), 303);
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, Duration::from_secs(10));
    let test_mail = mails
        .iter()
        .find(|m| m.to == ["editor@example.org"])
        .expect("a test to the editor");
    assert!(
        header(&test_mail.data, "Subject")
            .unwrap()
            .starts_with("[TEST] ")
    );

    let r = post(
        "/admin/campaigns/winter-burglary/pause",
        vec![("csrf", csrf.clone())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let stored = app.services.store.campaigns().await.unwrap();
    assert!(
        stored
            .iter()
            .any(|c| c.slug == "winter-burglary" && c.paused)
    );
    let (_, cal) = page(&app, &editor, "/admin/calendar").await;
    assert!(cal.contains("Resume<span class=\"visually-hidden\"> "));

    let log = app.services.store.recent_audit(20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in ["login", "campaign.send", "campaign.test", "campaign.pause"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(log.iter().all(|e| e.actor == "editor@example.org"));
    app.finish().await;
}
each_engine!(an_editor_sends_once_however_often_they_press_pauses_and_is_audited);
