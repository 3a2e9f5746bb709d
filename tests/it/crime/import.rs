//! `beacon crime import`: a real-format police.uk file lands in the right areas, once.

use super::*;
use crate::app::spawn_app;
use crate::smtp::SmtpSink;

async fn a_police_uk_street_file_lands_in_the_right_areas_once(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let file = fixture();
    let out = beacon_at(&app.db, &["crime", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("14 rows read for 1 month(s): 2026-09"),
        "{report}"
    );
    assert!(
        report.contains("skipped: 1 outside Chiltern and South Bucks, 1 with no location"),
        "{report}"
    );
    assert!(report.contains("Open Government Licence v3.0"), "{report}");

    let store = &app.services.store;
    let (per_area, per_cat) = counts(store, "2026-09").await;
    assert_eq!(
        per_area,
        by_hand(&[("amersham", 4), ("chesham", 5), ("gerrards-cross", 3)]),
        "{}",
        app.db.name
    );
    let cat = |a: &str, c: &str| per_cat.get(&(a.to_string(), c.to_string())).copied();
    assert_eq!(cat("chesham", "burglary"), Some(2));
    assert_eq!(cat("amersham", "anti-social-behaviour"), Some(2));
    assert_eq!(cat("gerrards-cross", "criminal-damage-arson"), Some(1));
    assert_eq!(cat("chesham", "violent-crime"), Some(1));

    // The same file again: the month is replaced, not added to.
    let again = beacon_at(&app.db, &["crime", "import", file.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        counts(store, "2026-09").await.0,
        per_area,
        "re-import counted twice"
    );
    assert_eq!(store.crime_months().await.unwrap(), ["2026-09"]);
    app.finish().await;
}
each_engine!(a_police_uk_street_file_lands_in_the_right_areas_once);

async fn a_bad_file_is_named_by_line_and_nothing_is_half_applied(db: TestDb) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;
    let good = fixture();
    assert!(
        beacon_at(&app.db, &["crime", "import", good.to_str().unwrap()])
            .status
            .success()
    );
    let before = counts(&app.services.store, "2026-09").await;

    // A good file for October, then a September file with a mistake on its seventh line.
    let dir = tempfile::tempdir().unwrap();
    let october = csv_of(
        dir.path(),
        "2026-10.csv",
        &[("2026-10", "Burglary", AMERSHAM)],
    );
    let text_of = std::fs::read_to_string(&good).unwrap();
    let broken: Vec<String> = text_of
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 6 {
                l.replace("Burglary", "Jaywalking")
            } else {
                l.to_string()
            }
        })
        .collect();
    let bad = dir.path().join("2026-09-broken.csv");
    std::fs::write(&bad, broken.join("\n")).unwrap();
    let out = beacon_at(
        &app.db,
        &[
            "crime",
            "import",
            october.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:7: Crime type `Jaywalking` is not a police.uk category",
            bad.display()
        )),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(counts(&app.services.store, "2026-09").await, before);
    assert!(
        counts(&app.services.store, "2026-10").await.0.is_empty(),
        "October was half-applied"
    );

    // A file that is not police.uk's layout at all is refused at its header.
    let other = dir.path().join("residents.csv");
    std::fs::write(&other, "email,postcode\na@example.com,HP5 1AA\n").unwrap();
    let out = beacon_at(&app.db, &["crime", "import", other.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!("{}:1: no `Month` column", other.display())),
        "{}",
        text(&out.stderr)
    );
    app.finish().await;
}
each_engine!(a_bad_file_is_named_by_line_and_nothing_is_half_applied);
