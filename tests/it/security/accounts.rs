//! A staff account's life cycle: one-time passwords, changing a password, reset, unlock, enable,
//! and the last admin.

use super::{cli, hidden, login, page, post, staff};
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::TestDb;

async fn a_one_time_password_works_once_and_staff_accounts_can_be_reset_unlocked_and_enabled(
    db: TestDb,
) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let admin = staff(
        &app,
        "admin@example.org",
        "admin",
        "a long enough passphrase",
    )
    .await;
    let (_, html) = page(&app, &admin, "/admin/users").await;
    let csrf = hidden(&html, "csrf");
    let (_, html) = post(
        &app,
        &admin,
        "/admin/users",
        &[
            ("csrf", &csrf),
            ("email", "officer@example.org"),
            ("role", "viewer"),
        ],
    )
    .await;
    let at = html.find("shown only now: <code>").unwrap() + 22;
    let once = html[at..at + 20].to_string();

    // The first sign-in leads only to "change your password"; the one-time password is spent.
    let (status, location, officer) = login(&app, "officer@example.org", &once).await;
    assert_eq!((status, location.as_str()), (303, "/admin/password"));
    let r = app
        .request("GET", "/admin/reach")
        .header("cookie", &officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/admin/password");
    let (status, _, _) = login(&app, "officer@example.org", &once).await;
    assert_eq!(status, 401, "a one-time password works once");

    let (status, form) = page(&app, &officer, "/admin/password").await;
    assert_eq!(status, 200);
    let csrf = hidden(&form, "csrf");
    for (weak, why) in [
        ("short", "at least 12"),
        ("Password123456!", "most often"),
        ("qwertyuiop1234", "most often"),
    ] {
        let (status, body) = post(
            &app,
            &officer,
            "/admin/password",
            &[("csrf", &csrf), ("new", weak), ("confirm", weak)],
        )
        .await;
        assert_eq!(status, 422, "{weak}");
        assert!(body.contains(why), "{weak}: {body}");
    }
    let mine = "kettle lantern orchard";
    let (status, location) = post(
        &app,
        &officer,
        "/admin/password",
        &[("csrf", &csrf), ("new", mine), ("confirm", mine)],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/admin"));
    assert_eq!(page(&app, &officer, "/admin/reach").await.0, 200);
    let (status, location, _) = login(&app, "officer@example.org", mine).await;
    assert_eq!((status, location.as_str()), (303, "/admin"));

    // Changing it later needs the current one.
    let (status, _) = post(
        &app,
        &officer,
        "/admin/password",
        &[
            ("csrf", &csrf),
            ("current", "wrong"),
            ("new", "violet harbour trombone"),
            ("confirm", "violet harbour trombone"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post(
        &app,
        &officer,
        "/admin/password",
        &[
            ("csrf", &csrf),
            ("current", mine),
            ("new", "violet harbour trombone"),
            ("confirm", "violet harbour trombone"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(login(&app, "officer@example.org", mine).await.0, 401);

    // The last admin cannot be disabled, from the console or the command line.
    let (_, html) = page(&app, &admin, "/admin/users").await;
    let csrf = hidden(&html, "csrf");
    let (status, body) = post(
        &app,
        &admin,
        "/admin/users/disable",
        &[("csrf", &csrf), ("email", "admin@example.org")],
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("last active admin"));
    let (ok, said) = cli(&app, &["users", "disable", "admin@example.org"]);
    assert!(!ok && said.contains("last active admin"), "{said}");
    assert_eq!(page(&app, &admin, "/admin").await.0, 200);

    // Locked out, then unlocked from the command line.
    for _ in 0..5 {
        login(&app, "officer@example.org", "not it at all").await;
    }
    assert_eq!(
        login(&app, "officer@example.org", "violet harbour trombone")
            .await
            .0,
        401
    );
    let (ok, said) = cli(&app, &["users", "unlock", "officer@example.org"]);
    assert!(ok, "{said}");
    assert_eq!(
        login(&app, "officer@example.org", "violet harbour trombone")
            .await
            .0,
        303
    );

    // Disabled, then enabled again.
    assert!(cli(&app, &["users", "disable", "officer@example.org"]).0);
    assert_eq!(
        login(&app, "officer@example.org", "violet harbour trombone")
            .await
            .0,
        401
    );
    let (ok, said) = cli(&app, &["users", "enable", "officer@example.org"]);
    assert!(ok, "{said}");
    assert_eq!(
        login(&app, "officer@example.org", "violet harbour trombone")
            .await
            .0,
        303
    );

    // Forgotten: a new one-time password, which again works once.
    let (ok, said) = cli(&app, &["users", "reset-password", "officer@example.org"]);
    assert!(ok, "{said}");
    let fresh = said.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(fresh.len(), 20, "{said}");
    assert_eq!(
        login(&app, "officer@example.org", "violet harbour trombone")
            .await
            .0,
        401
    );
    let (status, location, _) = login(&app, "officer@example.org", &fresh).await;
    assert_eq!((status, location.as_str()), (303, "/admin/password"));
    assert_eq!(login(&app, "officer@example.org", &fresh).await.0, 401);
    let log = app.services.store.recent_audit(50).await.unwrap();
    for action in [
        "user.unlock",
        "user.enable",
        "user.reset_password",
        "password.change",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action} audited");
    }
    app.finish().await;
}
each_engine!(a_one_time_password_works_once_and_staff_accounts_can_be_reset_unlocked_and_enabled);
