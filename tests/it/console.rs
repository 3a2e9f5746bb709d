//! The community-safety team's console and the reporting API, over real HTTP with a real SMTP
//! server: who may do what, sign-in and lock-out, CSRF, send-once, test sends, reach reports.

use crate::app::{TestApp, spawn_app};
use crate::smtp::{SmtpSink, header};
use crate::support::{TestDb, sqlite};
use beacon::auth::password;
use beacon::auth::token::secret_hash;
use beacon::web::admin::ROUTES;
use chrono::Utc;
use std::time::Duration;

/// Adds a member of staff and signs them in; returns their session cookie.
pub(crate) async fn sign_in(app: &TestApp, email: &str, role: &str) -> String {
    let hash = password::hash("a long enough passphrase").unwrap();
    app.services
        .store
        .add_user(email, &hash, role, Utc::now())
        .await
        .unwrap();
    let r = app
        .http
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", email), ("password", "a long enough passphrase")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in for {email}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie.split(';').next().unwrap().to_string()
}

pub(crate) async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let r = app
        .request("GET", path)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of a hidden input on a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Who asks: nobody, a forged session and token, or a member of staff signed in with a role.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Forged,
    Viewer,
    Editor,
    Admin,
}

/// The access matrix, written out by hand (not read from `web::admin::ROUTES`, which the guard
/// reads): each protected route and the exact status each identity gets. Console routes send
/// strangers to the sign-in page (303), API routes answer 401; a role below the route's is
/// refused with 403. Staff POSTs carry their CSRF token and an empty form, so a status other
/// than 403 shows the handler ran: 303 after the action, or its own answer to an empty form
/// (422 for a password change without one, 400 for a send without its confirmation, 200 for a
/// page shown again with what is missing).
/// Columns: anonymous, forged, viewer, editor, admin.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [u16; 5])] = &[
    ("GET", "/admin", [303, 303, 200, 200, 200]),
    ("GET", "/admin/password", [303, 303, 200, 200, 200]),
    ("POST", "/admin/password", [303, 303, 422, 422, 422]),
    ("GET", "/admin/calendar", [303, 303, 200, 200, 200]),
    ("GET", "/admin/calendar.ics", [303, 303, 200, 200, 200]),
    ("GET", "/admin/campaigns/winter-burglary", [303, 303, 200, 200, 200]),
    ("GET", "/admin/campaigns/winter-burglary/preview", [303, 303, 200, 200, 200]),
    ("POST", "/admin/campaigns/winter-burglary/pause", [303, 303, 403, 303, 303]),
    ("POST", "/admin/campaigns/winter-burglary/resume", [303, 303, 403, 303, 303]),
    ("POST", "/admin/campaigns/winter-burglary/test", [303, 303, 403, 303, 303]),
    ("GET", "/admin/campaigns/winter-burglary/send", [303, 303, 403, 200, 200]),
    ("POST", "/admin/campaigns/winter-burglary/send", [303, 303, 403, 400, 400]),
    ("GET", "/admin/subscribers", [303, 303, 200, 200, 200]),
    ("GET", "/admin/subscribers/lookup", [303, 303, 403, 403, 200]),
    ("POST", "/admin/subscribers/import", [303, 303, 403, 403, 200]),
    ("POST", "/admin/subscribers/unsuppress", [303, 303, 403, 403, 303]),
    ("POST", "/admin/channels/email/resume", [303, 303, 403, 303, 303]),
    ("GET", "/admin/reach", [303, 303, 200, 200, 200]),
    ("GET", "/admin/reach.csv", [303, 303, 200, 200, 200]),
    ("GET", "/admin/reach.html", [303, 303, 200, 200, 200]),
    ("GET", "/admin/audit", [303, 303, 403, 403, 200]),
    ("GET", "/admin/users", [303, 303, 403, 403, 200]),
    ("POST", "/admin/users", [303, 303, 403, 403, 200]),
    ("POST", "/admin/users/disable", [303, 303, 403, 403, 303]),
    ("POST", "/admin/users/unlock", [303, 303, 403, 403, 303]),
    ("POST", "/admin/users/tokens/revoke", [303, 303, 403, 403, 303]),
    ("GET", "/api/v1/report", [401, 401, 200, 200, 200]),
    ("GET", "/api/v1/outbox", [401, 401, 200, 200, 200]),
    // Last: it ends the session.
    ("POST", "/admin/logout", [303, 303, 303, 303, 303]),
];

