//! Writing campaigns in the console (issue 16): the history store on both engines, files
//! edited by hand, the version check, and the whole editor in a real browser.

use crate::app::{Options, TestApp, spawn_app_with};
use crate::console::{hidden, page, sign_in};
use crate::smtp::SmtpSink;
use crate::support::{TestDb, repo_path};
use std::path::Path;
use std::process::Output;

mod browser;
mod history_store;

/// A calendar directory of its own: the fixture areas and outcomes, and with `campaigns` the
/// fixture campaign files too.
pub(crate) fn calendar_copy(campaigns: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo_path("tests/fixtures/campaigns")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".toml") || (campaigns && name.ends_with(".md")) {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    dir
}

/// The real `beacon check` on a calendar directory.
pub(crate) fn run_beacon_check(calendar: &Path) -> Output {
    let work = tempfile::tempdir().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_beacon"))
        .arg("check")
        .current_dir(work.path())
        .env_remove("BEACON_CONFIG")
        .env("BEACON_CALENDAR__DIR", calendar)
        .env(
            "BEACON_DATABASE__URL",
            format!("sqlite://{}", work.path().join("b.db").display()),
        )
        .output()
        .expect("run beacon check")
}

async fn app_on(db: TestDb, sink: &SmtpSink, dir: &Path) -> TestApp {
    spawn_app_with(
        db,
        sink,
        Options {
            calendar_dir: dir.to_path_buf(),
            ..Options::default()
        },
    )
    .await
}

