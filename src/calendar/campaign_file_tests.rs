//! The campaign file reader's tests: what it accepts and every error it reports.

use super::*;
use crate::domain::{Area, District, PostcodePrefix};

fn areas() -> AreaDirectory {
    AreaDirectory::new([Area {
        slug: "chesham".into(),
        name: "Chesham".into(),
        district: District::Chiltern,
        postcodes: vec![PostcodePrefix::parse("HP5").unwrap()],
        households: Some(9000),
        wards: vec![],
        places: vec![],
    }])
}

const GOOD: &str = "+++\ntitle = \"T\"\npriority = \"burglary-vehicle\"\nlead = \"Thames Valley Police\"\n\
    schedule = \"0 18 * * FRI\"\nseason = { from = \"10-25\", to = \"02-28\" }\nareas = [\"chesham\", \"south-bucks\"]\n\
    channels = [\"email\", \"feed\"]\nsubject = \"S\"\nsummary = \"Sum\"\ngrace = \"2h\"\n+++\nLock up.\n";

fn run(text: &str) -> (Option<Campaign>, Vec<String>) {
    let mut d = Diagnostics::default();
    let c = parse(Path::new("c/winter.md"), text, &areas(), &mut d).map(|(c, _)| c);
    (c, d.0.iter().map(ToString::to_string).collect())
}

#[test]
fn a_good_file_loads() {
    let (c, errs) = run(GOOD);
    assert!(errs.is_empty(), "{errs:?}");
    let c = c.unwrap();
    assert_eq!(c.slug, "winter");
    assert_eq!(c.body, "Lock up.");
    assert_eq!(c.grace, std::time::Duration::from_secs(7200));
    assert_eq!(c.channels, [Channel::Email, Channel::Feed]);
    assert_eq!((c.repeat_after, c.urgent), (None, false));
    let (c, errs) = run(&GOOD.replace("grace = \"2h\"", "repeat_after = \"7d\"\nurgent = true"));
    assert!(errs.is_empty(), "{errs:?}");
    let c = c.unwrap();
    assert_eq!(c.repeat_after, Some(chrono::Duration::days(7)));
    assert!(c.urgent);
    let (_, errs) = run(&GOOD.replace("grace = \"2h\"", "repeat_after = \"weekly\""));
    assert!(
        errs[0].starts_with("c/winter.md:11:16: repeat_after:"),
        "{errs:?}"
    );
}

#[test]
fn semantic_errors_are_all_reported_with_positions() {
    let bad = GOOD
        .replace("burglary-vehicle", "burglary")
        .replace("0 18 * * FRI", "0 25 * * FRI")
        .replace("\"02-28\"", "\"02-30\"")
        .replace("\"chesham\"", "\"chesam\"")
        .replace("Lock up.\n", "  \n");
    let (c, errs) = run(&bad);
    assert!(c.is_none());
    assert_eq!(errs.len(), 5, "{errs:?}");
    assert!(
        errs[0].starts_with("c/winter.md:3:12: unknown priority `burglary`")
            && errs[0].ends_with("did you mean `burglary-vehicle`?"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("c/winter.md:5:12: hour 25 is out of range 0–23 in `0 25 * * FRI`"),
        "{errs:?}"
    );
    assert!(
        errs[2].starts_with("c/winter.md:6:33: `02-30` is not a day"),
        "{errs:?}"
    );
    assert!(
        errs[3].starts_with("c/winter.md:7:10: unknown area `chesam`")
            && errs[3].ends_with("did you mean `chesham`?"),
        "{errs:?}"
    );
    assert!(
        errs[4].starts_with("c/winter.md:13:1: the message body is empty"),
        "{errs:?}"
    );
}

#[test]
fn syntax_and_unknown_keys_are_located() {
    let (_, errs) = run(&GOOD.replace("grace = \"2h\"", "colour = \"red\""));
    assert!(
        errs[0].starts_with("c/winter.md:11:1: unknown field `colour`"),
        "{errs:?}"
    );
    let (_, errs) = run(&GOOD.replace("subject = \"S\"", "subject = \"S"));
    assert!(errs[0].starts_with("c/winter.md:9:"), "{errs:?}");
    let (_, errs) = run("title = 1\n");
    assert!(errs[0].contains("starts with a `+++` line"), "{errs:?}");
    let (_, errs) = run("+++\ntitle = \"x\"\n");
    assert!(errs[0].contains("never closed"), "{errs:?}");
}

#[test]
fn an_unknown_variable_in_the_body_is_located() {
    let text = GOOD.replace(
        "Lock up.",
        "Lock up.\n\n{{ crime.burglary.summary }} See {{ crime.burglery.summary }}.",
    );
    let (c, errs) = run(&text);
    assert!(c.is_none());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("c/winter.md:15:34: unknown crime category `burglery`"),
        "{errs:?}"
    );
}
