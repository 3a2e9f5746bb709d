//! The weekly digest: one mail of the week's messages, none when nothing is new.

use super::*;

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