/// Saves the edit form of `slug` as it was opened, with one field changed.
async fn save_form(
    app: &TestApp,
    cookie: &str,
    form_html: &str,
    slug: &str,
    summary: &str,
) -> (u16, String) {
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), hidden(form_html, "csrf")),
        ("original".into(), slug.into()),
        ("base_hash".into(), hidden(form_html, "base_hash")),
        ("action".into(), "schedule".into()),
        ("summary".into(), summary.into()),
        ("reason".into(), "summary reworded".into()),
    ];
    // The rest as the form shows them: text inputs, then the ticked boxes.
    for name in [
        "title",
        "lead",
        "subject",
        "time",
        "cron",
        "starts",
        "ends",
        "date",
        "day_of_month",
    ] {
        fields.push((name.into(), html_escape_decode(&hidden(form_html, name))));
    }
    let body_at = form_html.find("name=\"body\"").unwrap();
    let body = &form_html[form_html[body_at..].find('>').unwrap() + body_at + 1..];
    let body = &body[..body.find("</textarea>").unwrap()];
    fields.push(("body".into(), html_escape_decode(body)));
    for (name, value) in ticked(form_html) {
        fields.push((name, value));
    }
    for name in ["season_from_day", "season_to_day"] {
        fields.push((name.into(), hidden(form_html, name)));
    }
    for name in ["season_from_month", "season_to_month"] {
        fields.push((name.into(), selected(form_html, name)));
    }
    let r = app
        .request("POST", "/admin/editor")
        .header("cookie", cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The chosen option of a select.
fn selected(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap();
    let rest = &html[at..];
    let end = rest.find("</select>").unwrap();
    let chosen = rest[..end].find(" selected>").unwrap();
    let open = rest[..chosen].rfind("value=\"").unwrap() + 7;
    rest[open..open + rest[open..].find('"').unwrap()].to_string()
}

fn html_escape_decode(s: &str) -> String {
    s.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every checked checkbox and radio button as (name, value).
fn ticked(html: &str) -> Vec<(String, String)> {
    html.split("<input ")
        .skip(1)
        .filter_map(|tag| {
            let tag = &tag[..tag.find('>')?];
            if !tag.contains(" checked") {
                return None;
            }
            let attr = |a: &str| {
                let at = tag.find(&format!("{a}=\""))? + a.len() + 2;
                Some(tag[at..at + tag[at..].find('"')?].to_string())
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

async fn a_hand_edit_shows_in_the_history_and_makes_an_open_form_stale(db: TestDb) {
    let sink = SmtpSink::start();
    let dir = calendar_copy(true);
    let app = app_on(db, &sink, dir.path()).await;
    let editor = sign_in(&app, "editor@example.org", "editor").await;
    let viewer = sign_in(&app, "viewer@example.org", "viewer").await;

    let (status, form) = page(&app, &editor, "/admin/editor/winter-burglary").await;
    assert_eq!(status, 200);
    assert!(
        form.contains(r#"name="cron" value="0 18 1-7 11,12,1,2 FRI""#),
        "a schedule the words cannot say is edited as cron text"
    );

    // Edited by hand on the server while the form is open.
    let file = dir.path().join("winter-burglary.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let by_hand = text.replacen("summary = \"", "summary = \"By hand: ", 1);
    assert_ne!(text, by_hand);
    std::fs::write(&file, &by_hand).unwrap();

    let (status, refused) =
        save_form(&app, &editor, &form, "winter-burglary", "A newer summary").await;
    assert_eq!(status, 200);
    assert!(
        refused.contains("changed by someone on the server since you opened it"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        by_hand,
        "nothing written"
    );

    // Opening the form again picks the hand edit up, and it is in the history.
    let (_, fresh) = page(&app, &editor, "/admin/editor/winter-burglary").await;
    assert!(
        fresh.contains("By hand: "),
        "the form shows the file as it is"
    );
    let (status, history) = page(&app, &viewer, "/admin/editor/winter-burglary/history").await;
    assert_eq!(status, 200, "viewers may read the history");
    assert_eq!(
        history.matches("Edited on the server").count(),
        2,
        "the file as first found, and the hand edit: {history}"
    );
    assert!(!history.contains("Restore"), "viewers cannot restore");

    // Saved from the fresh form, keeping the keys the form does not show.
    let version = || async {
        app.services
            .store
            .setting(beacon::store::CALENDAR_VERSION_SETTING)
            .await
            .unwrap()
    };
    let before = version().await;
    let (status, _) = save_form(&app, &editor, &fresh, "winter-burglary", "A newer summary").await;
    assert_eq!(status, 303);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("summary = \"A newer summary\""), "{saved}");
    for line in text.lines().filter(|l| {
        l.starts_with("grace") || l.starts_with("repeat_after") || l.starts_with("urgent")
    }) {
        assert!(saved.contains(line), "{line} kept in {saved}");
    }
    let versions = app
        .services
        .store
        .revisions("winter-burglary", 10)
        .await
        .unwrap();
    assert_eq!(versions[0].author, "editor@example.org");
    assert_eq!(versions[0].reason, "summary reworded");
    assert_eq!(versions[1].reason, "edited on the server");
    assert_eq!(versions[1].content, by_hand);
    let live = app.services.calendar.get();
    assert_eq!(
        live.campaign("winter-burglary").unwrap().summary,
        "A newer summary",
        "the running server has the change"
    );
    assert!(run_beacon_check(dir.path()).status.success());
    assert_ne!(
        version().await,
        before,
        "every other `serve` is asked to reload, as `beacon reload` asks"
    );

    // A short name is never a path.
    let csrf = hidden(&fresh, "csrf");
    for (original, slug, status) in [("../areas", "", 404), ("", "../escape", 200)] {
        let r = app
            .request("POST", "/admin/editor")
            .header("cookie", &editor)
            .form(&[
                ("csrf", csrf.as_str()),
                ("original", original),
                ("slug", slug),
                ("action", "schedule"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{original}{slug}");
    }
    assert!(!dir.path().parent().unwrap().join("escape.md").exists());

    // Viewers see campaigns read-only.
    let (status, _) = page(&app, &viewer, "/admin/editor/winter-burglary").await;
    assert_eq!(status, 403);
    app.finish().await;
}
each_engine!(a_hand_edit_shows_in_the_history_and_makes_an_open_form_stale);
