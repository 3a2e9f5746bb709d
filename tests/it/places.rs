//! Real postcodes to real places: the OS Code-Point Open table joined to `campaigns/areas.toml`,
//! the follow-up question and the page for postcodes outside the districts, over real HTTP.

use crate::app::spawn_app;
use crate::smtp::{SmtpSink, decoded};
use crate::support::{calendar, engines, repo_path};
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

/// Real postcodes and the place a resident would name. Each was checked by hand against the
/// table: its ward, its position (easting, northing) and the town or village there.
const KNOWN: &[(&str, &str, &str)] = &[
    // postcode, area, why (ward; position; what is there)
    ("HP6 5TA", "amersham", "Amersham and Chesham Bois; 496,400 198,450; Amersham-on-the-Hill centre"),
    ("HP7 0DP", "amersham", "Penn Wood and Old Amersham; 495,700 197,320; Old Amersham High Street"),
    ("HP6 6PS", "little-chalfont", "Little Chalfont and Amersham Common; Little Chalfont village centre"),
    ("HP6 6RG", "little-chalfont", "Chess Valley; 500,100 197,700; the east end of Little Chalfont, in Chenies parish"),
    ("HP6 5PU", "chesham-bois", "Amersham and Chesham Bois; 496,200 199,500; Chesham Bois"),
    ("HP5 1DA", "chesham", "Chess Valley; 496,100 201,600; Chesham town centre (the HP5 1 sector)"),
    ("HP5 1RW", "chesham", "Chess Valley; 497,000 201,000; Waterside, east Chesham (HP5 1)"),
    ("HP5 3HH", "chesham", "Chesham; 496,300 203,000; north Chesham"),
    ("HP5 2QT", "chesham", "Chiltern Ridges; 495,250 202,600; west Chesham, over the ward line"),
    ("HP5 3PN", "ashley-green", "Chesham; 497,700 205,180; Ashley Green village on the A416"),
    ("HP5 2TH", "chartridge", "Chiltern Ridges; 493,100 203,800; Chartridge"),
    ("HP5 1XX", "latimer-ley-hill", "Chess Valley; 498,440 202,120; Ley Hill village"),
    ("HP5 1UA", "latimer-ley-hill", "Chess Valley; 500,120 199,030; Latimer"),
    ("HP23 6NX", "cholesbury-cum-st-leonards", "Chiltern Ridges; 492,130 207,090; Cholesbury"),
    ("WD3 6EG", "chenies", "Chess Valley; 501,760 198,260; Chenies village"),
    ("HP8 4PZ", "chalfont-st-giles", "Chalfont St. Giles; Chalfont St Giles village"),
    ("SL9 9RA", "chalfont-st-peter", "Chalfont St. Peter; 500,000 190,500; Chalfont St Peter centre"),
    ("HP9 2SH", "seer-green", "Chalfont St. Giles; 496,500 191,800; Seer Green"),
    ("HP7 0LF", "coleshill", "Chalfont St. Giles; 495,000 195,100; Coleshill village"),
    ("HP10 8NX", "penn", "Penn Wood and Old Amersham; Penn village"),
    ("HP9 1TG", "penn", "Penn Wood and Old Amersham; 493,200 192,300; Knotty Green (Penn parish)"),
    ("HP16 9AY", "great-missenden", "Great Missenden; 489,500 201,500; Great Missenden High Street"),
    ("HP16 0LE", "prestwood", "Great Missenden; 487,000 200,500; Prestwood"),
    ("HP15 6RQ", "little-missenden", "Penn Wood and Old Amersham; 490,270 197,060; Holmer Green (Little Missenden parish)"),
    ("HP6 5SH", "little-missenden", "Chiltern Ridges; 493,210 200,040; Hyde Heath (Little Missenden parish)"),
    ("HP16 9LB", "the-lee", "Chiltern Ridges; 491,040 203,850; The Lee"),
    ("HP9 1UP", "beaconsfield", "Beaconsfield; 494,000 190,300; Beaconsfield"),
    ("SL1 7JB", "burnham", "Cliveden; 493,150 182,350; Burnham High Street"),
    ("SL6 0EH", "taplow", "Cliveden; 491,000 181,560; Taplow village"),
    ("SL4 6QH", "dorney", "Cliveden; 493,130 179,030; Dorney village"),
    ("SL2 3BW", "farnham-royal", "Stoke Poges and Wexham; 496,060 183,360; Farnham Royal"),
    ("SL2 3JU", "farnham-royal", "Farnham Common and Burnham Beeches; Farnham Common (Farnham Royal parish)"),
    ("SL2 3YY", "hedgerley", "Gerrards Cross; 497,000 187,000; Hedgerley village"),
    ("SL2 4HD", "stoke-poges", "Stoke Poges and Wexham; 498,330 183,910; Stoke Poges"),
    ("SL3 6BN", "wexham", "Stoke Poges and Wexham; 500,110 181,260; George Green (Wexham parish)"),
    ("SL3 6HS", "fulmer", "Denham; 499,970 185,740; Fulmer village"),
    ("SL9 7PE", "gerrards-cross", "Gerrards Cross; 499,660 188,070; Gerrards Cross centre"),
    ("UB9 5AZ", "denham", "Denham; 504,100 186,530; Denham village"),
    ("UB9 4DY", "denham", "Denham; 504,950 184,990; New Denham"),
    ("SL0 0AA", "iver", "Iver; 504,000 181,000; Iver village"),
    ("SL0 0LJ", "iver", "Stoke Poges and Wexham; 501,950 182,640; Iver Heath, over the ward line"),
];

