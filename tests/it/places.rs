//! Real postcodes to real places: the OS Code-Point Open table joined to `campaigns/areas.toml`,
//! the follow-up question and the page for postcodes outside the districts, over real HTTP.

use crate::app::spawn_app;
use crate::smtp::{SmtpSink, decoded};
use crate::support::{TestDb, calendar, repo_path};
use beacon::domain::geography::GridRef;
use beacon::domain::{AreaDirectory, District, Postcode, Resolution};
use chrono::Utc;
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn resolve(areas: &AreaDirectory, pc: &str) -> Vec<String> {
    match areas.resolve(&Postcode::parse(pc).unwrap()) {
        Resolution::One(a) => vec![a.slug.clone()],
        Resolution::Several(v) => v.iter().map(|a| a.slug.clone()).collect(),
        Resolution::NotCovered => vec![],
    }
}

/// Real postcodes and the place a resident would name, checked by hand (see the file).
fn known() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(repo_path("tests/it/known_postcodes.csv")).unwrap();
    let data: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    csv::Reader::from_reader(data.as_bytes())
        .deserialize()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn real_postcodes_resolve_to_the_place_a_resident_would_name() {
    let cal = calendar();
    let known = known();
    assert!(known.len() >= 25, "{}", known.len());
    let mut wrong = Vec::new();
    for (pc, area, why) in &known {
        let got = resolve(&cal.areas, pc);
        if got != [area.as_str()] {
            wrong.push(format!("{pc} ({why}): expected {area}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every area of the shipped calendar is in the list.
    for a in cal.areas.iter() {
        assert!(
            known.iter().any(|(_, area, _)| *area == a.slug),
            "no known postcode for {}",
            a.slug
        );
    }
}

#[test]
fn every_live_postcode_of_the_chosen_wards_resolves_to_at_least_one_area() {
    let geo = beacon::calendar::postcodes::load().unwrap();
    let cal = calendar();
    let districts = |d| geo.wards.iter().filter(|w| w.district == d).count();
    assert_eq!(
        (
            districts(District::Chiltern),
            districts(District::SouthBucks)
        ),
        (9, 7)
    );
    assert!(geo.postcodes.len() > 5000, "{}", geo.postcodes.len());
    let mut uncovered = Vec::new();
    for rec in &geo.postcodes {
        let ward = geo
            .ward(&rec.ward)
            .expect("every postcode's ward is listed");
        match cal.areas.resolve(&rec.postcode) {
            Resolution::NotCovered => uncovered.push(rec.postcode.to_string()),
            Resolution::One(a) => assert_eq!(a.district, ward.district, "{}", rec.postcode),
            Resolution::Several(v) => {
                assert!(
                    v.iter().all(|a| a.district == ward.district),
                    "{}",
                    rec.postcode
                )
            }
        }
    }
    assert!(uncovered.is_empty(), "not covered: {uncovered:?}");
    assert_eq!(cal.areas.postcodes_known(), geo.postcodes.len());
}

#[test]
fn chesham_residents_in_hp5_1_are_never_silently_put_in_latimer_and_ley_hill() {
    let geo = beacon::calendar::postcodes::load().unwrap();
    let cal = calendar();
    let chesham = cal.areas.get("chesham").unwrap();
    let near_chesham = |at: GridRef| chesham.places.iter().any(|p| p.at.distance(at) <= 1000.0);
    let (mut in_town, mut to_chesham) = (0, 0);
    for rec in geo
        .postcodes
        .iter()
        .filter(|r| r.postcode.sector() == "HP5 1")
    {
        let got = resolve(&cal.areas, rec.postcode.as_str());
        if got == ["chesham"] {
            to_chesham += 1;
        }
        if rec.at.is_some_and(near_chesham) {
            in_town += 1;
            assert_eq!(got, ["chesham"], "{} is in Chesham town", rec.postcode);
        }
    }
    assert!(in_town > 100, "{in_town}");
    // Most of the sector is Chesham, as Code-Point Open shows.
    let sector = geo
        .postcodes
        .iter()
        .filter(|r| r.postcode.sector() == "HP5 1")
        .count();
    assert!(to_chesham * 10 > sector * 7, "{to_chesham} of {sector}");
    // A new HP5 1 postcode (not in the table) asks, Chesham first.
    assert_eq!(resolve(&cal.areas, "HP5 1ZZ")[0], "chesham");
    assert!(resolve(&cal.areas, "HP5 1ZZ").len() > 1);
}

fn beacon_areas(postcode: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["areas", "--postcode", postcode, "--format", "json"])
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The hidden fields and radio values of a page's form, as a browser would send them.
fn inputs(html: &str, kind: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].replace("&#x40;", "@").replace("&#64;", "@"))
    };
    html.split("<input")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find('>')?];
            (attr(tag, "type")? == kind).then(|| Some((attr(tag, "name")?, attr(tag, "value")?)))?
        })
        .collect()
}

