//! `{{ crime.… }}` in a campaign body: each area's residents read their own area's figures.

use super::*;
use crate::fixtures::{app_on, fixture_calendar};
use crate::smtp::{SmtpSink, decoded};
use chrono::Utc;
use std::time::Duration;

const BODY: &str = "Here is the real picture.\n\n{{ crime.burglary.summary }} {{ crime.burglary.rate_summary }}\n\nIn numbers: {{ crime.burglary.last_3_months }} now, {{ crime.burglary.same_months_last_year }} a year ago ({{ crime.burglary.change_on_last_year }}).";

fn campaign() -> String {
    format!(
        "+++\ntitle = \"Local crime\"\npriority = \"fear-of-crime\"\nlead = \"Community Safety Team\"\n\
         schedule = \"0 10 1 1,4,7,10 *\"\nareas = [\"amersham\", \"chesham\"]\nchannels = [\"email\"]\n\
         subject = \"The real picture\"\nsummary = \"Local figures\"\n+++\n{BODY}\n"
    )
}

/// Burglaries by month: Amersham 3, 2 and (from the fixture) 1 in July–September 2026, and 4, 3
/// and 3 a year before; Chesham 1, 0, 2 and 1, 1, 1.
fn import_burglaries(dir: &Path) -> Vec<std::path::PathBuf> {
    let b = |m: &'static str, at, n: usize| std::iter::repeat_n((m, "Burglary", at), n);
    let months: [(&str, Vec<Row>); 5] = [
        (
            "2026-07",
            b("2026-07", AMERSHAM, 3)
                .chain(b("2026-07", CHESHAM, 1))
                .collect(),
        ),
        ("2026-08", b("2026-08", AMERSHAM, 2).collect()),
        (
            "2025-07",
            b("2025-07", AMERSHAM, 4)
                .chain(b("2025-07", CHESHAM, 1))
                .collect(),
        ),
        (
            "2025-08",
            b("2025-08", AMERSHAM, 3)
                .chain(b("2025-08", CHESHAM, 1))
                .collect(),
        ),
        (
            "2025-09",
            b("2025-09", AMERSHAM, 3)
                .chain(b("2025-09", CHESHAM, 1))
                .collect(),
        ),
    ];
    let mut files: Vec<_> = months
        .iter()
        .map(|(m, rows)| csv_of(dir, &format!("{m}-thames-valley-street.csv"), rows))
        .collect();
    files.push(fixture());
    files
}

async fn crime_figures_in_a_body_are_each_areas_own_in_the_sent_mail(db: TestDb) {
    let cal = fixture_calendar(&[("local-crime", campaign())]);
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    app.resident("ann@example.com", &["amersham"], &["fear-of-crime"])
        .await;
    app.resident("cy@example.com", &["chesham"], &["fear-of-crime"])
        .await;
    let data = tempfile::tempdir().unwrap();
    let mut args = vec!["crime".to_string(), "import".into()];
    args.extend(
        import_burglaries(data.path())
            .iter()
            .map(|p| p.display().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = beacon_at(&app.db, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let t0 = Utc::now();
    app.services
        .scheduler
        .send_now("local-crime", &[], t0, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.drain(t0).await.sent, 2);
    let mails = sink.wait_for(2, Duration::from_secs(10));
    let body = |to: &str| decoded(&mails.iter().find(|m| m.to == [to]).unwrap().data);

    // By hand: Amersham 3+2+1 = 6 now, 4+3+3 = 10 a year ago; 6 per 6,100 households = 1.0
    // per 1,000. Chiltern: the 9 burglaries over the households of its areas.
    let chiltern: u64 = crate::support::calendar()
        .areas
        .iter()
        .filter(|a| a.district == beacon::domain::District::Chiltern)
        .filter_map(|a| a.households.map(u64::from))
        .sum();
    let district = format!("{:.1}", 9.0 * 1000.0 / chiltern as f64);
    let ann = body("ann@example.com");
    assert!(
        ann.contains("6 burglaries in Amersham in the last three months of published figures (July 2026 to September 2026), 4 fewer than a year ago."),
        "{ann}"
    );
    assert!(
        ann.contains(&format!(
            "That is 1.0 for every 1,000 households, against {district} across Chiltern."
        )),
        "{ann}"
    );
    assert!(
        ann.contains("In numbers: 6 now, 10 a year ago (4 fewer than a year ago)."),
        "{ann}"
    );
    // Chesham: 1+0+2 = 3 now, 1+1+1 = 3 a year ago; 3 per 9,000 households = 0.3.
    let cy = body("cy@example.com");
    assert!(
        cy.contains("3 burglaries in Chesham in the last three months of published figures (July 2026 to September 2026), the same as a year ago."),
        "{cy}"
    );
    assert!(
        cy.contains("That is 0.3 for every 1,000 households"),
        "{cy}"
    );
    assert!(!ann.contains("{{") && !cy.contains("{{"));
    app.finish().await;
}
each_engine!(crime_figures_in_a_body_are_each_areas_own_in_the_sent_mail);

#[test]
fn an_unknown_crime_variable_fails_beacon_check_with_its_place() {
    let text = campaign().replace("crime.burglary.last_3_months", "crime.burglary.last_month");
    let cal = fixture_calendar(&[("local-crime", text)]);
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .arg("check")
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", cal.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let all = format!("{}{}", super::text(&out.stdout), super::text(&out.stderr));
    assert!(
        all.contains("local-crime.md:15:13: unknown crime measure `last_month`"),
        "{all}"
    );
}
