//! After an exact look-up an admin can act for a resident who phoned in: send a new manage
//! link (it lands at the SMTP server and works) or unsubscribe them; both audited by number,
//! confirmed with a banner. The import takes a file upload.

use super::*;
use crate::smtp::decoded;

async fn lookup(app: &TestApp, admin: &str) -> String {
    let (status, html) = page(
        app,
        admin,
        "/admin/subscribers/lookup?email=ann%40example.com",
    )
    .await;
    assert_eq!(status, 200);
    html
}

async fn an_admin_resends_the_manage_link_and_unsubscribes_a_resident(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.resident("ann@example.com", &["chesham"], &["burglary-vehicle"])
        .await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let html = lookup(&app, &admin).await;
    assert!(html.contains("Send them a new manage link"));
    assert!(html.contains("<td>Chesham</td>"), "areas by name: {html}");
    let csrf = hidden(&html, "csrf");
    let act = |path: &'static str, csrf: Option<String>| {
        let mut form = vec![("email", "ann@example.com".to_string())];
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        app.request("POST", path)
            .header("cookie", &admin)
            .form(&form)
            .send()
    };
    // Without the form's token: refused, nothing sent.
    let forged = act("/admin/subscribers/resend-link", None).await.unwrap();
    assert_eq!(forged.status(), 403);

    let r = act("/admin/subscribers/resend-link", Some(csrf.clone()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let done = r.text().await.unwrap();
    assert!(done.contains("notification-banner"), "{done}");
    assert!(done.contains("Manage link sent"));
    app.drain(Utc::now()).await;
    let mails = sink.wait_for(1, Duration::from_secs(10));
    assert_eq!(mails.len(), 1, "only the real request sent mail");
    assert_eq!(mails[0].to, ["ann@example.com"]);
    let body = decoded(&mails[0].data);
    let at = body.find("/manage/").expect("a manage link");
    let start = body[..at].rfind("http").unwrap();
    let link: String = body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<' && *c != '>')
        .collect();
    let manage = app.get(&link).await;
    assert_eq!(manage.status(), 200, "the new link works: {link}");

    let r = act("/admin/subscribers/unsubscribe", Some(csrf))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let done = r.text().await.unwrap();
    assert!(done.contains("Unsubscribed"));
    assert!(done.contains("<td>unsubscribed</td>"), "{done}");
    assert!(!done.contains("Unsubscribe them"), "nothing more to do");

    let audit = app.services.store.recent_audit(10).await.unwrap();
    for action in ["subscriber.unsubscribe", "subscriber.resend_link"] {
        let e = audit.iter().find(|e| e.action == action).expect(action);
        assert_eq!(e.actor, "admin@example.org");
        let detail = e.detail.clone().unwrap_or_default();
        assert!(detail.contains("resident #"), "{detail}");
        assert!(!detail.contains("ann@"), "no address in the log");
    }
    app.finish().await;
}
each_engine!(an_admin_resends_the_manage_link_and_unsubscribes_a_resident);

#[tokio::test]
async fn the_import_takes_a_file_upload() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    let (_, html) = page(&app, &admin, "/admin/subscribers").await;
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = hidden(&html, "csrf");
    let csv = "email,postcode\nbob@example.com,HP5 1AA\ncat@example.com,HP5 1AA\nnot-an-address,HP5 1AA\n";
    let form = reqwest::multipart::Form::new()
        .text("source", "chesham-watch")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("people.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let r = app
        .request("POST", &format!("/admin/subscribers/import?csrf={csrf}"))
        .header("cookie", &admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(
            "Imported 2 new residents from people.csv; 0 were already known; 1 rows were skipped."
        ),
        "{page}"
    );
    assert!(
        app.services
            .store
            .subscriber_by_email("cat@example.com")
            .await
            .unwrap()
            .is_some()
    );
    // The upload without the token in its address is refused.
    let r = app
        .request("POST", "/admin/subscribers/import")
        .header("cookie", &admin)
        .multipart(reqwest::multipart::Form::new().text("source", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.finish().await;
}
