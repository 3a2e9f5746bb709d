//! The question at the end of every campaign e-mail and on the public message page.

use super::*;
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use chrono::Utc;

async fn a_campaign_email_asks_the_question_and_counts_one_answer_per_resident(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(2, "chesham", "burglary-vehicle").await;
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, WAIT);

    let (text, html) = parts(&mails[0]);
    assert!(
        text.contains("Did this message help you feel safer?"),
        "{text}"
    );
    assert!(
        html.contains("Did this message help you feel safer?"),
        "{html}"
    );
    let text_links = answer_links(&text, &app, "feedback");
    let html_links = answer_links(&html, &app, "feedback");
    assert_eq!(text_links.len(), 3, "{text}");
    assert_eq!(text_links, html_links, "the same links in both parts");
    for (link, answer) in text_links.iter().zip(["yes", "no", "not_sure"]) {
        assert!(link.ends_with(&format!("?answer={answer}")), "{link}");
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{link} in {html}"
        );
    }
    let yes = &text_links[0];
    let other = answer_links(&parts(&mails[1]).0, &app, "feedback");
    assert_ne!(
        page_of(yes),
        page_of(&other[0]),
        "each resident has their own"
    );

    // Following the link (as a mail scanner would) shows the answer chosen and counts nothing.
    for _ in 0..3 {
        let r = app.get(yes).await;
        assert_eq!(r.status(), 200);
        let body = r.text().await.unwrap();
        assert!(body.contains("value=\"yes\" checked"), "{body}");
        assert!(body.contains("What would help?"), "{body}");
    }
    assert_eq!(feedback_total(&app, "yes").await, 0, "GET changes nothing");

    // A comment over 500 characters is refused beside its field; nothing is counted.
    let long = "a".repeat(501);
    let r = app
        .post_form(page_of(yes), &[("answer", "yes"), ("comment", &long)])
        .await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"comment-error\""), "{body}");
    assert!(
        body.contains("Keep it to 500 characters or fewer (you wrote 501)"),
        "{body}"
    );
    assert!(body.contains(&long), "what was typed is kept");
    assert_eq!(feedback_total(&app, "yes").await, 0);

    let r = app
        .post_form(
            page_of(yes),
            &[("answer", "yes"), ("comment", &"b".repeat(500))],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Thank you for your answer")
    );
    assert_eq!(feedback_total(&app, "yes").await, 1);
    let kept = app
        .services
        .store
        .feedback_comments("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].body.len(), kept[0].area.as_str()),
        (500, "chesham")
    );

    // The same resident again, with another answer: refused politely, nothing changes.
    let r = app.post_form(page_of(yes), &[("answer", "no")]).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("You have already answered")
    );
    assert_eq!(feedback_total(&app, "yes").await, 1);
    assert_eq!(feedback_total(&app, "no").await, 0);

    // The other resident counts.
    let r = app.post_form(page_of(&other[1]), &[("answer", "no")]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(feedback_total(&app, "no").await, 1);
    let by_area = app
        .services
        .store
        .feedback_by_area("winter-burglary")
        .await
        .unwrap();
    assert_eq!(
        (by_area[0].yes, by_area[0].no, by_area[0].not_sure),
        (1, 1, 0)
    );

    // No answer chosen, a forged link and a survey-kind path are refused.
    let r = app
        .post_form(page_of(&other[0]), &[("answer", "maybe")])
        .await;
    assert_eq!(r.status(), 422);
    let forged = page_of(yes).replace("/feedback/", "/feedback/x");
    assert_eq!(
        app.post_form(&forged, &[("answer", "yes")]).await.status(),
        404
    );
    let as_survey = page_of(yes).replace("/feedback/", "/survey/");
    assert_eq!(app.get(&as_survey).await.status(), 404);
    assert_eq!(feedback_total(&app, "yes").await, 1);
    app.finish().await;
}
each_engine!(a_campaign_email_asks_the_question_and_counts_one_answer_per_resident);

async fn the_public_message_page_asks_too_and_limits_answers_per_connection(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let run = app
        .services
        .scheduler
        .send_now("winter-burglary", &["chesham".into()], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    let id = app.services.signer.archive_id(run);
    let page = app
        .get(&format!("/messages/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Did this message help you feel safer?"),
        "{page}"
    );
    let link = format!("/messages/{id}/feedback?answer=not_sure");
    assert!(page.contains(&link), "{page}");

    let r = app.get(&link).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("value=\"not_sure\" checked")
    );
    assert_eq!(
        feedback_total(&app, "not_sure").await,
        0,
        "GET changes nothing"
    );

    let action = format!("/messages/{id}/feedback");
    for n in 1..=3 {
        let r = app.post_form(&action, &[("answer", "not_sure")]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(feedback_total(&app, "not_sure").await, n);
    }
    let r = app.post_form(&action, &[("answer", "not_sure")]).await;
    assert_eq!(r.status(), 429, "a few per connection and message a day");
    assert_eq!(feedback_total(&app, "not_sure").await, 3);
    app.finish().await;
}
each_engine!(the_public_message_page_asks_too_and_limits_answers_per_connection);
