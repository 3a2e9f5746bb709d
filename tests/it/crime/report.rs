//! The report's perception and crime sections, against figures worked out by hand, with
//! small-cell suppression that no total undoes.

use super::*;
use crate::fixtures::{app_on, campaign_file, fixture_calendar};
use crate::smtp::SmtpSink;
use beacon::auth::token::secret_hash;
use chrono::{TimeZone, Utc};
use serde_json::Value;

const OUTCOMES: &str = r#"amber_margin_pct = 10
[[outcome]]
id = "feel-safe"
description = "Three in four residents feel safe after dark"
measure = "feel_safe_pct"
direction = "at-least"
target = 75
[[outcome]]
id = "reduce-fear"
description = "Reduce the fear of crime amongst all residents"
measure = "feel_safe_change_pts"
direction = "at-least"
target = 0
[[outcome]]
id = "informed"
description = "Residents feel informed"
measure = "informed_pct"
direction = "at-least"
target = 70
[[outcome]]
id = "helpful"
description = "Messages help"
measure = "helpful_pct"
direction = "at-least"
target = 60
"#;

const PERIOD: &str = "from=2026-07-01&to=2026-09-30";

/// Answers, by hand (2026-Q3 unless said):
/// feel safe — Amersham 10 very + 14 fairly safe of 35; Chesham 20 + 25 of 60; Gerrards Cross 2
/// of 5 (under 10). All areas 71 of 100 = 71.0 %. In 2026-Q2: 50 of 80 = 62.5 %, so +8.5 points.
/// informed — Chesham 15 of 30 = 50.0 %; Amersham 12 of 12; all areas 27 of 42 = 64.3 %.
/// helped — alpha 20 of 30, beta 4 of 6 (under 10), both burglary: 24 of 36 = 66.7 %;
/// gamma (fear of crime) 9 of 15 = 60.0 %; all 33 of 51 = 64.7 %.
async fn fill(app: &crate::app::TestApp, runs: &[i64]) {
    let s = &app.services.store;
    let safe = "feel_safe_after_dark";
    for (area, q, answer, n) in [
        ("amersham", "2026-Q3", "very_safe", 10),
        ("amersham", "2026-Q3", "fairly_safe", 14),
        ("amersham", "2026-Q3", "a_bit_unsafe", 8),
        ("amersham", "2026-Q3", "very_unsafe", 3),
        ("chesham", "2026-Q3", "very_safe", 20),
        ("chesham", "2026-Q3", "fairly_safe", 25),
        ("chesham", "2026-Q3", "a_bit_unsafe", 10),
        ("chesham", "2026-Q3", "very_unsafe", 5),
        ("gerrards-cross", "2026-Q3", "very_safe", 2),
        ("gerrards-cross", "2026-Q3", "a_bit_unsafe", 3),
        ("chesham", "2026-Q2", "very_safe", 30),
        ("chesham", "2026-Q2", "very_unsafe", 20),
        ("amersham", "2026-Q2", "fairly_safe", 20),
        ("amersham", "2026-Q2", "a_bit_unsafe", 10),
    ] {
        survey(s, safe, area, q, answer, n).await;
    }
    for (area, answer, n) in [
        ("chesham", "very_well", 5),
        ("chesham", "fairly_well", 10),
        ("chesham", "not_very_well", 10),
        ("chesham", "not_at_all", 5),
        ("amersham", "very_well", 12),
    ] {
        survey(s, "informed", area, "2026-Q3", answer, n).await;
    }
    let [alpha, beta, gamma] = [runs[0], runs[1], runs[2]];
    for (run, area, answer, n) in [
        (alpha, "chesham", "yes", 15),
        (alpha, "amersham", "yes", 5),
        (alpha, "chesham", "no", 5),
        (alpha, "chesham", "not_sure", 5),
        (beta, "chesham", "yes", 4),
        (beta, "chesham", "no", 2),
        (gamma, "amersham", "yes", 9),
        (gamma, "amersham", "no", 3),
        (gamma, "amersham", "not_sure", 3),
    ] {
        feedback(s, run, area, answer, n).await;
    }
}

