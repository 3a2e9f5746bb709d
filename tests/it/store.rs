//! The store suite: the same assertions on SQLite and PostgreSQL, each on a fresh database.

use crate::support::{TestDb, calendar};

async fn migrations_apply_to_an_empty_database_and_again_harmlessly(db: TestDb) {
    db.store
        .migrate()
        .await
        .unwrap_or_else(|e| panic!("{}: second migrate failed: {e}", db.name));
    db.store.ping().await.unwrap();
    db.finish().await;
}
each_engine!(migrations_apply_to_an_empty_database_and_again_harmlessly);

async fn syncing_the_calendar_twice_stores_each_area_and_campaign_once(db: TestDb) {
    let cal = calendar();
    for _ in 0..2 {
        db.store.sync_areas(&cal.areas).await.unwrap();
        db.store
            .sync_campaigns(&cal.campaigns, chrono::Utc::now())
            .await
            .unwrap();
    }
    let stored = db.store.campaigns().await.unwrap();
    assert_eq!(stored.len(), cal.campaigns.len(), "{}", db.name);
    let areas: i64 = match db.store.pool() {
        beacon::store::Pool::Sqlite(p) => sqlx::query_scalar("select count(*) from area")
            .fetch_one(p)
            .await
            .unwrap(),
        beacon::store::Pool::Postgres(p) => sqlx::query_scalar("select count(*) from area")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(areas as usize, cal.areas.len(), "{}", db.name);
    db.finish().await;
}
each_engine!(syncing_the_calendar_twice_stores_each_area_and_campaign_once);

async fn a_paused_campaign_stays_paused_when_its_file_changes(db: TestDb) {
    let mut cal = calendar();
    db.store
        .sync_campaigns(&cal.campaigns, chrono::Utc::now())
        .await
        .unwrap();
    let slug = cal.campaigns[0].slug.clone();
    assert!(db.store.set_campaign_paused(&slug, true).await.unwrap());
    assert!(
        !db.store
            .set_campaign_paused("no-such-campaign", true)
            .await
            .unwrap()
    );
    cal.campaigns[0].content_hash = "changed".into();
    let stored = db
        .store
        .sync_campaigns(&cal.campaigns, chrono::Utc::now())
        .await
        .unwrap();
    let c = stored.iter().find(|c| c.slug == slug).unwrap();
    assert!(c.paused, "{}", db.name);
    assert_eq!(c.content_hash, "changed");
    db.finish().await;
}
each_engine!(a_paused_campaign_stays_paused_when_its_file_changes);

async fn a_setting_keeps_its_first_value(db: TestDb) {
    assert_eq!(
        db.store.setting_or_insert("k", "first").await.unwrap(),
        "first"
    );
    assert_eq!(
        db.store.setting_or_insert("k", "second").await.unwrap(),
        "first"
    );
    db.finish().await;
}
each_engine!(a_setting_keeps_its_first_value);

async fn transactional_mail_is_claimed_ahead_of_campaign_bulk(db: TestDb) {
    use beacon::store::{ConfirmedSubscriber, Transactional};
    let cal = calendar();
    db.store.sync_areas(&cal.areas).await.unwrap();
    db.store
        .sync_campaigns(&cal.campaigns, chrono::Utc::now())
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let residents: Vec<_> = (0..3)
        .map(|i| ConfirmedSubscriber {
            email: format!("r{i}@example.com"),
            postcode: None,
            area_slugs: vec!["chesham".into()],
            priorities: vec!["burglary-vehicle".into()],
            consent_version: "t".into(),
            consent_at: now,
            source: "t".into(),
        })
        .collect();
    db.store.add_confirmed(&residents, now).await.unwrap();
    let c = cal.campaign("winter-burglary").unwrap();
    let run = beacon::store::NewRun {
        campaign_slug: c.slug.clone(),
        fire_at: now,
        trigger: beacon::store::Trigger::Manual,
        idempotency_key: Some("k1".into()),
        content_hash: c.content_hash.clone(),
        title: c.title.clone(),
        subject: c.subject.clone(),
        summary: c.summary.clone(),
        body: c.body.clone(),
        lead: c.lead.clone(),
        priority: c.priority.slug().into(),
        areas: vec!["chesham".into()],
        channels: vec![beacon::domain::Channel::Email],
        webhooks: vec![],
        skip_reason: None,
        repeat_window: chrono::Duration::days(14),
        urgent: false,
        survey_question: None,
    };
    let id = db.store.create_run(&run, now).await.unwrap().unwrap();
    // The same idempotency key (a double click) makes no second run.
    let mut again = run.clone();
    again.fire_at = now + chrono::Duration::seconds(1);
    assert_eq!(
        db.store.create_run(&again, now).await.unwrap(),
        None,
        "{}",
        db.name
    );
    // No quiet hours: the wall clock may be at night.
    let rules = beacon::domain::SendingRules {
        quiet_hours: None,
        ..Default::default()
    };
    while db.store.fan_out_batch(id, 2, &rules, now).await.unwrap() > 0 {}
    let msg = Transactional {
        dedupe_key: "confirm:1".into(),
        subscriber_id: None,
        kind: beacon::domain::OutboxKind::Confirm,
        payload: serde_json::json!({ "to": "x@example.com", "subject": "Confirm", "text": "t" }),
    };
    assert!(
        db.store
            .enqueue(&msg, now + chrono::Duration::seconds(5))
            .await
            .unwrap()
    );
    assert!(
        !db.store.enqueue(&msg, now).await.unwrap(),
        "enqueueing is idempotent"
    );
    let later = now + chrono::Duration::seconds(10);
    let first = db
        .store
        .claim(&["email"], 1, later, later + chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(first[0].kind.as_str(), "confirm", "{}", db.name);
    let rest = db
        .store
        .claim(&["email"], 10, later, later + chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);
    assert!(
        rest.iter()
            .all(|r| r.kind.as_str() == "campaign" && r.run_id == Some(id))
    );
    db.finish().await;
}
each_engine!(transactional_mail_is_claimed_ahead_of_campaign_bulk);
