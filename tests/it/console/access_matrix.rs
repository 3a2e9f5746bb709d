//! Who may reach which console and API route: the written access matrix.

use super::*;

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
    ("POST", "/admin/calendar/feed", [303, 303, 200, 200, 200]),
    ("POST", "/admin/calendar/feed/revoke", [303, 303, 303, 303, 303]),
    ("GET", "/admin/campaigns/winter-burglary", [303, 303, 200, 200, 200]),
    ("GET", "/admin/campaigns/winter-burglary/preview", [303, 303, 200, 200, 200]),
    ("POST", "/admin/campaigns/winter-burglary/pause", [303, 303, 403, 303, 303]),
    ("POST", "/admin/campaigns/winter-burglary/resume", [303, 303, 403, 303, 303]),
    ("POST", "/admin/campaigns/winter-burglary/test", [303, 303, 403, 303, 303]),
    ("GET", "/admin/campaigns/winter-burglary/send", [303, 303, 403, 200, 200]),
    ("POST", "/admin/campaigns/winter-burglary/send", [303, 303, 403, 400, 400]),
    ("POST", "/admin/campaigns/winter-burglary/comments/1/hide", [303, 303, 403, 404, 404]),
    ("GET", "/admin/editor", [303, 303, 200, 200, 200]),
    ("POST", "/admin/editor", [303, 303, 403, 200, 200]),
    ("GET", "/admin/editor/new", [303, 303, 403, 200, 200]),
    ("POST", "/admin/editor/email", [303, 303, 403, 422, 422]),
    ("GET", "/admin/editor/winter-burglary", [303, 303, 403, 200, 200]),
    ("GET", "/admin/editor/winter-burglary/duplicate", [303, 303, 403, 200, 200]),
    ("GET", "/admin/editor/winter-burglary/history", [303, 303, 200, 200, 200]),
    ("GET", "/admin/editor/winter-burglary/history/999999", [303, 303, 404, 404, 404]),
    ("POST", "/admin/editor/winter-burglary/restore", [303, 303, 403, 404, 404]),
    ("POST", "/admin/editor/winter-burglary/approve", [303, 303, 403, 403, 404]),
    ("POST", "/admin/editor/winter-burglary/reject", [303, 303, 403, 403, 404]),
    ("GET", "/admin/subscribers", [303, 303, 200, 200, 200]),
    ("GET", "/admin/subscribers/lookup", [303, 303, 403, 403, 200]),
    ("POST", "/admin/subscribers/import", [303, 303, 403, 403, 200]),
    ("POST", "/admin/subscribers/unsuppress", [303, 303, 403, 403, 303]),
    ("POST", "/admin/subscribers/unsubscribe", [303, 303, 403, 403, 200]),
    ("POST", "/admin/subscribers/resend-link", [303, 303, 403, 403, 200]),
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
    // The partner API with a session: a form-encoded POST is not the JSON a send takes (415),
    // nor an import's CSV with its header row (422).
    ("GET", "/api/v1/areas", [401, 401, 200, 200, 200]),
    ("GET", "/api/v1/campaigns", [401, 401, 200, 200, 200]),
    ("GET", "/api/v1/campaigns/winter-burglary", [401, 401, 200, 200, 200]),
    ("POST", "/api/v1/campaigns/winter-burglary/pause", [401, 401, 403, 200, 200]),
    ("POST", "/api/v1/campaigns/winter-burglary/resume", [401, 401, 403, 200, 200]),
    ("POST", "/api/v1/campaigns/winter-burglary/send", [401, 401, 403, 415, 415]),
    ("GET", "/api/v1/campaigns/winter-burglary/runs", [401, 401, 200, 200, 200]),
    ("GET", "/api/v1/runs/1", [401, 401, 404, 404, 404]),
    ("GET", "/api/v1/subscribers/counts", [401, 401, 200, 200, 200]),
    ("POST", "/api/v1/subscribers/import", [401, 401, 403, 403, 422]),
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
                    .replace("/channels/email/", "/channels/{channel}/")
                    .replace("/comments/1/", "/comments/{id}/")
                    .replace("/runs/1", "/runs/{id}")
                    .replace("/history/999999", "/history/{id}"),
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