#[tokio::test]
async fn every_console_and_api_route_answers_each_identity_as_the_written_matrix_says() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let mut staff = Vec::new();
    for (who, email, role) in [
        (Who::Viewer, "partner@example.org", "viewer"),
        (Who::Editor, "editor@example.org", "editor"),
        (Who::Admin, "admin@example.org", "admin"),
    ] {
        let cookie = sign_in(&app, email, role).await;
        let (_, html) = page(&app, &cookie, "/admin").await;
        staff.push((who, Some((cookie, hidden(&html, "csrf")))));
    }
    let mut everyone = vec![(Who::Anonymous, None), (Who::Forged, None)];
    everyone.extend(staff);
    let mut wrong = Vec::new();
    for (method, path, expected) in MATRIX {
        for (col, (who, session)) in everyone.iter().enumerate() {
            let mut req = app.request(method, path);
            match (who, session) {
                (Who::Forged, _) => {
                    req = req
                        .header("cookie", "beacon_session=forged")
                        .header("authorization", "Bearer forged");
                }
                (_, Some((cookie, csrf))) => {
                    req = req.header("cookie", cookie.as_str());
                    if *method == "POST" {
                        req = req.form(&[("csrf", csrf.as_str())]);
                    }
                }
                _ => {}
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            if status != expected[col] {
                wrong.push(format!(
                    "{who:?} {method} {path}: {status}, expected {}",
                    expected[col]
                ));
            }
            if status == 303 {
                // Strangers go to the sign-in page; staff's actions never do (that would
                // mean the session was lost, not that the action ran).
                let location = r.headers()["location"].to_str().unwrap().to_string();
                let stranger = matches!(who, Who::Anonymous | Who::Forged);
                assert_eq!(
                    location == "/admin/login",
                    stranger || *path == "/admin/logout",
                    "{who:?} {method} {path} went to {location}"
                );
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every protected route is in the matrix, and nothing more.
    let mut written: Vec<(&str, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| {
            (
                *m,
                p.replace("winter-burglary", "{slug}")
                    .replace("/channels/email/", "/channels/{channel}/"),
            )
        })
        .collect();
    let mut table: Vec<(&str, String)> = ROUTES
        .iter()
        .map(|r| (r.method, r.path.to_string()))
        .collect();
    written.sort();
    table.sort();
    assert_eq!(
        written, table,
        "the matrix covers every route of the access table"
    );
    app.finish().await;
}

#[tokio::test]
async fn sign_in_gives_one_answer_for_every_failure_and_locks_after_five() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    sign_in(&app, "editor@example.org", "editor").await;
    let attempt = |email: &'static str, pw: &'static str| {
        let http = app.http.clone();
        let url = format!("{}/admin/login", app.base);
        async move {
            let r = http
                .post(url)
                .form(&[("email", email), ("password", pw)])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (unknown_status, unknown_body) = attempt("nobody@example.org", "guess").await;
    let (wrong_status, wrong_body) = attempt("editor@example.org", "guess").await;
    assert_eq!(unknown_status, 401);
    assert_eq!(wrong_status, 401);
    assert_eq!(
        unknown_body.replace("nobody@example.org", "X"),
        wrong_body.replace("editor@example.org", "X"),
        "no account enumeration"
    );
    for _ in 0..4 {
        attempt("editor@example.org", "guess").await;
    }
    let (status, _) = attempt("editor@example.org", "a long enough passphrase").await;
    assert_eq!(
        status, 401,
        "locked after five failures, even with the right password"
    );
    let log = app.services.store.recent_audit(50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "login.locked"));
    assert!(
        log.iter()
            .any(|e| e.action == "login.failed" && e.actor == beacon::store::UNKNOWN_ACTOR)
    );
    app.finish().await;
}

async fn an_editor_sends_once_however_often_they_press_pauses_and_is_audited(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let (status, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert_eq!(status, 200);
    assert!(html.contains("Plain-text e-mail"));
    let csrf = hidden(&html, "csrf");
    let (_, confirm) = page(&app, &editor, "/admin/campaigns/winter-burglary/send").await;
    assert!(confirm.contains("Send to 1 resident<"), "{confirm}");
    let key = hidden(&confirm, "idempotency_key");

    let post = |path: &str, form: Vec<(&'static str, String)>| {
        app.http
            .post(format!("{}{path}", app.base))
            .header("cookie", &editor)
            .form(&form)
            .send()
    };
    let no_csrf = post(
        "/admin/campaigns/winter-burglary/send",
        vec![("idempotency_key", key.clone())],
    )
    .await
    .unwrap();
    assert_eq!(no_csrf.status(), 403);
    for _ in 0..3 {
        let r = post(
            "/admin/campaigns/winter-burglary/send",
            // `force`: the shipped campaign may be out of season on the day the test runs.
            vec![
                ("csrf", csrf.clone()),
                ("idempotency_key", key.clone()),
                ("force", "on".into()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 303);
    }
    let runs = app
        .services
        .store
        .campaign_runs("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "three presses, one send");
    app.drain(Utc::now()).await;
    sink.wait_for(1, Duration::from_secs(10));
    let (_, html) = page(&app, &editor, "/admin/campaigns/winter-burglary").await;
    assert!(
        html.contains("<td class=\"n\">1</td>"),
        "history shows the delivery"
    );

    let test = post(
        "/admin/campaigns/winter-burglary/test",
        vec![("csrf", csrf.clone()), ("area", "burnham".into())],
    )
    .await
    .unwrap();
    assert_eq!(test.status(), 303);
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(2, Duration::from_secs(10));
    let test_mail = mails
        .iter()
        .find(|m| m.to == ["editor@example.org"])
        .expect("a test to the editor");
    assert!(
        header(&test_mail.data, "Subject")
            .unwrap()
            .starts_with("[TEST] ")
    );

    let r = post(
        "/admin/campaigns/winter-burglary/pause",
        vec![("csrf", csrf.clone())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let stored = app.services.store.campaigns().await.unwrap();
    assert!(
        stored
            .iter()
            .any(|c| c.slug == "winter-burglary" && c.paused)
    );
    let (_, cal) = page(&app, &editor, "/admin/calendar").await;
    assert!(cal.contains("Resume<span class=\"visually-hidden\"> "));

    let log = app.services.store.recent_audit(20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in ["login", "campaign.send", "campaign.test", "campaign.pause"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(log.iter().all(|e| e.actor == "editor@example.org"));
    app.finish().await;
}
each_engine!(an_editor_sends_once_however_often_they_press_pauses_and_is_audited);

async fn the_reach_api_reports_the_documented_fields_and_suppresses_small_areas(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    for i in 0..12 {
        app.resident(
            &format!("c{i}@example.com"),
            &["chesham"],
            &["burglary-vehicle"],
        )
        .await;
    }
    for i in 0..3 {
        app.resident(
            &format!("a{i}@example.com"),
            &["amersham"],
            &["burglary-vehicle"],
        )
        .await;
    }
    app.services
        .scheduler
        .send_now("winter-burglary", &[], Utc::now(), None)
        .await
        .unwrap();
    app.drain(Utc::now()).await;
    sink.wait_for(15, Duration::from_secs(10));
    app.services
        .store
        .add_api_token(&secret_hash("bcn_secret"), "board", "viewer", Utc::now())
        .await
        .unwrap();
    let get = || async {
        app.http
            .get(format!("{}/api/v1/report", app.base))
            .header("authorization", "Bearer bcn_secret")
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let r = get().await;
    for key in [
        "audience",
        "subscribers",
        "growth_pct",
        "delivered",
        "failed",
        "unsubscribed",
    ] {
        assert!(r["totals"].get(key).is_some(), "totals.{key}");
    }
    assert_eq!(
        r["totals"]["delivered"], 15,
        "one campaign's deliveries, across areas"
    );
    assert!(r["period"]["from"].is_string() && r["period"]["to"].is_string());
    let area = |slug: &str| {
        r["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["slug"] == slug)
            .unwrap()
            .clone()
    };
    let chesham = area("chesham");
    assert_eq!(chesham["subscribers"], 12);
    assert_eq!(chesham["name"], "Chesham");
    assert!(chesham["per_1000_households"].is_number());
    assert!(chesham.get("growth_pct").is_some());
    let amersham = area("amersham");
    assert_eq!(amersham["subscribers"], "<10");
    assert_eq!(amersham["audience"], "<10");
    assert!(amersham["per_1000_households"].is_null());
    assert!(amersham["growth_pct"].is_null());
    // Amersham's 3 cannot be recovered by subtraction: whatever the total less the areas shown
    // leaves is spread over more than one suppressed area.
    let areas = r["areas"].as_array().unwrap();
    let shown: i64 = areas.iter().filter_map(|a| a["subscribers"].as_i64()).sum();
    let hidden: Vec<&str> = areas
        .iter()
        .filter(|a| a["subscribers"] == "<10")
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert!(hidden.contains(&"amersham"), "{hidden:?}");
    assert!(
        r["totals"]["subscribers"].as_i64().unwrap() == shown || hidden.len() > 1,
        "the total less the areas shown gives a lone suppressed area away: {hidden:?}"
    );
    for a in areas {
        for field in ["audience", "subscribers", "feed_readers", "signups"] {
            let v = &a[field];
            assert!(
                v == "<10" || v.as_i64().is_some_and(|n| n >= 10),
                "{} {field} = {v}: a count under 10 is shown",
                a["slug"]
            );
        }
    }
    assert!(r["sources"].is_array());
    let campaign = &r["campaigns"][0];
    assert_eq!(campaign["slug"], "winter-burglary");
    assert_eq!(campaign["delivered"], 15);
    let outcomes = r["outcomes"].as_array().unwrap();
    assert!(!outcomes.is_empty());
    for o in outcomes {
        assert!(o["id"].is_string() && o["target"].is_number());
        assert!(["green", "amber", "red", "grey"].contains(&o["rag"].as_str().unwrap()));
    }

    // A resident who left and then asked to be erased changes no total.
    let (id, version) = app
        .services
        .store
        .subscriber_by_email("c0@example.com")
        .await
        .unwrap()
        .unwrap();
    app.services
        .store
        .unsubscribe(id, version, Utc::now())
        .await
        .unwrap();
    let before = get().await;
    assert_eq!(before["totals"]["subscribers"], 14);
    assert!(
        app.services
            .store
            .erase(id, version, Utc::now())
            .await
            .unwrap()
    );
    let after = get().await;
    assert_eq!(before["totals"], after["totals"]);
    assert_eq!(before["areas"], after["areas"]);

    let viewer = sign_in(&app, "partner@example.org", "viewer").await;
    let (status, csv) = page(&app, &viewer, "/admin/reach.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("area,name,district,households,audience,subscribers"));
    assert!(csv.contains("amersham,Amersham,chiltern,") && csv.contains(",<10,"));
    let (_, board) = page(&app, &viewer, "/admin/reach.html").await;
    assert_eq!(
        board.matches("<svg").count(),
        3,
        "three charts, drawn on the server"
    );
    assert!(!board.contains("<script"));
    let (_, ics) = page(&app, &viewer, "/admin/calendar.ics").await;
    assert!(ics.contains("BEGIN:VCALENDAR") && ics.contains("BEGIN:VEVENT"));
    app.finish().await;
}
each_engine!(the_reach_api_reports_the_documented_fields_and_suppresses_small_areas);

async fn feed_readers_are_counted_once_a_day_each_and_aggregators_by_what_they_report(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let fetch = |ua: &'static str| {
        app.http
            .get(format!("{}/feeds/chesham/atom.xml", app.base))
            .header("user-agent", ua)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(fetch("NetNewsWire/6").await.unwrap().status(), 200);
    }
    fetch("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 16 subscribers)")
        .await
        .unwrap();
    app.state
        .readers
        .flush(app.services.store.as_ref(), Utc::now())
        .await;
    // Flushing again replaces this process's count rather than adding to it.
    app.state
        .readers
        .flush(app.services.store.as_ref(), Utc::now())
        .await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_t"), "t", "viewer", Utc::now())
        .await
        .unwrap();
    let r: serde_json::Value = app
        .http
        .get(format!("{}/api/v1/report", app.base))
        .header("authorization", "Bearer bcn_t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["totals"]["feed_readers"], 17);
    assert_eq!(r["totals"]["audience"], 17);
    let chesham = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "chesham")
        .unwrap();
    assert_eq!(chesham["feed_readers"], 17);
    app.finish().await;
}
each_engine!(feed_readers_are_counted_once_a_day_each_and_aggregators_by_what_they_report);

#[tokio::test]
async fn an_admin_adds_a_colleague_who_signs_in_with_the_one_time_password() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let (_, html) = page(&app, &admin, "/admin/users").await;
    let csrf = hidden(&html, "csrf");
    let r = app
        .http
        .post(format!("{}/admin/users", app.base))
        .header("cookie", &admin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "officer@example.org"),
            ("role", "viewer"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let at = html.find("shown only now: <code>").unwrap() + 22;
    let once = &html[at..at + 20];
    let login = app
        .http
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", "officer@example.org"), ("password", once)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let again = page(&app, &admin, "/admin/users").await.1;
    assert!(!again.contains(once), "shown once only");
    let log = app.services.store.recent_audit(10).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "user.add" && e.actor == "admin@example.org")
    );
    app.finish().await;
}
