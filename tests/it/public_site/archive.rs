//! `/messages`: the archive list, newest first, filtered and paged; each message ends with
//! "Get these alerts".

use super::*;

async fn the_archive_lists_published_messages_newest_first_with_filters(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let (status, html) = page(&app, "/messages").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Messages we have sent</h1>"));
    assert!(html.contains("No messages yet."));

    // An hour apart, so "newest first" has something to order.
    let now = chrono::Utc::now();
    let first = super::publish_at(&app, "courier-fraud", now - chrono::Duration::hours(1)).await;
    let second = super::publish(&app, "winter-burglary").await;
    let (_, html) = page(&app, "/messages").await;
    let a = html
        .find(&format!("href=\"/messages/{second}\""))
        .expect("the newer message is listed");
    let b = html
        .find(&format!("href=\"/messages/{first}\""))
        .expect("the older message is listed");
    assert!(a < b, "newest first");
    assert!(html.contains("Showing 1 to 2 of 2 messages"));

    // By topic: only the scam warning is about scams.
    let (_, html) = page(&app, "/messages?topic=vulnerability-safeguarding").await;
    assert!(html.contains(&format!("href=\"/messages/{first}\"")));
    assert!(!html.contains(&format!("href=\"/messages/{second}\"")));
    assert!(html.contains("<option value=\"vulnerability-safeguarding\" selected>"));
    // By area: both go everywhere in the fixture calendar, so Chesham has both.
    let (_, html) = page(&app, "/messages?area=chesham").await;
    assert!(html.contains("Showing 1 to 2 of 2 messages that match your filters"));
    // An unknown filter value is ignored, not an error.
    let (status, _) = page(&app, "/messages?area=atlantis&page=x").await;
    assert_eq!(status, 200);
    // Past the last page: not found, with a page.
    let (status, html) = page(&app, "/messages?page=9").await;
    assert_eq!(status, 404);
    assert!(html.contains("Messages we have sent"));

    let (status, html) = page(&app, &format!("/messages/{first}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h2 id=\"get-alerts-title\">Get these alerts</h2>"));
    assert!(html.contains(
        "genuine message from the Chiltern and South Bucks Community Safety Partnership"
    ));
    app.finish().await;
}
each_engine!(the_archive_lists_published_messages_newest_first_with_filters);

#[tokio::test]
async fn the_archive_pages_twenty_at_a_time() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    for _ in 0..21 {
        app.services
            .scheduler
            .send_now("courier-fraud", &[], Utc::now(), None)
            .await
            .unwrap();
    }
    let (_, one) = page(&app, "/messages").await;
    assert!(one.contains("Showing 1 to 20 of 21 messages"), "{one}");
    assert!(one.contains("href=\"/messages?page=2\" rel=\"next\""));
    let (_, two) = page(&app, "/messages?page=2").await;
    assert!(two.contains("Showing 21 to 21 of 21 messages"));
    assert!(two.contains("href=\"/messages\" rel=\"prev\""));
    assert!(two.contains("aria-current=\"page\" aria-label=\"Page 2\""));
    app.finish().await;
}
