//! Reading the communications calendar (`campaigns/`) into domain types.
//!
//! Everything is checked before anything is used: a broken calendar never half-loads, and
//! every problem in every file is reported at once as `path:line:col: message`.

mod areas;
mod campaign_file;
mod diagnostic;
pub mod editing;
pub mod forecast;
mod outcomes;
pub mod postcodes;
mod survey_kind;
pub mod upcoming;

pub use diagnostic::{Diagnostic, Diagnostics};

use crate::domain::outcome::Outcomes;
use crate::domain::{AreaDirectory, Campaign};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const AREAS_FILE: &str = "areas.toml";
pub const OUTCOMES_FILE: &str = "outcomes.toml";

/// The calendar the running service uses; replaced whole on reload.
#[derive(Debug, Clone)]
pub struct SharedCalendar(std::sync::Arc<std::sync::RwLock<std::sync::Arc<Calendar>>>);

impl SharedCalendar {
    pub fn new(cal: Calendar) -> Self {
        SharedCalendar(std::sync::Arc::new(std::sync::RwLock::new(
            std::sync::Arc::new(cal),
        )))
    }
    pub fn get(&self) -> std::sync::Arc<Calendar> {
        match self.0.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
    pub fn replace(&self, cal: Calendar) {
        match self.0.write() {
            Ok(mut c) => *c = std::sync::Arc::new(cal),
            Err(p) => *p.into_inner() = std::sync::Arc::new(cal),
        }
    }
}

/// The whole calendar, valid by construction.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub dir: PathBuf,
    pub areas: AreaDirectory,
    pub campaigns: Vec<Campaign>,
    /// Campaigns saved as drafts (`status = "draft"`): valid, never sent, in no feed or calendar.
    pub drafts: Vec<Campaign>,
    /// Each campaign's and draft's file, by slug.
    pub files: BTreeMap<String, PathBuf>,
    /// Outcome targets for reach reports; none when `outcomes.toml` is absent.
    pub outcomes: Outcomes,
}

impl Calendar {
    pub fn campaign(&self, slug: &str) -> Option<&Campaign> {
        self.campaigns.iter().find(|c| c.slug == slug)
    }

    /// A scheduled campaign or a draft, and whether it is a draft.
    pub fn campaign_or_draft(&self, slug: &str) -> Option<(&Campaign, bool)> {
        self.campaign(slug).map(|c| (c, false)).or_else(|| {
            self.drafts
                .iter()
                .find(|c| c.slug == slug)
                .map(|c| (c, true))
        })
    }
}

/// Loads and validates `dir/areas.toml` and every `dir/*.md` campaign file.
pub fn load(dir: &Path) -> Result<Calendar, Diagnostics> {
    load_with(dir, None)
}

/// [`load`] as it would be with `overlay`'s text in place of (or beside) the files: how the
/// console checks a change by the same rules before writing anything.
pub fn load_with(dir: &Path, overlay: Option<(&Path, &str)>) -> Result<Calendar, Diagnostics> {
    let mut diags = Diagnostics::default();
    let geo = postcodes::load().unwrap_or_else(|e| {
        diags.push(Diagnostic::file(Path::new(postcodes::TABLE_PATH), e));
        Default::default()
    });
    let areas_path = dir.join(AREAS_FILE);
    let areas = match std::fs::read_to_string(&areas_path) {
        Ok(text) => areas::parse(&areas_path, &text, &geo, &mut diags),
        Err(e) => {
            diags.push(Diagnostic::file(
                &areas_path,
                format!("cannot read the areas file: {e}"),
            ));
            AreaDirectory::default()
        }
    };

    let outcomes_path = dir.join(OUTCOMES_FILE);
    let outcomes = match std::fs::read_to_string(&outcomes_path) {
        Ok(text) => outcomes::parse(&outcomes_path, &text, &mut diags),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcomes::default(),
        Err(e) => {
            diags.push(Diagnostic::file(
                &outcomes_path,
                format!("cannot read the outcomes file: {e}"),
            ));
            Outcomes::default()
        }
    };

    let mut files = match campaign_files(dir) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::file(
                dir,
                format!("cannot read the calendar directory: {e}"),
            ));
            Vec::new()
        }
    };
    if let Some((p, _)) = overlay
        && !files.iter().any(|f| f == p)
    {
        files.push(p.to_path_buf());
    }
    files.sort();

    let mut campaigns: Vec<Campaign> = Vec::new();
    let mut drafts: Vec<Campaign> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in files {
        let read = match overlay {
            Some((p, text)) if p == path => Ok(text.as_bytes().to_vec()),
            _ => std::fs::read(&path),
        };
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                diags.push(Diagnostic::file(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes) else {
            diags.push(Diagnostic::file(
                &path,
                "is not UTF-8 text; save it as UTF-8",
            ));
            continue;
        };
        if let Some((c, draft)) = campaign_file::parse(&path, &text, &areas, &mut diags) {
            if let Some(first) = seen.get(&c.slug) {
                diags.push(Diagnostic::file(
                    &path,
                    format!(
                        "duplicate campaign slug `{}` (also used by {})",
                        c.slug,
                        first.display()
                    ),
                ));
                continue;
            }
            seen.insert(c.slug.clone(), path.clone());
            if draft {
                drafts.push(c);
            } else {
                campaigns.push(c);
            }
        }
    }

    if diags.is_empty() {
        Ok(Calendar {
            dir: dir.to_path_buf(),
            areas,
            campaigns,
            drafts,
            files: seen,
            outcomes,
        })
    } else {
        Err(diags)
    }
}

fn campaign_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_campaign = path.extension().is_some_and(|e| e == "md")
            && !name.starts_with(['_', '.'])
            && !name.eq_ignore_ascii_case("README.md");
        if is_campaign && path.is_file() {
            out.push(path);
        }
    }
    Ok(out)
}
