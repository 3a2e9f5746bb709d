//! The rooms of `src/` and the arrows between them, as ARCHITECTURE.md draws them.
//!
//! Reads every `.rs` file under `src/`, finds each path into the crate — `use crate::…` lines,
//! grouped `crate::{a, b::c}` imports, paths written inline in code (`crate::store::ms(…)`,
//! `$crate::…` in macros) and `super::` paths that climb out of a room — and fails, naming
//! `file:line`, when a room reaches one the table below does not let it import. Comments and
//! string literals are blanked first, so prose about a room is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[path = "architecture/reader.rs"]
mod reader;
use reader::{Import, imports};

/// Each room and the rooms it may import. Keep in step with ARCHITECTURE.md.
#[rustfmt::skip]
const ROOMS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("auth", &["domain"]),
    ("calendar", &["domain"]),
    ("store", &["domain", "auth"]),
    ("render", &["domain"]),
    ("channels", &["domain", "auth", "render"]),
    ("bulk", &["domain", "store"]),
    ("crime", &["domain", "store"]),
    ("reach", &["domain", "store"]),
    ("scheduler", &["domain", "calendar", "store", "render", "channels"]),
    ("delivery", &["domain", "auth", "store", "render", "channels"]),
    ("config", &["domain"]),
    ("web", &["domain", "auth", "calendar", "store", "render", "bulk", "reach", "scheduler", "config"]),
    ("app", &["domain", "auth", "calendar", "store", "render", "channels", "bulk", "crime", "reach", "scheduler", "delivery", "config", "web"]),
    ("cli", &["domain", "auth", "calendar", "store", "render", "channels", "bulk", "crime", "reach", "scheduler", "delivery", "config", "web", "app"]),
];

/// The crate root only declares the rooms.
const ROOT: &str = "lib";

/// `src/web/admin/login.rs` → `["web", "admin", "login"]`; `mod.rs` names its directory.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Every arrow in `src/` that the table forbids, as `file:line: message`.
fn violations(src_dir: &Path) -> (Vec<String>, BTreeMap<String, BTreeSet<String>>) {
    let table: BTreeMap<&str, BTreeSet<&str>> = ROOMS
        .iter()
        .map(|(room, may)| (*room, may.iter().copied().collect()))
        .collect();
    let mut files = Vec::new();
    rust_files(src_dir, &mut files);
    let mut problems = Vec::new();
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src_dir).expect("under src/");
        let module = module_path(rel);
        let room = module.first().cloned().unwrap_or_default();
        // The binary reaches the library as `beacon::`; the root only declares the rooms.
        if room == "main" || room == ROOT {
            continue;
        }
        let shown = format!("src/{}", rel.display());
        let Some(may) = table.get(room.as_str()) else {
            problems.push(format!(
                "{shown}: `{room}` is not a room in tests/architecture.rs; add it there and to ARCHITECTURE.md with what it may import"
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("readable source");
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        for Import { line, room: to } in imports(&text, &module) {
            if to == room {
                continue;
            }
            arrows.entry(room.clone()).or_default().insert(to.clone());
            if !table.contains_key(to.as_str()) {
                problems.push(format!(
                    "{shown}:{line}: `{room}` reaches `crate::{to}`, which is not a room in the table"
                ));
            } else if !may.contains(to.as_str()) {
                let allowed = if may.is_empty() {
                    "nothing of ours".to_string()
                } else {
                    may.iter().copied().collect::<Vec<_>>().join(", ")
                };
                problems.push(format!(
                    "{shown}:{line}: `{room}` may not import `{to}` (it may import: {allowed}); move the code, not the rule"
                ));
            }
        }
    }
    (problems, arrows)
}

#[test]
fn every_room_imports_only_the_rooms_the_table_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (problems, arrows) = violations(&src);
    assert!(
        problems.is_empty(),
        "arrows the architecture forbids (see ARCHITECTURE.md):\n{}",
        problems.join("\n")
    );
    // The reader found the crate's real arrows, so an empty list above means something.
    for (from, to) in [
        ("web", "store"),
        ("delivery", "channels"),
        ("store", "domain"),
        ("calendar", "domain"),
    ] {
        assert!(
            arrows.get(from).is_some_and(|t| t.contains(to)),
            "expected to see {from} → {to}; found {arrows:?}"
        );
    }
}

#[test]
fn the_table_itself_points_one_way() {
    // No room may import one that may import it back, directly or through others.
    let table: BTreeMap<&str, &[&str]> = ROOMS.iter().copied().collect();
    fn reaches(
        table: &BTreeMap<&str, &[&str]>,
        from: &str,
        to: &str,
        seen: &mut Vec<String>,
    ) -> bool {
        if seen.iter().any(|s| s == from) {
            return false;
        }
        seen.push(from.to_string());
        table
            .get(from)
            .is_some_and(|may| may.iter().any(|m| *m == to || reaches(table, m, to, seen)))
    }
    for (room, may) in ROOMS {
        assert!(table.contains_key(room));
        assert!(!may.contains(room), "{room} lists itself");
        for m in *may {
            assert!(table.contains_key(m), "{room} may import unknown room {m}");
            assert!(
                !reaches(&table, m, room, &mut Vec::new()),
                "a cycle: {room} → {m} → … → {room}"
            );
        }
    }
    assert!(table["domain"].is_empty(), "domain imports nothing of ours");
}

#[test]
fn use_lines_groups_inline_paths_and_climbing_supers_are_all_seen() {
    let src = r##"
//! Talks about crate::web in a comment, which is not an import.
use crate::domain::Email;
use crate::{render::feeds, channels::{email, webhook}};
use super::sibling;
const S: &str = "crate::cli inside a string";
const R: &str = r#"crate::app in a raw string"#;
const C: char = '"';
fn f<'a>(x: &'a str) -> String {
    crate::store::ms(1);
    super::super::config::load();
    x.into()
}
/* crate::reach in a block comment */
mod tests {
    use super::*;
    use super::super::super::delivery::Worker;
}
"##;
    let got: Vec<(usize, String)> = imports(src, &["scheduler", "send"])
        .into_iter()
        .map(|i| (i.line, i.room))
        .collect();
    let want: Vec<(usize, String)> = [
        (3, "domain"),
        (4, "render"),
        (4, "channels"),
        (10, "store"),
        (11, "config"),
        (17, "delivery"),
    ]
    .into_iter()
    .map(|(l, r)| (l, r.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn an_upward_import_is_reported_with_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("beacon-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("store")).expect("temp dir");
    std::fs::write(
        dir.join("store/feeds.rs"),
        "use super::SqlStore;\n\nfn items() -> Vec<crate::render::feeds::FeedItem> { vec![] }\n",
    )
    .expect("write");
    std::fs::write(dir.join("domain.rs"), "pub use crate::web::AppState;\n").expect("write");
    let (problems, _) = violations(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("src/domain.rs:1: `domain` may not import `web`"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].starts_with("src/store/feeds.rs:3: `store` may not import `render`"),
        "{}",
        problems[1]
    );
}
