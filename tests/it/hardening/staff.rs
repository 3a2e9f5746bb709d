//! Staff access: the failed-sign-in window and unlocking, what the audit log keeps, API tokens.

use crate::app::spawn_app;
use crate::console::{hidden, page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use beacon::auth::token::secret_hash;
use chrono::{Duration, Utc};

async fn failures_count_within_a_window_so_one_try_a_quarter_hour_cannot_hold_a_lock(db: TestDb) {
    let s = &db.store;
    let t0 = Utc::now();
    let id = s
        .add_user("ed@example.org", "x", "editor", t0)
        .await
        .unwrap();
    for i in 0..5 {
        s.login_failed(id, t0 + Duration::seconds(i)).await.unwrap();
    }
    let locked = s.credentials("ed@example.org").await.unwrap().unwrap();
    let until = locked.locked_until.expect("five quick failures lock");
    assert!(until > t0 + Duration::seconds(4), "{}", db.name);
    // One wrong try after the lock ends, and one each quarter hour after that.
    let mut at = until + Duration::seconds(1);
    for _ in 0..3 {
        s.login_failed(id, at).await.unwrap();
        let c = s.credentials("ed@example.org").await.unwrap().unwrap();
        assert!(
            c.locked_until.is_none_or(|t| t <= at),
            "{}: one failure at {at} re-locked until {:?}",
            db.name,
            c.locked_until
        );
        at += Duration::minutes(15);
    }
    db.finish().await;
}
each_engine!(failures_count_within_a_window_so_one_try_a_quarter_hour_cannot_hold_a_lock);

#[tokio::test]
async fn an_admin_unlocks_a_locked_colleague_from_the_staff_page() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    sign_in(&app, "ed@example.org", "editor").await;
    for _ in 0..5 {
        app.post_form(
            "/admin/login",
            &[("email", "ed@example.org"), ("password", "wrong")],
        )
        .await;
    }
    let right = [
        ("email", "ed@example.org"),
        ("password", "a long enough passphrase"),
    ];
    assert_eq!(app.post_form("/admin/login", &right).await.status(), 401);
    let (_, html) = page(&app, &admin, "/admin/users").await;
    assert!(html.contains("locked"), "the staff page shows the lock");
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/users/unlock")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("email", "ed@example.org")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.post_form("/admin/login", &right).await.status(), 303);
    let log = app.services.store.recent_audit(20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "user.unlock"));
    app.finish().await;
}

#[tokio::test]
async fn the_login_form_cannot_write_long_or_multi_line_actors_or_unknown_addresses() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let long = format!("{}@example.org", "line\n".repeat(8_000));
    for email in [
        long.as_str(),
        "nobody@example.org",
        "evil\r\nadmin logged in",
    ] {
        let r = app
            .post_form("/admin/login", &[("email", email), ("password", "guess")])
            .await;
        assert_eq!(r.status(), 401);
    }
    let log = app.services.store.recent_audit(10).await.unwrap();
    assert_eq!(log.len(), 3);
    for e in &log {
        assert!(e.actor.chars().count() <= 254, "{} chars", e.actor.len());
        assert!(!e.actor.chars().any(char::is_control), "{:?}", e.actor);
        assert!(!e.actor.contains("nobody"), "typed address stored");
    }
    app.finish().await;
}

#[tokio::test]
async fn api_tokens_reach_only_the_api_and_are_listed_and_revoked_on_the_staff_page() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = sign_in(&app, "admin@example.org", "admin").await;
    app.services
        .store
        .add_api_token(&secret_hash("bcn_a"), "board", "admin", Utc::now())
        .await
        .unwrap();
    let bearer = |method: &str, path: &str| {
        app.request(method, path)
            .header("authorization", "Bearer bcn_a")
    };
    let r = bearer("GET", "/admin/users").send().await.unwrap();
    assert_ne!(r.status(), 200, "a token opened the staff page");
    let r = bearer("POST", "/admin/users")
        .form(&[("email", "mallory@example.org"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);
    let users = app.services.store.users().await.unwrap();
    assert!(!users.iter().any(|u| u.email == "mallory@example.org"));
    assert_eq!(
        bearer("GET", "/api/v1/report")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let (_, html) = page(&app, &admin, "/admin/users").await;
    assert!(html.contains("board"), "the token is listed");
    let csrf = hidden(&html, "csrf");
    let r = app
        .request("POST", "/admin/users/tokens/revoke")
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str()), ("name", "board")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        bearer("GET", "/api/v1/report")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    app.finish().await;
}

#[test]
fn beacon_users_lists_and_revokes_api_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("BEACON_CONFIG")
            .env(
                "BEACON_CALENDAR__DIR",
                crate::support::repo_path("tests/fixtures/campaigns"),
            )
            .env(
                "BEACON_DATABASE__URL",
                format!("sqlite://{}", dir.path().join("b.db").display()),
            )
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, made) = run(&["users", "token", "board", "--role", "viewer"]);
    assert!(ok, "{made}");
    let secret = made.lines().last().unwrap().trim().to_string();
    let (ok, list) = run(&["users", "tokens"]);
    assert!(
        ok && list.contains("board") && list.contains("live"),
        "{list}"
    );
    assert!(!list.contains(&secret), "the secret is shown once only");
    let (ok, _) = run(&["users", "revoke", "board"]);
    assert!(ok);
    let (_, list) = run(&["users", "tokens"]);
    assert!(list.contains("revoked"), "{list}");
    let (again, _) = run(&["users", "revoke", "board"]);
    assert!(!again, "revoking twice says there is no live token");
}
