//! A staff member's secret calendar address for Outlook or Google Calendar: valid iCalendar (by
//! the PyPI `icalendar` parser, not ours), shown once, replaced by a new one, revocable (404).

use super::*;

/// Parses `ics` with the `icalendar` package and returns each event's summary; panics with
/// the parser's complaint when it is not valid.
fn parse_with_python_icalendar(ics: &str) -> Vec<String> {
    let script = r#"import sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
assert cal.name == 'VCALENDAR', cal.name
assert cal.get('VERSION') == '2.0' and cal.get('PRODID'), 'VERSION and PRODID are required'
for e in cal.walk('VEVENT'):
    for field in ('UID', 'DTSTAMP', 'DTSTART', 'SUMMARY'):
        assert e.get(field) is not None, field + ' missing'
    assert e.decoded('DTEND') > e.decoded('DTSTART')
    print(str(e.get('SUMMARY')))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (pip install icalendar: .ci/run)");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(ics.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar refused the feed (pip install icalendar): {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// The address shown on the page that made it.
fn shown_address(html: &str) -> String {
    let at = html
        .find("id=\"feed-url\" readonly value=\"")
        .expect("the address is shown");
    let rest = &html[at + 30..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn make(app: &TestApp, cookie: &str, csrf: &str) -> String {
    let r = app
        .request("POST", "/admin/calendar/feed")
        .header("cookie", cookie)
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    shown_address(&r.text().await.unwrap())
}

async fn a_secret_calendar_address_serves_valid_icalendar_until_replaced_or_stopped(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let viewer = sign_in(&app, "partner@example.org", "viewer").await;
    let (_, cal) = page(&app, &viewer, "/admin/calendar").await;
    assert!(cal.contains("Add the calendar to Outlook or Google Calendar"));
    let csrf = hidden(&cal, "csrf");

    let first = make(&app, &viewer, &csrf).await;
    assert!(
        first.starts_with(&app.base) && first.ends_with(".ics"),
        "{first}"
    );
    // Only the hash is kept: the address appears nowhere once its page is gone.
    let (_, again) = page(&app, &viewer, "/admin/calendar").await;
    assert!(!again.contains(&first));
    assert!(again.contains("Stop my calendar address"));

    // A calendar app fetches it with no cookie.
    let r = app.get(&first).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    let summaries = parse_with_python_icalendar(&ics);
    // The fixture calendar has monthly campaigns: at least three sends in 120 days.
    assert!(summaries.len() >= 3, "{summaries:?}");
    assert!(summaries.iter().all(|s| s.starts_with("Send: ")));

    // A new address retires the old one.
    let second = make(&app, &viewer, &csrf).await;
    assert_ne!(first, second);
    assert_eq!(app.get(&first).await.status(), 404);
    assert_eq!(app.get(&second).await.status(), 200);
    // A guess is not found either.
    let guess = format!("{}/admin/calendar/feed/not-a-secret.ics", app.base);
    assert_eq!(app.get(&guess).await.status(), 404);

    // Stopped: 404 from then on, and a banner says so.
    let r = app
        .request("POST", "/admin/calendar/feed/revoke")
        .header("cookie", &viewer)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, after) = page(&app, &viewer, &to).await;
    assert!(after.contains("Your calendar address is stopped"));
    assert_eq!(app.get(&second).await.status(), 404);
    let audit = app.services.store.recent_audit(10).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "calendar.feed.revoke"));

    // Someone who leaves: disabling the account stops their address too.
    let leaver = sign_in(&app, "leaver@example.org", "editor").await;
    let (_, cal) = page(&app, &leaver, "/admin/calendar").await;
    let theirs = make(&app, &leaver, &hidden(&cal, "csrf")).await;
    assert_eq!(app.get(&theirs).await.status(), 200);
    let store = &app.services.store;
    assert!(
        store
            .set_user_disabled("leaver@example.org", true)
            .await
            .unwrap()
    );
    assert_eq!(app.get(&theirs).await.status(), 404);
    app.finish().await;
}
each_engine!(a_secret_calendar_address_serves_valid_icalendar_until_replaced_or_stopped);