async fn the_perception_and_crime_sections_match_figures_worked_out_by_hand(db: TestDb) {
    let cal = fixture_calendar(&[
        (
            "alpha",
            campaign_file("alpha", "burglary-vehicle", "0 10 * * MON", ""),
        ),
        (
            "beta",
            campaign_file("beta", "burglary-vehicle", "0 10 * * TUE", ""),
        ),
        (
            "gamma",
            campaign_file("gamma", "fear-of-crime", "0 10 * * WED", ""),
        ),
    ]);
    std::fs::write(cal.path().join("outcomes.toml"), OUTCOMES).unwrap();
    let sink = SmtpSink::start();
    let app = app_on(db, &sink, cal.path()).await;
    let at = Utc.with_ymd_and_hms(2026, 9, 15, 10, 0, 0).unwrap();
    let mut runs = Vec::new();
    for slug in ["alpha", "beta", "gamma"] {
        let id = app
            .services
            .scheduler
            .send_now(slug, &[], at, None)
            .await
            .unwrap();
        runs.push(id.unwrap());
    }
    fill(&app, &runs).await;
    let out = beacon_at(&app.db, &["crime", "import", fixture().to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    app.services
        .store
        .add_api_token(&secret_hash("bcn_board"), "board", "viewer", Utc::now())
        .await
        .unwrap();
    let r: Value = app
        .http
        .get(format!("{}/api/v1/report?{PERIOD}", app.base))
        .header("authorization", "Bearer bcn_board")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let p = &r["perception"];
    assert_eq!(p["quarters"], serde_json::json!(["2026-Q3"]));
    let area = |slug: &str| {
        p["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["slug"] == slug)
            .unwrap_or_else(|| panic!("{slug} in {p}"))
            .clone()
    };
    let chesham = area("chesham");
    assert_eq!(
        (
            chesham["responses"].clone(),
            chesham["feel_safe_pct"].clone()
        ),
        (60.into(), 75.0.into())
    );
    assert_eq!(chesham["informed_pct"], 50.0);
    // Gerrards Cross has 5 answers: "<10", no share.
    let gx = area("gerrards-cross");
    assert_eq!(
        (
            gx["responses"].as_str(),
            gx["feel_safe_pct"].is_null(),
            gx["suppressed"].as_bool()
        ),
        (Some("<10"), true, Some(true))
    );
    // The quarter's total (100) less Chesham's 60 would give it away alone, so Amersham (the
    // smallest shown) is withheld with it.
    let am = area("amersham");
    assert_eq!(
        (
            am["responses"].as_str(),
            am["feel_safe_pct"].is_null(),
            am["suppressed"].as_bool()
        ),
        (Some("hidden"), true, Some(true))
    );
    assert_eq!(p["totals"][0]["responses"], 100);
    assert_eq!(p["totals"][0]["feel_safe_pct"], 71.0);
    assert_eq!(p["totals"][0]["informed_pct"], 64.3);
    assert_eq!(
        (
            p["feel_safe_pct"].clone(),
            p["feel_safe_change_pts"].clone()
        ),
        (71.0.into(), 8.5.into())
    );

    let campaign = |slug: &str| {
        p["campaigns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == slug)
            .unwrap()
            .clone()
    };
    assert_eq!(campaign("beta")["responses"], "<10");
    assert!(campaign("beta")["helpful_pct"].is_null());
    assert_eq!(
        campaign("alpha")["responses"],
        "hidden",
        "36 less 30 would give beta's 6 away"
    );
    assert_eq!(
        (
            campaign("gamma")["responses"].clone(),
            campaign("gamma")["helpful_pct"].clone()
        ),
        (15.into(), 60.0.into())
    );
    let prio = |slug: &str| {
        p["priorities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["priority"] == slug)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            prio("burglary-vehicle")["responses"].clone(),
            prio("burglary-vehicle")["helpful_pct"].clone()
        ),
        (36.into(), 66.7.into())
    );
    assert_eq!(p["helpful_pct"], 64.7);

    let rag = |id: &str| {
        let o = r["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == id)
            .unwrap()
            .clone();
        (o["actual"].clone(), o["rag"].as_str().unwrap().to_string())
    };
    assert_eq!(
        rag("feel-safe"),
        (71.0.into(), "amber".into()),
        "71.0 is within 10% of 75"
    );
    assert_eq!(rag("reduce-fear"), (8.5.into(), "green".into()));
    assert_eq!(rag("informed"), (64.3.into(), "amber".into()));
    assert_eq!(rag("helpful"), (64.7.into(), "green".into()));

    // Crime, September 2026: Amersham 4 crimes over 6,100 households, Chesham 5 over 9,000.
    let c = &r["crime"];
    assert_eq!(c["months"], serde_json::json!(["2026-09"]));
    let crime = |slug: &str| {
        c["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["slug"] == slug)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            crime("amersham")["crimes"].clone(),
            crime("amersham")["per_1000_households"].clone()
        ),
        (4.into(), 0.7.into())
    );
    assert_eq!(crime("chesham")["per_1000_households"], 0.6);
    let burglary = crime("chesham")["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "burglary")
        .unwrap()
        .clone();
    assert_eq!(
        (
            burglary["crimes"].clone(),
            burglary["per_1000_households"].clone()
        ),
        (2.into(), 0.2.into())
    );
    let households: u64 = crate::support::calendar()
        .areas
        .iter()
        .filter_map(|a| a.households.map(u64::from))
        .sum();
    let all = (12.0 * 1000.0 / households as f64 * 10.0).round() / 10.0;
    assert_eq!(c["all_per_1000_households"], all);

    // The text and CSV say the same, with "<10" where JSON has null.
    let report_for = |from: &str, to: &str, extra: &[&str]| {
        let mut args = vec!["report", "--from", from, "--to", to];
        args.extend_from_slice(extra);
        let out = beacon_with(&app.db, cal.path(), &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let report = |extra: &[&str]| report_for("2026-07-01", "2026-09-30", extra);
    let t = report(&[]);
    let line = |name: &str| {
        t.lines()
            .rev()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {t}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        t.contains(
            "Chesham                      2026-Q3         60       75.0        30       50.0"
        ),
        "{t}"
    );
    assert_eq!(
        line("Gerrards Cross               2026-Q3"),
        "Gerrards Cross 2026-Q3 <10 <10 <10 <10"
    );
    assert!(
        t.contains(
            "Feel safe after dark, latest quarter: 71.0%; change on the quarter before: 8.5 points"
        ),
        "{t}"
    );
    assert_eq!(line("beta "), "beta <10 <10");
    assert_eq!(line("gamma "), "gamma 15 60.0");
    let csv = report(&["--format", "csv", "--section", "perception"]);
    assert!(
        csv.contains("area,chesham,Chesham,2026-Q3,60,75.0,30,50.0"),
        "{csv}"
    );
    assert!(
        csv.contains("area,gerrards-cross,Gerrards Cross,2026-Q3,<10,<10,<10,<10"),
        "{csv}"
    );
    assert!(
        csv.contains("area,amersham,Amersham,2026-Q3,hidden,hidden,hidden,hidden"),
        "{csv}"
    );
    assert!(
        csv.contains("all-areas,all,Chiltern and South Bucks,2026-Q3,100,71.0,42,64.3"),
        "{csv}"
    );
    assert!(
        csv.contains("campaign,gamma,Fixture gamma,,15,60.0,,"),
        "{csv}"
    );
    let crime_csv = report(&["--format", "csv", "--section", "crime"]);
    assert!(
        crime_csv.contains("amersham,Amersham,all,2026-09,4,0.7"),
        "{crime_csv}"
    );
    assert!(
        crime_csv.contains("chesham,Chesham,burglary,2026-09,2,0.2"),
        "{crime_csv}"
    );

    // The board's HTML: both sections, the same withheld cells, and the chart with its words.
    let html = report(&["--format", "html"]);
    assert!(html.contains("<h2 id=\"perception\">") && html.contains("<h2 id=\"crime\">"));
    assert!(
        html.contains("<td>Gerrards Cross</td><td>2026-Q3</td><td class=\"n\">&#60;10</td>")
            || html.contains("<td>Gerrards Cross</td><td>2026-Q3</td><td class=\"n\">&lt;10</td>"),
        "{html}"
    );
    let svg = &html[html
        .find("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .unwrap()..];
    let gap = html
        .find("role=\"img\" aria-labelledby=\"gap-title gap-desc\"")
        .unwrap();
    let start = html[..gap].rfind("<svg").unwrap();
    let end = gap + html[gap..].find("</svg>").unwrap() + 6;
    let doc = roxmltree::Document::parse(&html[start..end]).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("desc")));
    assert!(!svg.is_empty());
    assert!(html.contains("Open Government Licence v3.0"));

    // A period with no answers: the perception outcomes have no data yet, not a colour.
    let empty = report_for("2025-01-01", "2025-03-31", &[]);
    assert!(
        empty.contains("No data yet Three in four residents feel safe after dark"),
        "{empty}"
    );
    app.finish().await;
}
each_engine!(the_perception_and_crime_sections_match_figures_worked_out_by_hand);
