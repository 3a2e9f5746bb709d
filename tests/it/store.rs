//! The store suite: the same assertions on SQLite and PostgreSQL, each on a fresh database.

use crate::support::{calendar, engines};
use beacon::store::{CalendarStore, Store};

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_again_harmlessly() {
    for db in engines().await {
        db.store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("{}: second migrate failed: {e}", db.name));
        db.store.ping().await.unwrap();
        db.finish().await;
    }
}

#[tokio::test]
async fn syncing_the_calendar_twice_stores_each_area_and_campaign_once() {
    let cal = calendar();
    for db in engines().await {
        for _ in 0..2 {
            db.store.sync_areas(&cal.areas).await.unwrap();
            db.store.sync_campaigns(&cal.campaigns).await.unwrap();
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
}

#[tokio::test]
async fn a_paused_campaign_stays_paused_when_its_file_changes() {
    let mut cal = calendar();
    for db in engines().await {
        db.store.sync_campaigns(&cal.campaigns).await.unwrap();
        let slug = cal.campaigns[0].slug.clone();
        assert!(db.store.set_campaign_paused(&slug, true).await.unwrap());
        assert!(
            !db.store
                .set_campaign_paused("no-such-campaign", true)
                .await
                .unwrap()
        );
        cal.campaigns[0].content_hash = "changed".into();
        let stored = db.store.sync_campaigns(&cal.campaigns).await.unwrap();
        let c = stored.iter().find(|c| c.slug == slug).unwrap();
        assert!(c.paused, "{}", db.name);
        assert_eq!(c.content_hash, "changed");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_setting_keeps_its_first_value() {
    for db in engines().await {
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
}
