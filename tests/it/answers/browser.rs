//! The answer pages in a real browser with axe-core (tests/browser/answers.mjs): the feedback
//! page from an e-mail link, its error and thanks, the public message page's question and
//! form, and a pulse survey's page.

use super::*;
use crate::browser::{browser_tools_or_skip, run_node};
use crate::fixtures::{app_on, campaign_file, fixture_calendar};
use crate::smtp::SmtpSink;
use crate::support::sqlite;
use chrono::Utc;

#[tokio::test]
async fn the_answer_pages_pass_axe_in_a_real_browser() {
    if !browser_tools_or_skip() {
        return;
    }
    let cal = fixture_calendar(&[
        (
            "advice",
            campaign_file("advice", "burglary-vehicle", "0 9 * * MON", ""),
        ),
        (
            "pulse",
            campaign_file(
                "pulse",
                "fear-of-crime",
                "0 10 15 5,11 *",
                "kind = \"survey\"\nquestion = \"feel_safe_after_dark\"",
            ),
        ),
    ]);
    let sink = SmtpSink::start();
    let app = app_on(sqlite().await, &sink, cal.path()).await;
    app.residents_in(1, "chesham", "burglary-vehicle").await;
    assert!(
        app.services
            .store
            .set_pulse(1, 0, true, Utc::now())
            .await
            .unwrap()
    );
    let scheduler = &app.services.scheduler;
    let advice = scheduler
        .send_now("advice", &[], Utc::now(), None)
        .await
        .unwrap()
        .unwrap();
    scheduler
        .send_now("pulse", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, WAIT);
    let texts: Vec<String> = mails.iter().map(|m| parts(m).0).collect();
    let feedback = texts
        .iter()
        .flat_map(|t| answer_links(t, &app, "feedback"))
        .find(|l| l.ends_with("answer=not_sure"))
        .unwrap();
    let survey = texts
        .iter()
        .flat_map(|t| answer_links(t, &app, "survey"))
        .find(|l| l.ends_with("answer=fairly_safe"))
        .unwrap();
    let message = format!("/messages/{}", app.services.signer.archive_id(advice));
    assert!(run_node("answers.mjs", &[&app.base, &feedback, &survey, &message]).await);
    assert_eq!(
        feedback_total(&app, "not_sure").await,
        1,
        "the browser's answer counted"
    );
    app.finish().await;
}
