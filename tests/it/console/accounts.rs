//! Staff accounts: sign-in answers and lock-out, and a colleague's one-time password.

use super::*;

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
