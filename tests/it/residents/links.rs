//! Expired and forged confirm links, and the pages that say what to do.

use super::*;

#[tokio::test]
async fn expired_and_forged_confirm_links_get_pages_that_say_what_to_do() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    app.post_form("/subscribe", &form("ann@example.com", "HP5 9AA"))
        .await;
    app.drain(Utc::now()).await;
    let first = link(&app, &sink.wait_for(1, WAIT)[0], "confirm");
    let id = app
        .services
        .signer
        .verify(token_of(&first), Purpose::Confirm, Utc::now())
        .unwrap()
        .subscriber_id;

    let forged = app.get("/confirm/bm90LmEudG9rZW4.c2lnbmF0dXJl").await;
    assert_eq!(forged.status(), 404);
    assert!(
        forged
            .text()
            .await
            .unwrap()
            .contains("This link is not valid")
    );
    assert_eq!(app.post_form("/confirm/garbage", &[]).await.status(), 404);

    let expired = app.services.signer.sign(Claims {
        purpose: Purpose::Confirm,
        subscriber_id: id,
        version: 0,
        expires: (Utc::now() - Duration::hours(1)).timestamp(),
    });
    let page = app.get(&format!("/confirm/{expired}")).await;
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("Send me a new link"));
    let refused = app.post_form(&format!("/confirm/{expired}"), &[]).await;
    assert_eq!(refused.status(), 410);
    assert_eq!(
        app.services
            .store
            .subscriber_status(id)
            .await
            .unwrap()
            .as_deref(),
        Some("pending")
    );
    let resent = app
        .post_form(&format!("/confirm/{expired}/resend"), &[])
        .await;
    assert_eq!(resent.status(), 200);
    app.drain(Utc::now()).await;
    let fresh = link(&app, &sink.wait_for(2, WAIT)[1], "confirm");
    assert_eq!(app.http.post(&fresh).send().await.unwrap().status(), 200);
    assert_eq!(
        app.services
            .store
            .subscriber_status(id)
            .await
            .unwrap()
            .as_deref(),
        Some("confirmed")
    );
    app.finish().await;
}
