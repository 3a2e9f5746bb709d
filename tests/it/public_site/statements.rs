//! `/privacy` and `/accessibility`, and who runs the site, from settings.

use super::*;

async fn the_privacy_notice_states_the_retention_the_code_applies(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let (status, html) = page(&app, "/privacy").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Privacy notice</h1>"));
    assert!(html.contains("Buckinghamshire Council is the data controller"));
    assert!(html.contains("consent (UK GDPR Article 6(1)(a))"));
    assert!(html.contains("Information Commissioner"));
    // The figures are the ones the purge and the links use, not copy that can drift.
    let unconfirmed = format!(
        "Deleted {} days after sign-up",
        beacon::scheduler::UNCONFIRMED_DAYS
    );
    assert!(html.contains(&unconfirmed), "{unconfirmed} in {html}");
    let link = format!(
        "The confirmation link works for {} days",
        beacon::store::CONFIRM_VALID_DAYS
    );
    assert!(html.contains(&link), "{link}");
    for k in beacon::web::retention(&app.services.config) {
        assert!(
            html.contains(&askama_escaped(&k.how_long)),
            "the notice lists {}",
            k.what
        );
    }
    app.finish().await;
}
each_engine!(the_privacy_notice_states_the_retention_the_code_applies);

/// How askama writes `s` into HTML.
fn askama_escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
}

#[tokio::test]
async fn the_privacy_notice_follows_the_settings() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.signup.per_ip_per_hour = 0;
                c.organisation.data_controller = "Example District Council".into();
            },
            ..Options::default()
        },
    )
    .await;
    let (_, html) = page(&app, "/privacy").await;
    assert!(html.contains("Example District Council is the data controller"));
    assert!(
        !html.contains("sign-up form</td>"),
        "no rate limit, so no address is held for one"
    );
    app.finish().await;
}

#[tokio::test]
async fn the_accessibility_statement_has_what_the_2018_regulations_require() {
    let sink = SmtpSink::start();
    let app = spawn_app(sqlite().await, &sink).await;
    let (status, html) = page(&app, "/accessibility").await;
    assert_eq!(status, 200);
    for part in [
        "Accessibility statement for community safety alerts",
        "Web Content Accessibility Guidelines version 2.2",
        "AA standard",
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
        "Equality and Human Rights Commission",
        "Equality Commission for Northern Ireland",
        "communitysafety@buckinghamshire.gov.uk",
        &app.base,
    ] {
        assert!(html.contains(part), "the statement has {part}");
    }
    app.finish().await;
}

#[tokio::test]
async fn every_page_names_todays_partners_from_settings_and_links_the_statements() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| c.organisation.partners = vec!["Partner A".into(), "Partner B".into()],
            ..Options::default()
        },
    )
    .await;
    for path in ["/", "/privacy", "/messages", "/no-such-page"] {
        let (_, html) = page(&app, path).await;
        assert!(
            html.contains("Partner A and Partner B"),
            "{path} names the configured partners"
        );
        assert!(!html.contains("District Councils") && !html.contains("County Council"));
        for link in [
            "href=\"/privacy\"",
            "href=\"/accessibility\"",
            "href=\"/messages\"",
        ] {
            assert!(html.contains(link), "{path}'s footer has {link}");
        }
    }
    app.finish().await;
}

/// Where the logo test keeps its logo (`Options::configure` is a plain `fn`, so it cannot capture a path).
fn test_logo() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("beacon-test-logo-{}.svg", std::process::id()))
}

#[tokio::test]
async fn a_configured_logo_is_served_from_the_site() {
    let sink = SmtpSink::start();
    std::fs::write(test_logo(), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let app = spawn_app_with(
        sqlite().await,
        &sink,
        Options {
            configure: |c| {
                c.organisation.logo_path = Some(test_logo());
                c.organisation.logo_alt = "Example Partnership".into();
            },
            ..Options::default()
        },
    )
    .await;
    let (_, html) = page(&app, "/").await;
    assert!(
        html.contains("<img class=\"logo\" src=\"/organisation/logo\" alt=\"Example Partnership\"")
    );
    let r = app.get("/organisation/logo").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    app.finish().await;
}
