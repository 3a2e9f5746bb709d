//! What is kept of an answer, and for how long: the receipt that refuses a second answer goes
//! at the resident's erasure or after 30 days; a comment after 12 months; the counts stay.

use super::*;
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use beacon::auth::token::{Claims, Purpose};
use chrono::{Duration, Utc};

async fn erasure_and_retention_delete_receipts_and_old_comments(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(2, "chesham", "burglary-vehicle").await;
    let now = Utc::now();
    app.services
        .scheduler
        .send_now("winter-burglary", &[], now, None)
        .await
        .unwrap();
    app.drain(now).await;
    let mails = sink.wait_for(2, WAIT);
    for (mail, comment) in mails.iter().zip(["", "Street lights on Broad Street"]) {
        let links = answer_links(&parts(mail).0, &app, "feedback");
        let r = app
            .post_form(
                page_of(&links[0]),
                &[("answer", "yes"), ("comment", comment)],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(scalar(&app, "select count(*) from answer_receipt").await, 2);

    // r0 (id 1) erases their details: their receipt goes with them, the count stays.
    let erase_1 = app.services.signer.sign(Claims {
        purpose: Purpose::Manage,
        subscriber_id: 1,
        version: 0,
        expires: 0,
    });
    let r = app
        .post_form(&format!("/manage/{erase_1}/erase"), &[])
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(scalar(&app, "select count(*) from answer_receipt").await, 1);
    assert_eq!(feedback_total(&app, "yes").await, 2);

    // The scheduler's tick is the retention job: nothing goes before its time.
    let scheduler = &app.services.scheduler;
    scheduler.tick(now + Duration::days(29)).await.unwrap();
    assert_eq!(scalar(&app, "select count(*) from answer_receipt").await, 1);
    scheduler.tick(now + Duration::days(31)).await.unwrap();
    assert_eq!(scalar(&app, "select count(*) from answer_receipt").await, 0);
    assert_eq!(
        scalar(&app, "select count(*) from feedback_comment").await,
        1
    );
    scheduler.tick(now + Duration::days(366)).await.unwrap();
    assert_eq!(
        scalar(&app, "select count(*) from feedback_comment").await,
        0
    );
    assert_eq!(feedback_total(&app, "yes").await, 2, "counts are kept");
    app.finish().await;
}
each_engine!(erasure_and_retention_delete_receipts_and_old_comments);