fn form(email: &str, postcode: &str) -> Vec<(String, String)> {
    [
        ("email", email),
        ("postcode", postcode),
        ("topics", "burglary-vehicle"),
        ("frequency", "immediate"),
        ("consent", "yes"),
        ("website", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn a_postcode_between_places_asks_which_and_the_resident_may_choose_one_or_follow_all(
    db: TestDb,
) {
    let sink = SmtpSink::start();
    let app = spawn_app(db, &sink).await;

    // HP5 1XG lies between Ley Hill and the east of Chesham.
    let r = app
        .post_form("/subscribe", &pairs(&form("both@example.com", "hp51xg")))
        .await;
    assert_eq!(r.status(), 200, "a question, not an error");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("<title>Which place do you live in?"),
        "{html}"
    );
    assert!(!html.contains("There is a problem"));
    let radios: Vec<String> = inputs(&html, "radio").into_iter().map(|(_, v)| v).collect();
    let cli = beacon_areas("HP5 1XG");
    let mut expected: Vec<String> = cli["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cli["status"], "several");
    expected.extend(["all".into(), "elsewhere".into()]);
    assert_eq!(
        radios, expected,
        "the page offers what `beacon areas` prints"
    );
    let hidden = inputs(&html, "hidden");

    // Continuing without a choice explains it beside the question.
    let r = app.post_form("/subscribe", &pairs(&hidden)).await;
    assert_eq!(r.status(), 422);
    let again = r.text().await.unwrap();
    assert!(again.contains("<title>Error: Which place do you live in?"));
    assert!(again.contains("Choose the place you live in"));

    // Follow all of them.
    let mut all = hidden.clone();
    all.push(("area".into(), "all".into()));
    let r = app.post_form("/subscribe", &pairs(&all)).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );

    // Another resident chooses Ley Hill's area.
    let r = app
        .post_form("/subscribe", &pairs(&form("one@example.com", "HP5 1XG")))
        .await;
    let mut one = inputs(&r.text().await.unwrap(), "hidden");
    one.push(("area".into(), "latimer-ley-hill".into()));
    let r = app.post_form("/subscribe", &pairs(&one)).await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );

    // A resident of Chesham town centre, HP5 1 too, is not asked: Chesham.
    let r = app
        .post_form("/subscribe", &pairs(&form("town@example.com", "HP5 1DA")))
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<h1>Check your email</h1>")
    );

    app.drain(Utc::now()).await;
    let mails = sink.wait_for(3, WAIT);
    let body = |to: &str| {
        let m = mails.iter().find(|m| m.to.iter().any(|t| t == to)).unwrap();
        decoded(&m.data)
    };
    assert!(body("both@example.com").contains("Chesham, Latimer and Ley Hill"));
    assert!(body("one@example.com").contains("for Latimer and Ley Hill about"));
    let town = body("town@example.com");
    assert!(
        town.contains("for Chesham about") && !town.contains("Latimer"),
        "{town}"
    );
    app.finish().await;
}
each_engine!(a_postcode_between_places_asks_which_and_the_resident_may_choose_one_or_follow_all);

#[tokio::test]
async fn a_postcode_outside_the_districts_gets_a_kind_page_naming_thames_valley_alert() {
    let sink = SmtpSink::start();
    let app = spawn_app(crate::support::sqlite().await, &sink).await;
    // HP13 6AA is High Wycombe: Buckinghamshire, but not Chiltern or South Bucks.
    for pc in ["OX1 1AA", "HP13 6AA"] {
        assert_eq!(beacon_areas(pc)["status"], "not-covered");
        let r = app
            .post_form("/subscribe", &pairs(&form("away@example.com", pc)))
            .await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(!html.contains("There is a problem") && !html.contains("Error:"));
        assert!(
            html.contains(&format!("We do not send alerts for {pc}")),
            "{html}"
        );
        assert!(html.contains(
            "<a href=\"https://www.thamesvalleyalert.co.uk\">Sign up to Thames Valley Alert</a>"
        ));
    }
    assert_eq!(app.drain(Utc::now()).await.claimed, 0, "nothing queued");
    app.finish().await;
}

#[tokio::test]
async fn a_new_postcode_in_a_sector_shared_with_places_outside_is_asked_about_not_assumed() {
    // Of SL3 8's live postcodes, four are in Iver ward (Iver); the rest are Colnbrook and
    // Langley, in Slough. SL3 8ZZ is not live.
    let cal = calendar();
    assert!(matches!(
        cal.areas.resolve(&Postcode::parse("SL3 8ZZ").unwrap()),
        Resolution::Several(v) if v.len() == 1 && v[0].slug == "iver"
    ));
    assert_eq!(
        resolve(&cal.areas, "SL3 8AH"),
        ["iver"],
        "a live Iver postcode"
    );

    let sink = SmtpSink::start();
    let app = spawn_app(crate::support::sqlite().await, &sink).await;
    let r = app
        .post_form("/subscribe", &pairs(&form("new@example.com", "SL3 8ZZ")))
        .await;
    let html = r.text().await.unwrap();
    let radios: Vec<String> = inputs(&html, "radio").into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        radios,
        ["iver", "elsewhere"],
        "no \"all of these\" for one place"
    );
    let mut elsewhere = inputs(&html, "hidden");
    elsewhere.push(("area".into(), "elsewhere".into()));
    let r = app.post_form("/subscribe", &pairs(&elsewhere)).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Sign up to Thames Valley Alert")
    );
    assert_eq!(app.drain(Utc::now()).await.claimed, 0, "nothing queued");
    app.finish().await;
}

#[test]
fn beacon_areas_lists_every_postcode_with_the_areas_the_sign_up_gives_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_beacon"))
        .args(["areas", "--postcodes"])
        .current_dir(dir.path())
        .env_remove("BEACON_CONFIG")
        .env(
            "BEACON_CALENDAR__DIR",
            repo_path("tests/fixtures/campaigns"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = rows.records().map(|r| r.unwrap()).collect();
    let geo = beacon::calendar::postcodes::load().unwrap();
    assert_eq!(rows.len(), geo.postcodes.len());
    let cal = calendar();
    for row in &rows {
        assert!(!row[8].is_empty(), "{row:?} has no area");
        assert_eq!(
            row[8].split(';').collect::<Vec<_>>(),
            resolve(&cal.areas, &row[0])
        );
    }
    let town = rows.iter().find(|r| &r[0] == "HP5 1DA").unwrap();
    assert_eq!(
        (&town[2], &town[7], &town[8]),
        ("Chess Valley", "one", "chesham")
    );
}
