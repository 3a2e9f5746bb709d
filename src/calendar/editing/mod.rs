//! Changing campaign files from the console by the same rules as `beacon check`: the form's
//! fields become front matter (edited in place with `toml_edit`, so keys the form does not know
//! — `grace`, `urgent`, a survey's `question` — and comments stay as written), the whole calendar
//! is loaded with the new text in place, and each `path:line:col` problem is put back beside the
//! form field it came from.

pub mod when;
pub mod write;

pub use super::areas::is_slug;
use super::campaign_file::{FENCE, split};
use super::{Calendar, Diagnostics};
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Value, value};
use when::WhenFile;

/// The campaign part of the console's form, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    /// The title staff see.
    pub title: String,
    /// A priority slug.
    pub priority: String,
    /// The lead partner.
    pub lead: String,
    /// Area slugs, districts or `all`.
    pub areas: Vec<String>,
    /// `email`, `feed`, `webhook`.
    pub channels: Vec<String>,
    /// E-mail subject and feed title.
    pub subject: String,
    /// One-line summary.
    pub summary: String,
    /// The message, in Markdown.
    pub body: String,
}

/// The campaign file for `form`, `when` and `draft`, keeping everything else `existing` holds
/// (but its `slug` key, which a copy must not keep: the file name gives the copy its own).
pub fn compose(
    existing: Option<&str>,
    copy: bool,
    form: &CampaignForm,
    when: &WhenFile,
    draft: bool,
) -> String {
    let mut doc = existing
        .and_then(|t| split(t).ok())
        .and_then(|(_, front, _, _)| front.parse::<DocumentMut>().ok())
        .unwrap_or_default();
    if copy {
        doc.remove("slug");
    }
    let text = |s: &str| value(s.trim());
    let list = |items: &[String]| value(Array::from_iter(items.iter().map(|s| s.trim())));
    doc["title"] = text(&form.title);
    if draft {
        doc["status"] = value("draft");
    } else {
        doc.remove("status");
    }
    doc["priority"] = text(&form.priority);
    doc["lead"] = text(&form.lead);
    doc["schedule"] = text(&when.schedule);
    match &when.season {
        Some((from, to)) => {
            let mut t = InlineTable::new();
            t.insert("from", from.as_str().into());
            t.insert("to", to.as_str().into());
            doc["season"] = value(t);
        }
        None => {
            doc.remove("season");
        }
    }
    for (key, date) in [("starts", &when.starts), ("ends", &when.ends)] {
        match date {
            // A bad date is written as text, so the loader reports it where it stands.
            Some(d) => {
                doc[key] = Item::Value(
                    d.parse::<toml_edit::Datetime>()
                        .map_or_else(|_| Value::from(d.as_str()), Value::from),
                );
            }
            None => {
                doc.remove(key);
            }
        }
    }
    doc["areas"] = list(&form.areas);
    doc["channels"] = list(&form.channels);
    doc["subject"] = text(&form.subject);
    doc["summary"] = text(&form.summary);
    let body = form.body.replace("\r\n", "\n");
    format!(
        "{FENCE}\n{}{FENCE}\n{}\n",
        ensure_newline(doc.to_string()),
        body.trim_end()
    )
}

fn ensure_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Whether a campaign file says `status = "draft"`.
pub fn is_draft(text: &str) -> bool {
    split(text)
        .ok()
        .and_then(|(_, front, _, _)| front.parse::<DocumentMut>().ok())
        .is_some_and(|d| d.get("status").and_then(Item::as_str) == Some("draft"))
}

/// The form field a problem at `line` of a campaign file belongs to: a front-matter key's
/// field, `body` below the front matter, or `""` for the file as a whole.
pub fn field_of(text: &str, line: usize) -> &'static str {
    let lines: Vec<&str> = text.split('\n').collect();
    let close = lines
        .iter()
        .skip(1)
        .position(|l| l.trim_end() == FENCE)
        .map(|i| i + 2);
    if line <= 1 {
        return "";
    }
    if close.is_some_and(|c| line > c) {
        return "body";
    }
    for l in lines.iter().take(line).skip(1).rev() {
        let key: String = l
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let rest = l.trim_start()[key.len()..].trim_start();
        if key.is_empty() || !rest.starts_with('=') {
            continue;
        }
        return match key.as_str() {
            "title" => "title",
            "priority" => "priority",
            "lead" => "lead",
            "schedule" => "when",
            "season" => "season_from",
            "starts" => "starts",
            "ends" => "ends",
            "areas" => "areas",
            "channels" => "channels",
            "subject" => "subject",
            "summary" => "summary",
            "status" => "status",
            _ => "",
        };
    }
    ""
}

/// Each campaign and draft file's (slug, text, SHA-256), read now, for the history to notice
/// files changed by hand.
pub fn file_texts(cal: &Calendar) -> Vec<(String, String, String)> {
    cal.files
        .iter()
        .filter_map(|(slug, path)| {
            let text = std::fs::read_to_string(path).ok()?;
            let hash = hash(&text);
            Some((slug.clone(), text, hash))
        })
        .collect()
}

