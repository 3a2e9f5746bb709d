//! The OpenAPI document: valid by `openapi-spec-validator`, covering every API route of the
//! access table, and true: each operation, called, answers with a status it documents.

use super::{call, send_once, token, tool};
use crate::app::spawn_app;
use crate::smtp::SmtpSink;
use crate::support::{TestDb, sqlite};
use beacon::web::admin::ROUTES;
use serde_json::Value;

async fn document(app: &crate::app::TestApp) -> Value {
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_document_validates_and_names_every_api_route_of_the_access_table() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for rule in ROUTES.iter().filter(|r| r.path.starts_with("/api/")) {
        let op = &doc["paths"][rule.path][rule.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the document",
            rule.method,
            rule.path
        );
        let says = op["description"].as_str().unwrap_or_default();
        assert!(
            says.contains(&format!("`{}` role", rule.role)),
            "{} {}: {says}",
            rule.method,
            rule.path
        );
        for status in ["400", "401", "403", "500", "503"] {
            assert!(
                op["responses"][status].is_object(),
                "{} {} lacks {status}",
                rule.method,
                rule.path
            );
        }
    }
    if let Some(mut validator) = tool("openapi-spec-validator") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("openapi.json");
        std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        let out = validator.arg(&file).output().unwrap();
        assert!(
            out.status.success(),
            "openapi-spec-validator: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    app.finish().await;
}

async fn every_documented_operation_answers_with_a_status_it_documents(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    app.residents_in(12, "chesham", "burglary-vehicle").await;
    let admin = token(&app, "admin").await;
    let run_id = send_once(&app, &admin).await;
    let doc = document(&app).await;
    let kinds: Vec<Value> = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .clone();
    let mut called = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let url = path
                .replace("{slug}", "winter-burglary")
                .replace("{id}", &run_id.to_string());
            let mut req = app
                .request(&method.to_uppercase(), &url)
                .header("authorization", format!("Bearer {admin}"));
            let body = &op["requestBody"]["content"];
            if body["application/json"].is_object() {
                req = req.json(&serde_json::json!({"force": true}));
            } else if body["text/csv"].is_object() {
                req = req
                    .header("content-type", "text/csv")
                    .body("email,postcode\nwalker@example.org,HP5 1AA\n");
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            // Well-formed calls: reads, a count before a send, pause, resume, an import.
            assert_eq!(status, 200, "{method} {path}");
            assert!(
                op["responses"][status.to_string()].is_object(),
                "{method} {path}: {status} not documented"
            );
            assert_eq!(r.headers()["cache-control"], "no-store", "{method} {path}");
            let json = r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json");
            assert!(json, "{method} {path}");
            called += 1;
            // Without a token (the document itself is public), the documented 401 as a problem.
            if op["security"] != serde_json::json!([{}]) {
                let (status, headers, problem) =
                    call(&app, &method.to_uppercase(), &url, "wrong", None).await;
                assert_eq!(status, 401, "{method} {path}");
                assert!(op["responses"]["401"].is_object());
                assert_eq!(headers["content-type"], "application/problem+json");
                assert!(kinds.contains(&problem["type"]), "{problem}");
            }
        }
    }
    assert_eq!(called, 13, "every operation was called");
    app.finish().await;
}
each_engine!(every_documented_operation_answers_with_a_status_it_documents);

#[tokio::test]
async fn unknown_api_paths_and_wrong_methods_are_problems_too() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let admin = token(&app, "admin").await;
    for (method, path, status, kind) in [
        ("GET", "/api/v1/nothing-here", 404, "not-found"),
        ("GET", "/api/v2/areas", 404, "not-found"),
        ("DELETE", "/api/v1/areas", 405, "method-not-allowed"),
        (
            "GET",
            "/api/v1/campaigns/winter-burglary/send",
            405,
            "method-not-allowed",
        ),
        (
            "GET",
            "/api/v1/campaigns/no-such-campaign",
            404,
            "not-found",
        ),
        ("GET", "/api/v1/runs/not-a-number", 400, "bad-request"),
        ("GET", "/api/v1/areas?limit=0", 400, "bad-request"),
        ("GET", "/api/v1/areas?cursor=forged", 400, "bad-request"),
    ] {
        let (got, headers, problem) = call(&app, method, path, &admin, None).await;
        assert_eq!(got, status, "{method} {path}: {problem}");
        assert_eq!(
            headers["content-type"], "application/problem+json",
            "{method} {path}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{method} {path}");
        assert_eq!(
            problem["type"],
            format!("urn:beacon:problem:{kind}"),
            "{method} {path}"
        );
        assert_eq!(problem["status"], status);
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    app.finish().await;
}
