//! The console in plain words (issue 15): names not slugs, schedules and seasons in words,
//! numbers with separators, UK times; the calendar's banner and today; the campaign page's
//! summary; the dashboard's last 7 days per channel.

use super::*;
use beacon::render::words;
use beacon::scheduler::SendRequest;

const WINTER: &str = "/admin/campaigns/winter-burglary";

async fn the_campaign_page_and_calendar_say_it_in_words(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(1_234, "chesham", "burglary-vehicle").await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;

    let (status, html) = page(&app, &editor, WINTER).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            "The first Friday of November, December, January and February at 6pm, 25 October to 28 February"
        ),
        "schedule and season in words: {html}"
    );
    assert!(!html.contains("0 18 1-7"), "no cron on the page");
    assert!(html.contains("<dd>25 Oct – 28 Feb</dd>"));
    assert!(html.contains("<dd>Every area</dd>"));
    assert!(html.contains("<dd>E-mail, feeds and partners"));
    // The fan-out's own count, with a thousands separator.
    assert!(html.contains("1,234 residents by e-mail"), "reach");
    assert!(html.contains("Next sends"));

    let (_, cal) = page(&app, &editor, "/admin/calendar").await;
    assert!(cal.contains("25 Oct – 28 Feb"));
    assert!(!cal.contains("10-25"), "no MM-DD seasons");
    assert!(!cal.contains("<code>"), "no cron in the campaign list");
    assert_eq!(
        cal.matches("aria-current=\"date\"").count(),
        1,
        "today, once"
    );
    let today = chrono::Datelike::day(&Utc::now().with_timezone(&beacon::domain::LONDON));
    if today > 1 {
        assert!(
            cal.contains("class=\"day--past\""),
            "earlier days greyed out"
        );
    }

    // Pause: a banner naming the campaign, and "Paused" in words wherever it shows.
    let csrf = hidden(&cal, "csrf");
    let r = app
        .request("POST", &format!("{WINTER}/pause"))
        .header("cookie", &editor)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, after) = page(&app, &editor, &to).await;
    assert!(after.contains("notification-banner"), "{after}");
    assert!(after.contains("Dark evenings: keep burglars out this winter is paused"));
    assert!(after.contains("<strong class=\"tag tag--paused\">Paused</strong>"));
    let (_, camp) = page(&app, &editor, WINTER).await;
    assert!(camp.contains("Nothing is sent while it is paused"));
    let r = app
        .request("POST", &format!("{WINTER}/resume"))
        .header("cookie", &editor)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, after) = page(&app, &editor, &to).await;
    assert!(after.contains("is running again"));
    app.finish().await;
}
each_engine!(the_campaign_page_and_calendar_say_it_in_words);

async fn staff_and_audit_pages_show_uk_time_in_words(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let (_, audit) = page(&app, &admin, "/admin/audit").await;
    assert!(!audit.contains("UTC"));
    let entries = app.services.store.recent_audit(5).await.unwrap();
    let first = entries.last().unwrap();
    assert!(
        audit.contains(&words::when_dated(first.at)),
        "audit time in words: {audit}"
    );
    let (_, users) = page(&app, &admin, "/admin/users").await;
    assert!(!users.contains("UTC"));
    let (_, dash) = page(&app, &admin, "/admin").await;
    assert!(!dash.contains("UTC"));
    app.finish().await;
}
each_engine!(staff_and_audit_pages_show_uk_time_in_words);

/// 3 residents get a send; a 4th joins and the mail server then refuses every address, so a
/// second send reaches only the newcomer (the others had it) and fails: 3 delivered, 1 failed,
/// a failure rate of 1 ÷ 4 = 25.0%.
async fn the_dashboard_shows_the_last_7_days_by_channel_with_the_failure_rate(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(3, "chesham", "burglary-vehicle").await;
    let send = || SendRequest {
        slug: "winter-burglary".into(),
        force: true,
        ..Default::default()
    };
    let now = Utc::now();
    app.services.scheduler.send(&send(), now).await.unwrap();
    app.drain(Utc::now()).await;
    sink.wait_for(3, Duration::from_secs(10));
    app.resident("late@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    sink.refuse_every_rcpt(Some((550, "5.1.1 no such mailbox")));
    let later = Utc::now() + chrono::Duration::seconds(1);
    app.services.scheduler.send(&send(), later).await.unwrap();
    app.drain(later + chrono::Duration::seconds(1)).await;

    let viewer = sign_in(&app, "viewer@example.org", "viewer").await;
    let (_, dash) = page(&app, &viewer, "/admin").await;
    let week = &dash[dash.find("id=\"week\"").expect("the 7-day cards")..];
    let week = &week[..week.find("</div>\n</div>").unwrap_or(week.len())];
    assert!(week.contains("E-mail"), "{week}");
    assert!(
        week.contains("<span class=\"big\">3</span> delivered"),
        "{week}"
    );
    assert!(week.contains("<strong>1</strong> failed"), "{week}");
    assert!(week.contains("(25.0% failure rate)"), "{week}");
    app.finish().await;
}
each_engine!(the_dashboard_shows_the_last_7_days_by_channel_with_the_failure_rate);
