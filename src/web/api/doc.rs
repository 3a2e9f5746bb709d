//! The API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`s and their
//! types, with the bearer scheme, each route's role from the access table, and the problem
//! responses every operation can give.

use super::{areas, campaigns, reports, runs, send, subscribers};
use crate::web::admin::ROUTES;
use crate::web::problem::{PROBLEM_KINDS, PROBLEM_TYPE_PREFIX};
use axum::Json;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Beacon partner API",
        version = "1",
        description = "Areas, campaigns, runs, resident counts and the reach report of the Chiltern and South Bucks Community Safety Partnership's alerts, for partners' scripts. Send `Authorization: Bearer <token>` (an administrator issues one with `beacon users token NAME --role viewer|editor|admin`). Errors are RFC 9457 `application/problem+json` with a stable `type`; lists are cursor-paginated; nothing is cached (`Cache-Control: no-store`)."
    ),
    paths(
        areas::list,
        campaigns::list,
        campaigns::show,
        campaigns::pause,
        campaigns::resume,
        send::send,
        runs::of_campaign,
        runs::show,
        subscribers::counts,
        subscribers::import,
        reports::report,
        reports::outbox,
        document,
    ),
    modifiers(&Conventions),
    tags(
        (name = "areas", description = "Where residents can follow alerts, and the feeds"),
        (name = "campaigns", description = "The calendar of campaigns; pausing, resuming and sending now (editors)"),
        (name = "runs", description = "What each send did"),
        (name = "subscribers", description = "Resident counts (small cells suppressed) and CSV imports (admins)"),
        (name = "reports", description = "The reach report and the outbox"),
        (name = "meta", description = "This document"),
    )
)]
struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "getOpenApi",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
#[allow(dead_code)]
fn document() {}

/// The document, built once.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

pub async fn serve() -> axum::response::Response {
    Json(openapi()).into_response()
}

const PROBLEM: &str = "Problem";

/// What the generated document cannot say from one handler alone: the security scheme, the role
/// each route needs, the problem schema, and which problems each operation may answer with.
struct Conventions;

impl utoipa::Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components
            .schemas
            .insert(PROBLEM.into(), problem_schema().into());
        doc.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                describe(path, method, op);
            }
        }
    }
}

fn operations(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [("GET", item.get.as_mut()), ("POST", item.post.as_mut())]
        .into_iter()
        .filter_map(|(m, op)| op.map(|op| (m, op)))
        .collect()
}

fn problem_schema() -> ObjectBuilder {
    let kinds: Vec<String> = PROBLEM_KINDS
        .iter()
        .map(|k| format!("{PROBLEM_TYPE_PREFIX}{k}"))
        .collect();
    ObjectBuilder::new()
        .description(Some("An RFC 9457 problem. `type` names the kind of error and never changes; `title` and `detail` are for people."))
        .property(
            "type",
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(kinds)),
        )
        .required("type")
        .property("title", ObjectBuilder::new().schema_type(Type::String))
        .required("title")
        .property("status", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(400)).maximum(Some(599)))
        .required("status")
        .property("detail", ObjectBuilder::new().schema_type(Type::String))
        .required("detail")
        .property(
            "error",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The same as `detail`, kept for the first API's clients")),
        )
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(PROBLEM)))
                .build(),
        )
        .build()
}

/// The role the access table asks of this route, and the problems it may answer with.
fn describe(path: &str, method: &str, op: &mut Operation) {
    let role = ROUTES
        .iter()
        .find(|r| r.path == path && r.method == method)
        .map(|r| r.role);
    let mut errors: Vec<(&str, &str)> = vec![("500", "internal: something of ours failed")];
    if let Some(role) = role {
        let note = format!("Needs a token with the `{role}` role or above.");
        op.description = Some(match op.description.take() {
            Some(d) => format!("{d}\n\n{note}"),
            None => note,
        });
        errors.extend([
            (
                "400",
                "bad-request: a parameter, cursor or body that is not valid",
            ),
            (
                "401",
                "unauthorized: no token, or one we do not know (`WWW-Authenticate: Bearer`)",
            ),
            ("403", "forbidden: the token's role does not allow this"),
            (
                "503",
                "unavailable: the database failed; nothing sent has been lost",
            ),
        ]);
    }
    if path.contains('{') || method == "POST" {
        errors.push(("404", "not-found: no such campaign or run"));
    }
    if method == "POST" {
        errors.extend([
            ("409", "conflict: already sent with this confirmation, or paused or out of season without `force`"),
            ("413", "too-large: the body is over the limit"),
            ("415", "unsupported-media-type: the body is not of the type documented"),
            ("422", "unprocessable: the body cannot be used (an area not the campaign's, a CSV without its header row)"),
        ]);
    }
    for (status, description) in errors {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| problem(description).into());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_has_an_id_a_tag_and_its_problems() {
        let doc = serde_json::to_value(super::openapi()).unwrap();
        if let Ok(path) = std::env::var("BEACON_DUMP_OPENAPI") {
            std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        }
        let mut ids = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                ids.push(op["operationId"].as_str().unwrap().to_string());
                assert!(op["tags"][0].is_string(), "{method} {path}");
                let problem = &op["responses"]["500"]["content"]["application/problem+json"];
                assert!(problem.is_object(), "{method} {path}");
            }
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!((n, ids.len()), (13, 13), "13 operations, each id once");
    }
}