/// The loader's content hash of a file's text.
pub fn hash(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// A change checked against the whole calendar.
#[derive(Debug)]
pub struct Checked {
    /// The calendar as it would be with the change.
    pub calendar: Calendar,
    /// Where the file goes.
    pub path: PathBuf,
}

/// Problems with a proposed file, each with its form field (`""`: the file as a whole).
pub type FieldProblems = Vec<(&'static str, String)>;

/// Loads the calendar in `dir` with `text` as `path` (other files as they are on disk).
pub fn check(dir: &Path, path: &Path, text: &str) -> Result<Checked, FieldProblems> {
    super::load_with(dir, Some((path, text)))
        .map(|calendar| Checked {
            calendar,
            path: path.to_path_buf(),
        })
        .map_err(|d| problems(&d, path, text))
}

fn problems(d: &Diagnostics, path: &Path, text: &str) -> FieldProblems {
    d.0.iter()
        .map(|p| {
            if p.path == path {
                (field_of(text, p.line), p.message.clone())
            } else {
                // Another file is broken: nothing can be saved until it is mended.
                ("", p.to_string())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXISTING: &str = "+++\n# kept\ntitle = \"Old\"\npriority = \"burglary-vehicle\"\nlead = \"TVP\"\n\
        schedule = \"0 18 * * FRI\"\nseason = { from = \"10-25\", to = \"02-28\" }\nareas = [\"chesham\"]\n\
        channels = [\"email\"]\nsubject = \"S\"\nsummary = \"Sum\"\ngrace = \"2h\"\nkind = \"survey\"\n+++\nOld body.\n";

    fn form() -> CampaignForm {
        CampaignForm {
            title: "New \"quoted\" title".into(),
            priority: "vulnerability-safeguarding".into(),
            lead: "Thames Valley Police".into(),
            areas: vec!["chesham".into(), "amersham".into()],
            channels: vec!["email".into(), "feed".into()],
            subject: "Courier fraud".into(),
            summary: "Banks never collect cards".into(),
            body: "Hang up.\r\n\r\nCall 159.\r\n".into(),
        }
    }

    fn once() -> WhenFile {
        WhenFile {
            schedule: "0 9 4 12 *".into(),
            season: None,
            starts: Some("2026-12-04".into()),
            ends: Some("2026-12-04".into()),
        }
    }

    #[test]
    fn edits_keep_unknown_keys_and_comments() {
        let text = compose(Some(EXISTING), false, &form(), &once(), true);
        assert!(text.contains("# kept"), "{text}");
        assert!(text.contains("grace = \"2h\""), "{text}");
        assert!(text.contains("kind = \"survey\""), "{text}");
        assert!(text.contains("status = \"draft\""), "{text}");
        assert!(!text.contains("season"), "{text}");
        assert!(text.contains("starts = 2026-12-04"), "{text}");
        assert!(text.contains(r#"title = 'New "quoted" title'"#), "{text}");
        assert!(text.ends_with("+++\nHang up.\n\nCall 159.\n"), "{text}");
        let scheduled = compose(Some(&text), false, &form(), &once(), false);
        assert!(!scheduled.contains("status"), "{scheduled}");
        assert!(is_draft(&text) && !is_draft(&scheduled));
    }

    #[test]
    fn schedules_in_words_survive_the_file_and_back() {
        use crate::domain::{Area, AreaDirectory, District};
        let areas = AreaDirectory::new(["chesham", "amersham"].map(|s| Area {
            slug: s.into(),
            name: s.into(),
            district: District::Chiltern,
            postcodes: vec![],
            households: None,
            wards: vec![],
            places: vec![],
        }));
        let base = when::WhenForm {
            time: "09:30".into(),
            ..when::WhenForm::default()
        };
        let forms = [
            when::WhenForm {
                repeat: "once".into(),
                date: "2026-12-04".into(),
                ..base.clone()
            },
            when::WhenForm {
                repeat: "weekly".into(),
                weekdays: vec!["MON".into(), "FRI".into()],
                season_from_day: "25".into(),
                season_from_month: "10".into(),
                season_to_day: "28".into(),
                season_to_month: "2".into(),
                ..base.clone()
            },
            when::WhenForm {
                repeat: "monthly".into(),
                day_of_month: "1".into(),
                starts: "2026-01-01".into(),
                ends: "2027-06-30".into(),
                ..base.clone()
            },
            when::WhenForm {
                repeat: "custom".into(),
                cron: "0 18 1-7 11,12,1,2 FRI".into(),
                time: String::new(),
                ..base.clone()
            },
        ];
        for f in forms {
            let file = when::to_file(&f).unwrap();
            let text = compose(None, false, &form(), &file, false);
            let mut d = Diagnostics::default();
            let (c, _) =
                super::super::campaign_file::parse(Path::new("c/x.md"), &text, &areas, &mut d)
                    .unwrap_or_else(|| panic!("{d}\n{text}"));
            assert_eq!(when::from_campaign(&c), f, "{text}");
        }
    }

    #[test]
    fn lines_map_to_fields() {
        let text = compose(None, false, &form(), &once(), false);
        let line = |needle: &str| {
            text.split('\n')
                .position(|l| l.starts_with(needle))
                .unwrap()
                + 1
        };
        assert_eq!(field_of(&text, line("subject")), "subject");
        assert_eq!(field_of(&text, line("starts")), "starts");
        assert_eq!(field_of(&text, line("schedule")), "when");
        assert_eq!(field_of(&text, line("Hang up")), "body");
        assert_eq!(field_of(&text, 1), "");
    }
}
