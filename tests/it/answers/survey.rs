//! The feel-safe pulse: its own consent at sign-up and on the manage page, a survey that
//! reaches only residents who gave it, and one answer per resident per survey.

use super::*;
use crate::fixtures::{app_on, campaign_file, fixture_calendar};
use crate::smtp::SmtpSink;
use crate::support::TestDb;
use beacon::auth::token::{Claims, Purpose};
use chrono::Utc;

fn manage_token(app: &TestApp, id: i64) -> String {
    app.services.signer.sign(Claims {
        purpose: Purpose::Manage,
        subscriber_id: id,
        version: 0,
        expires: 0,
    })
}

/// The manage form as the page posts it, with the pulse box ticked or not.
async fn set_pulse_on_manage_page(app: &TestApp, id: i64, on: bool) {
    let token = manage_token(app, id);
    let page = app
        .get(&format!("/manage/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("A short question about how safe you feel, up to four times a year"),
        "{page}"
    );
    let mut form = vec![
        ("areas", "chesham"),
        ("topics", "burglary-vehicle"),
        ("frequency", "immediate"),
    ];
    if on {
        form.push(("pulse", "yes"));
    }
    let r = app.post_form(&format!("/manage/{token}"), &form).await;
    assert_eq!(r.status(), 303);
    let page = app
        .get(&format!("/manage/{token}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.contains("name=\"pulse\" value=\"yes\" checked"), on);
}

async fn a_survey_reaches_only_residents_who_agreed_and_counts_one_answer_each(db: TestDb) {
    let cal = fixture_calendar(&[(
        "pulse",
        campaign_file(
            "pulse",
            "fear-of-crime",
            "0 10 1 1,4,7,10 *",
            "kind = \"survey\"\nquestion = \"feel_safe_after_dark\"",
        ),
    )]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.residents_in(3, "chesham", "burglary-vehicle").await;
    set_pulse_on_manage_page(&app, 1, true).await;
    set_pulse_on_manage_page(&app, 3, true).await;
    set_pulse_on_manage_page(&app, 3, false).await;

    // A new resident agrees to the pulse on the sign-up form, then confirms.
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("name=\"pulse\""), "{home}");
    let r = app
        .post_form(
            "/subscribe",
            &[
                ("email", "pulse@example.com"),
                ("postcode", "HP5 9AA"),
                ("topics", "fear-of-crime"),
                ("frequency", "immediate"),
                ("consent", "yes"),
                ("pulse", "yes"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 200, "the check-your-email page");
    app.drain(Utc::now()).await;
    let confirm = answer_links(&decoded(&sink.wait_for(1, WAIT)[0].data), &app, "confirm");
    assert_eq!(
        app.http.post(&confirm[0]).send().await.unwrap().status(),
        200
    );
    // Each change of the pulse consent is in the history, with its wording's version.
    assert_eq!(
        scalar(
            &app,
            "select count(*) from consent_event where consent_version = 'pulse-2026-11'"
        )
        .await,
        4,
        "two consents from the manage page, one withdrawal, one at sign-up"
    );

    let now = Utc::now();
    app.services
        .scheduler
        .send_now("pulse", &[], now, None)
        .await
        .unwrap();
    app.drain(now).await;
    let mails = sink.wait_for(3, WAIT);
    let mut reached: Vec<&str> = mails[1..].iter().map(|m| m.to[0].as_str()).collect();
    reached.sort();
    assert_eq!(reached, ["pulse@example.com", "r0@example.com"]);
    std::thread::sleep(StdDuration::from_millis(300));
    assert_eq!(sink.messages().len(), 3, "no one else");

    let (text, html) = parts(&mails[1]);
    assert!(text.contains("How safe do you feel walking alone in your area after dark?"));
    assert!(!text.contains("Did this message help you feel safer?"));
    let links = answer_links(&text, &app, "survey");
    assert_eq!(links.len(), 4, "{text}");
    assert_eq!(links, answer_links(&html, &app, "survey"));
    for (link, slug) in
        links
            .iter()
            .zip(["very_safe", "fairly_safe", "a_bit_unsafe", "very_unsafe"])
    {
        assert!(link.ends_with(&format!("?answer={slug}")), "{link}");
    }
    let counted = || async {
        scalar(
            &app,
            &format!(
                "select cast(coalesce(sum(count), 0) as bigint) from survey_tally
                 where question = 'feel_safe_after_dark' and answer = 'fairly_safe' and quarter = '{}'
                   and area_id = (select area_id from area where slug = 'chesham')",
                beacon::domain::survey::quarter(now)
            ),
        )
        .await
    };

    let r = app.get(&links[1]).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("value=\"fairly_safe\" checked")
    );
    assert_eq!(counted().await, 0, "GET changes nothing");
    let r = app
        .post_form(page_of(&links[1]), &[("answer", "not_an_answer")])
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .post_form(page_of(&links[1]), &[("answer", "fairly_safe")])
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(counted().await, 1);
    let r = app
        .post_form(page_of(&links[1]), &[("answer", "very_unsafe")])
        .await;
    assert_eq!(r.status(), 409, "one answer per resident per survey");
    assert_eq!(counted().await, 1);
    assert_eq!(
        scalar(
            &app,
            "select cast(coalesce(sum(count), 0) as bigint) from survey_tally"
        )
        .await,
        1
    );
    // A survey link is not a feedback link.
    let as_feedback = page_of(&links[1]).replace("/survey/", "/feedback/");
    assert_eq!(app.get(&as_feedback).await.status(), 404);
    app.finish().await;
}
each_engine!(a_survey_reaches_only_residents_who_agreed_and_counts_one_answer_each);
