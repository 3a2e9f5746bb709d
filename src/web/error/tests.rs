//! The web edge's error type: statuses, hidden causes, problem JSON and pages for bare refusals.

use super::*;
use crate::web::problem::api_problems;

#[test]
fn each_variant_has_its_status_and_store_failures_hide_their_cause() {
    assert_eq!(Error::NotFound.status(), StatusCode::NOT_FOUND);
    let e = Error::from(StoreError::Corrupt("secret detail".into()));
    assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(!e.explain().message.contains("secret"));
    let c = Error::from(StoreError::Conflict(
        "a user x@example.org already exists".into(),
    ));
    assert_eq!(c.status(), StatusCode::CONFLICT);
    assert!(!c.explain().message.contains("example.org"));
}

#[tokio::test]
async fn constraint_violations_are_the_visitors_and_other_failures_ours() {
    let db = sqlx::SqlitePool::connect("sqlite::memory:")
        .await
        .expect("sqlite");
    sqlx::query("create table t (t_id integer primary key, name text check (name <> ''))")
        .execute(&db)
        .await
        .expect("table");
    let insert = |id: i64, name: &'static str| {
        sqlx::query("insert into t (t_id, name) values ($1, $2)")
            .bind(id)
            .bind(name)
            .execute(&db)
    };
    insert(1, "a").await.expect("first row");
    let twice = insert(1, "b").await.expect_err("a duplicate key");
    assert_eq!(
        Error::from(StoreError::Db(twice)).status(),
        StatusCode::CONFLICT
    );
    let empty = insert(2, "").await.expect_err("a refused value");
    assert_eq!(
        Error::from(StoreError::Db(empty)).status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let missing = sqlx::query("select * from nowhere")
        .execute(&db)
        .await
        .expect_err("no such table");
    assert_eq!(
        Error::from(StoreError::Db(missing)).status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

async fn get(path: &str) -> (Response, serde_json::Value) {
    use tower::ServiceExt;
    let refuse = || async {
        Err::<Response, _>(Error::Unauthorized(Explain::new(
            "Sign in",
            "Send a token.",
        )))
    };
    let app = axum::Router::new()
        .route("/api/v1/x", axum::routing::get(refuse))
        .route("/admin/x", axum::routing::get(refuse))
        .layer(axum::middleware::from_fn(api_problems));
    let req = Request::builder()
        .uri(path)
        .body(axum::body::Body::empty())
        .expect("request");
    let r = app.oneshot(req).await.expect("infallible");
    let (parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (Response::from_parts(parts, axum::body::Body::empty()), json)
}

#[tokio::test]
async fn under_api_an_error_is_problem_json_and_elsewhere_a_page() {
    let (r, json) = get("/api/v1/x").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(json["status"], 401);
    assert_eq!(json["title"], "Sign in");
    assert_eq!(json["detail"], "Send a token.");
    assert_eq!(json["type"], "urn:beacon:problem:unauthorized");
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let (r, json) = get("/admin/x").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html")),
    );
    assert!(json.is_null());
}

#[tokio::test]
async fn a_bare_failure_becomes_a_page_and_keeps_its_headers() {
    use tower::ServiceExt;
    let app = axum::Router::new()
        .route(
            "/boom",
            axum::routing::get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "template failed") }),
        )
        .layer(axum::middleware::from_fn(friendly));
    for (method, status, heading) in [
        ("GET", 500, "Sorry, there is a problem with the service"),
        ("POST", 405, "This page cannot do that"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri("/boom")
            .body(axum::body::Body::empty())
            .expect("request");
        let r = app.clone().oneshot(req).await.expect("infallible");
        assert_eq!(r.status().as_u16(), status);
        if status == 405 {
            assert!(r.headers().contains_key(header::ALLOW));
        }
        let body = axum::body::to_bytes(r.into_body(), 1 << 20)
            .await
            .expect("body");
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{html}");
        assert!(!html.contains("template failed"));
    }
}

#[test]
fn too_many_says_when_to_come_back() {
    let r = Error::TooMany {
        explain: Explain::new("Too many", "Wait."),
        retry_after_secs: 3600,
    }
    .into_response();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[header::RETRY_AFTER], "3600");
}