#[test]
fn real_postcodes_resolve_to_the_place_a_resident_would_name() {
    let cal = calendar();
    let mut wrong = Vec::new();
    for (pc, area, why) in KNOWN {
        let got = resolve(&cal.areas, pc);
        if got != [*area] {
            wrong.push(format!("{pc} ({why}): expected {area}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every area of the shipped calendar is in the list.
    for a in cal.areas.iter() {
        assert!(
            KNOWN.iter().any(|(_, area, _)| *area == a.slug),
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
        (districts(District::Chiltern), districts(District::SouthBucks)),
        (9, 7)
    );
    assert!(geo.postcodes.len() > 5000, "{}", geo.postcodes.len());
    let mut uncovered = Vec::new();
    for rec in &geo.postcodes {
        let ward = geo.ward(&rec.ward).expect("every postcode's ward is listed");
        match cal.areas.resolve(&rec.postcode) {
            Resolution::NotCovered => uncovered.push(rec.postcode.to_string()),
            Resolution::One(a) => assert_eq!(a.district, ward.district, "{}", rec.postcode),
            Resolution::Several(v) => {
                assert!(v.iter().all(|a| a.district == ward.district), "{}", rec.postcode)
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
    for rec in geo.postcodes.iter().filter(|r| r.postcode.sector() == "HP5 1") {
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
        .env("BEACON_CALENDAR__DIR", repo_path("campaigns"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
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

#[tokio::test]
async fn a_postcode_between_places_asks_which_and_the_resident_may_choose_one_or_follow_all() {
    for db in engines().await {
        let sink = SmtpSink::start();
        let app = spawn_app(db, &sink).await;

        // HP5 1XG lies between Ley Hill and the east of Chesham.
        let r = app
            .post_form("/subscribe", &pairs(&form("both@example.com", "hp51xg")))
            .await;
        assert_eq!(r.status(), 200, "a question, not an error");
        let html = r.text().await.unwrap();
        assert!(html.contains("<title>Which place do you live in?"), "{html}");
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
        expected.push("all".into());
        assert_eq!(radios, expected, "the page offers what `beacon areas` prints");
        let hidden = inputs(&html, "hidden");

        // Continuing without a choice explains it beside the question.
        let r = app.post_form("/subscribe", &pairs(&hidden)).await;
        assert_eq!(r.status(), 422);
        let again = r.text().await.unwrap();
        assert!(again.contains("<title>Error: Which place do you live in?"));
        assert!(again.contains("Choose the place you live in, or all of them"));

        // Follow all of them.
        let mut all = hidden.clone();
        all.push(("area".into(), "all".into()));
        let r = app.post_form("/subscribe", &pairs(&all)).await;
        assert_eq!(r.status(), 303);

        // Another resident chooses Ley Hill's area.
        let r = app
            .post_form("/subscribe", &pairs(&form("one@example.com", "HP5 1XG")))
            .await;
        let mut one = inputs(&r.text().await.unwrap(), "hidden");
        one.push(("area".into(), "latimer-ley-hill".into()));
        assert_eq!(app.post_form("/subscribe", &pairs(&one)).await.status(), 303);

        // A resident of Chesham town centre, HP5 1 too, is not asked: Chesham.
        let r = app
            .post_form("/subscribe", &pairs(&form("town@example.com", "HP5 1DA")))
            .await;
        assert_eq!(r.status(), 303);

        app.drain(Utc::now()).await;
        let mails = sink.wait_for(3, WAIT);
        let body = |to: &str| {
            let m = mails.iter().find(|m| m.to.iter().any(|t| t == to)).unwrap();
            decoded(&m.data)
        };
        assert!(body("both@example.com").contains("Chesham, Latimer and Ley Hill"));
        assert!(body("one@example.com").contains("for Latimer and Ley Hill about"));
        let town = body("town@example.com");
        assert!(town.contains("for Chesham about") && !town.contains("Latimer"), "{town}");
        app.finish().await;
    }
}

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
        assert!(html.contains(&format!("We do not send alerts for {pc}")), "{html}");
        assert!(html.contains("<a href=\"https://www.thamesvalleyalert.co.uk\">Sign up to Thames Valley Alert</a>"));
    }
    assert_eq!(app.drain(Utc::now()).await.claimed, 0, "nothing queued");
    app.finish().await;
}
