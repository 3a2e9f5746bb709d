//! The rule table: every route behind a login or API token and the least role it needs.
//! `guard` (in `admin/mod.rs`) refuses a protected route that is not listed here.

use crate::domain::Role;

/// One protected route and the least role that may use it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub method: &'static str,
    pub path: &'static str,
    pub role: Role,
}

const fn rule(method: &'static str, path: &'static str, role: Role) -> Rule {
    Rule { method, path, role }
}

/// Every route behind a login or API token.
pub const ROUTES: &[Rule] = &[
    rule("GET", "/admin", Role::Viewer),
    rule("POST", "/admin/logout", Role::Viewer),
    rule("GET", "/admin/password", Role::Viewer),
    rule("POST", "/admin/password", Role::Viewer),
    rule("GET", "/admin/calendar", Role::Viewer),
    rule("GET", "/admin/calendar.ics", Role::Viewer),
    rule("POST", "/admin/calendar/feed", Role::Viewer),
    rule("POST", "/admin/calendar/feed/revoke", Role::Viewer),
    rule("GET", "/admin/campaigns/{slug}", Role::Viewer),
    rule("GET", "/admin/campaigns/{slug}/preview", Role::Viewer),
    rule("POST", "/admin/campaigns/{slug}/pause", Role::Editor),
    rule("POST", "/admin/campaigns/{slug}/resume", Role::Editor),
    rule("POST", "/admin/campaigns/{slug}/test", Role::Editor),
    rule("GET", "/admin/campaigns/{slug}/send", Role::Editor),
    rule(
        "POST",
        "/admin/campaigns/{slug}/comments/{id}/hide",
        Role::Editor,
    ),
    rule("POST", "/admin/campaigns/{slug}/send", Role::Editor),
    rule("GET", "/admin/editor", Role::Viewer),
    rule("POST", "/admin/editor", Role::Editor),
    rule("GET", "/admin/editor/new", Role::Editor),
    rule("POST", "/admin/editor/email", Role::Editor),
    rule("GET", "/admin/editor/{slug}", Role::Editor),
    rule("GET", "/admin/editor/{slug}/duplicate", Role::Editor),
    rule("GET", "/admin/editor/{slug}/history", Role::Viewer),
    rule("GET", "/admin/editor/{slug}/history/{id}", Role::Viewer),
    rule("POST", "/admin/editor/{slug}/restore", Role::Editor),
    rule("POST", "/admin/editor/{slug}/approve", Role::Admin),
    rule("POST", "/admin/editor/{slug}/reject", Role::Admin),
    rule("GET", "/admin/subscribers", Role::Viewer),
    rule("GET", "/admin/subscribers/lookup", Role::Admin),
    rule("POST", "/admin/subscribers/import", Role::Admin),
    rule("POST", "/admin/subscribers/unsuppress", Role::Admin),
    rule("POST", "/admin/subscribers/unsubscribe", Role::Admin),
    rule("POST", "/admin/subscribers/resend-link", Role::Admin),
    rule("POST", "/admin/channels/{channel}/resume", Role::Editor),
    rule("GET", "/admin/reach", Role::Viewer),
    rule("GET", "/admin/reach.csv", Role::Viewer),
    rule("GET", "/admin/reach.html", Role::Viewer),
    rule("GET", "/admin/audit", Role::Admin),
    rule("GET", "/admin/users", Role::Admin),
    rule("POST", "/admin/users", Role::Admin),
    rule("POST", "/admin/users/disable", Role::Admin),
    rule("POST", "/admin/users/unlock", Role::Admin),
    rule("POST", "/admin/users/tokens/revoke", Role::Admin),
    rule("GET", "/api/v1/report", Role::Viewer),
    rule("GET", "/api/v1/outbox", Role::Viewer),
    // The partner API (web/api); its OpenAPI document states each route's role from here.
    rule("GET", "/api/v1/areas", Role::Viewer),
    rule("GET", "/api/v1/campaigns", Role::Viewer),
    rule("GET", "/api/v1/campaigns/{slug}", Role::Viewer),
    rule("POST", "/api/v1/campaigns/{slug}/pause", Role::Editor),
    rule("POST", "/api/v1/campaigns/{slug}/resume", Role::Editor),
    rule("POST", "/api/v1/campaigns/{slug}/send", Role::Editor),
    rule("GET", "/api/v1/campaigns/{slug}/runs", Role::Viewer),
    rule("GET", "/api/v1/runs/{id}", Role::Viewer),
    rule("GET", "/api/v1/subscribers/counts", Role::Viewer),
    rule("POST", "/api/v1/subscribers/import", Role::Admin),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_unique_and_protected_paths_are_admin_or_api() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert!(r.path.starts_with("/admin") || r.path.starts_with("/api/"));
            assert!(
                !ROUTES[..i]
                    .iter()
                    .any(|o| o.path == r.path && o.method == r.method),
                "{} {} twice",
                r.method,
                r.path
            );
        }
    }
}
