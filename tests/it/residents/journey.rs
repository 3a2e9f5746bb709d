//! A resident's whole journey: sign up, confirm, change, download and erase.

use super::*;

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
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Check your email"));
    assert!(
        page.contains("<strong>Ann@Example.com</strong>"),
        "the address used is shown"
    );
    assert!(page.contains("Wrong address?") && page.contains("Send the email again"));
    let bookmarked = app.get("/subscribe/check-email").await;
    assert!(
        bookmarked
            .text()
            .await
            .unwrap()
            .contains("Check your email")
    );
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
