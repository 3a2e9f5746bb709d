//! The campaign page's answers: per area with counts under 10 as "<10", comments for editors
//! only, and a CSRF-protected, audited "hide".

use crate::app::spawn_app;
use crate::console::{hidden, page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use beacon::store::{FeedbackAnswer, Receipt};
use chrono::Utc;

async fn the_campaign_page_shows_answers_per_area_and_editors_hide_comments(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let store = &app.services.store;
    let run = app
        .services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    let areas = store.area_slugs().await.unwrap();
    let area = |slug: &str| *areas.iter().find(|(_, s)| s.as_str() == slug).unwrap().0;
    let mut n = 0;
    let mut answer = |area_id: i64, answer: &'static str, comment: Option<&'static str>| {
        n += 1;
        let receipt = format!("receipt-{n}");
        let resident = format!("resident-{n}");
        async move {
            let a = FeedbackAnswer {
                receipt: Some(Receipt {
                    receipt: &receipt,
                    resident: &resident,
                }),
                run_id: run,
                area_id,
                answer,
                comment,
            };
            store.record_feedback(&a, Utc::now()).await.unwrap();
        }
    };
    for _ in 0..12 {
        answer(area("chesham"), "yes", None).await;
    }
    for _ in 0..3 {
        answer(area("chesham"), "no", None).await;
    }
    answer(
        area("amersham"),
        "not_sure",
        Some("More <b>patrols</b> near the station"),
    )
    .await;

    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let (status, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert_eq!(status, 200);
    let row = |name: &str| {
        let at = html
            .find(&format!("<tr><td>{name}</td>"))
            .unwrap_or_else(|| panic!("{name} in {html}"));
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert_eq!(
        row("Chesham"),
        "<tr><td>Chesham</td><td class=\"n\">12</td><td class=\"n\">&#60;10</td><td class=\"n\">&#60;10</td>"
    );
    assert!(row("Amersham").matches("&#60;10").count() == 3);
    assert!(
        html.contains("More &lt;b&gt;patrols&lt;/b&gt; near the station")
            || html.contains("More &#60;b&#62;patrols&#60;/b&#62; near the station"),
        "escaped: {html}"
    );
    let comment = store
        .feedback_comments("winter-burglary", 5)
        .await
        .unwrap()
        .remove(0);
    let hide = format!(
        "/admin/campaigns/winter-burglary/comments/{}/hide",
        comment.comment_id
    );
    assert!(html.contains(&hide), "{html}");

    // A viewer sees the counts but not the comments.
    let viewer = sign_in(&app, "partner@example.org", "viewer").await;
    let (_, seen) = page(&app, &viewer, "/admin/campaigns/winter-burglary").await;
    assert!(seen.contains("<td class=\"n\">12</td>"));
    assert!(!seen.contains("patrols"), "{seen}");

    // Hiding needs the session's CSRF token, and is audited.
    let r = app
        .request("POST", &hide)
        .header("cookie", &editor)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .request("POST", &hide)
        .header("cookie", &editor)
        .form(&[("csrf", hidden(&html, "csrf").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert!(!html.contains("patrols"), "{html}");
    assert!(html.contains("Hidden by an editor"));
    let audit = store.recent_audit(20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "feedback.hide" && e.actor == "editor@example.org"),
        "{audit:?}"
    );
    app.finish().await;
}
each_engine!(the_campaign_page_shows_answers_per_area_and_editors_hide_comments);
