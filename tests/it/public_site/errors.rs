//! Every refusal a visitor can meet has a page with a body; `/api/` keeps problem JSON.

use super::*;

fn is_html(r: &reqwest::Response) -> bool {
    r.headers()["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/html"))
}

#[tokio::test]
async fn unknown_addresses_and_wrong_methods_get_a_page_not_the_browsers_own_error() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    for path in [
        "/no-such-page",
        "/messages/999999",
        "/feeds/nowhere/atom.xml/extra",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert!(is_html(&r), "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("<h1>Page not found</h1>"), "{path}: {html}");
        assert!(html.contains("href=\"/privacy\""), "{path} has the footer");
    }

    // A form posted to a page that only shows (or the reverse): 405 with `Allow` kept.
    let r = app.request("POST", "/privacy").send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().contains_key("allow"));
    assert!(is_html(&r));
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>This page cannot do that</h1>")
    );

    // More than the body limit: 413 with a page.
    let big = "x".repeat(200 * 1024);
    let r = app
        .request("POST", "/subscribe")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(is_html(&r));
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>What you sent is too large</h1>")
    );

    // The API keeps RFC 9457 problem JSON for the same refusals.
    let r = app.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["status"], 404);
    app.finish().await;
}

#[tokio::test]
async fn too_many_sign_ups_get_a_page_that_says_when_to_come_back() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| c.signup.per_ip_per_hour = 1,
            ..Options::default()
        },
    )
    .await;
    let form = [
        ("email", "a@example.com"),
        ("postcode", "HP5 9AA"),
        ("topics", "fear-of-crime"),
        ("frequency", "immediate"),
        ("consent", "yes"),
    ];
    assert_eq!(app.post_form("/subscribe", &form).await.status(), 200);
    let r = app.post_form("/subscribe", &form).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(is_html(&r));
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1>Too many sign-ups from your connection</h1>"));
    assert!(html.contains("Please wait an hour"));
    app.finish().await;
}
