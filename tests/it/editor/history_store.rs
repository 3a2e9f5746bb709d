//! The campaign history in the store, on both engines: versions in order, held changes
//! superseded and decided once, and files changed by hand recorded once per change.

use crate::support::TestDb;
use beacon::store::{NewRevision, RevisionState, SERVER_AUTHOR, SERVER_REASON};
use chrono::{Duration, Utc};

fn version<'a>(content: &'a str, hash: &'a str, state: RevisionState) -> NewRevision<'a> {
    NewRevision {
        slug: "courier-fraud",
        content,
        content_hash: hash,
        base_hash: "h0",
        state,
        author: "editor@example.org",
        user_id: None,
        reason: "  dates for December  ",
    }
}

async fn versions_are_kept_in_order_and_held_changes_decided_once(db: TestDb) {
    let s = &db.store;
    let now = Utc::now();
    let first = s
        .add_revision(&version("one", "h1", RevisionState::Saved), now)
        .await
        .unwrap();
    let held = s
        .add_revision(
            &version("two", "h2", RevisionState::Pending),
            now + Duration::seconds(1),
        )
        .await
        .unwrap();
    let again = s
        .add_revision(
            &version("three", "h3", RevisionState::Pending),
            now + Duration::seconds(2),
        )
        .await
        .unwrap();
    let all = s.revisions("courier-fraud", 10).await.unwrap();
    let ids: Vec<i64> = all.iter().map(|r| r.revision_id).collect();
    assert_eq!(ids, [again, held, first], "newest first");
    assert_eq!(all[2].reason, "dates for December", "the reason is trimmed");
    assert_eq!(all[2].content, "one");
    assert_eq!(
        all[1].state,
        RevisionState::Superseded,
        "a newer held change replaces the older one"
    );
    let pending = s.pending_revisions().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].revision_id, again);
    assert_eq!(pending[0].base_hash, "h0");

    // The newest version on disk is still the saved one: a held change is not the file.
    assert_eq!(
        s.last_on_disk("courier-fraud")
            .await
            .unwrap()
            .unwrap()
            .revision_id,
        first
    );
    assert!(
        s.decide_revision(again, RevisionState::Approved, "admin@example.org", now)
            .await
            .unwrap()
    );
    assert!(
        !s.decide_revision(again, RevisionState::Rejected, "admin@example.org", now)
            .await
            .unwrap(),
        "a change is decided once"
    );
    let approved = s.revision(again).await.unwrap().unwrap();
    assert_eq!(approved.state, RevisionState::Approved);
    assert_eq!(approved.decided_by.as_deref(), Some("admin@example.org"));
    assert!(approved.decided_at.is_some());
    assert_eq!(
        s.last_on_disk("courier-fraud")
            .await
            .unwrap()
            .unwrap()
            .revision_id,
        again
    );
    assert!(s.revision(again + 100).await.unwrap().is_none());
    db.finish().await;
}
each_engine!(versions_are_kept_in_order_and_held_changes_decided_once);

async fn a_file_changed_by_hand_is_recorded_once_as_edited_on_the_server(db: TestDb) {
    let s = &db.store;
    let now = Utc::now();
    s.add_revision(&version("one", "h1", RevisionState::Saved), now)
        .await
        .unwrap();
    let files = |text: &str, hash: &str| {
        vec![
            (
                "courier-fraud".to_string(),
                text.to_string(),
                hash.to_string(),
            ),
            ("new-by-hand".to_string(), "x".to_string(), "hx".to_string()),
        ]
    };
    // Unchanged since the console saved it: nothing new. Never seen: recorded.
    let found = s
        .record_server_edits(&files("one", "h1"), now)
        .await
        .unwrap();
    assert_eq!(found, ["new-by-hand"]);
    // Changed by hand: recorded with its full text, once however often it is reloaded.
    let found = s
        .record_server_edits(&files("one, edited", "h9"), now)
        .await
        .unwrap();
    assert_eq!(found, ["courier-fraud"]);
    let found = s
        .record_server_edits(&files("one, edited", "h9"), now)
        .await
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
    let latest = &s.revisions("courier-fraud", 1).await.unwrap()[0];
    assert_eq!(latest.state, RevisionState::Server);
    assert_eq!(latest.author, SERVER_AUTHOR);
    assert_eq!(latest.reason, SERVER_REASON);
    assert_eq!(latest.content, "one, edited");
    db.finish().await;
}
each_engine!(a_file_changed_by_hand_is_recorded_once_as_edited_on_the_server);
