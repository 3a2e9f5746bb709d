//! `areas.toml`: the towns and parishes of Chiltern and South Bucks.

use super::diagnostic::{Diagnostic, Diagnostics};
use crate::domain::{Area, AreaDirectory, District, PostcodePrefix};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    area: Vec<RawArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    slug: Spanned<String>,
    name: Spanned<String>,
    district: Spanned<String>,
    postcodes: Spanned<Vec<Spanned<String>>>,
    households: Option<Spanned<i64>>,
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(super) fn parse(path: &Path, text: &str, diags: &mut Diagnostics) -> AreaDirectory {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            diags.push(Diagnostic::at(path, text, offset, e.message().trim()));
            return AreaDirectory::default();
        }
    };
    let before = diags.len();
    let mut slugs = BTreeSet::new();
    let mut areas = Vec::new();
    for a in raw.area {
        let at = |s: &std::ops::Range<usize>, m: String| Diagnostic::span(path, text, s.clone(), m);
        let slug = a.slug.get_ref().clone();
        if !is_slug(&slug) {
            diags.push(at(
                &a.slug.span(),
                format!("area slug `{slug}` must be lower-case letters, digits and hyphens"),
            ));
        } else if slug == "all" || slug.parse::<District>().is_ok() {
            diags.push(at(
                &a.slug.span(),
                format!("area slug `{slug}` is reserved for a district or `all`"),
            ));
        } else if !slugs.insert(slug.clone()) {
            diags.push(at(&a.slug.span(), format!("duplicate area slug `{slug}`")));
        }
        if a.name.get_ref().trim().is_empty() {
            diags.push(at(&a.name.span(), "area name is empty".into()));
        }
        let district = match a.district.get_ref().parse::<District>() {
            Ok(d) => Some(d),
            Err(m) => {
                diags.push(at(&a.district.span(), m));
                None
            }
        };
        if a.postcodes.get_ref().is_empty() {
            diags.push(at(&a.postcodes.span(), format!("area `{slug}` lists no postcodes; add districts like \"HP5\" or sectors like \"HP5 1\"")));
        }
        let mut prefixes = Vec::new();
        for p in a.postcodes.get_ref() {
            match PostcodePrefix::parse(p.get_ref()) {
                Ok(prefix) => prefixes.push(prefix),
                Err(m) => diags.push(at(&p.span(), m)),
            }
        }
        let households = match &a.households {
            Some(h) if *h.get_ref() <= 0 || *h.get_ref() > 10_000_000 => {
                diags.push(at(
                    &h.span(),
                    format!("households must be a positive number, not {}", h.get_ref()),
                ));
                None
            }
            Some(h) => u32::try_from(*h.get_ref()).ok(),
            None => None,
        };
        if let Some(district) = district {
            areas.push(Area {
                slug,
                name: a.name.into_inner().trim().to_string(),
                district,
                postcodes: prefixes,
                households,
            });
        }
    }
    if areas.is_empty() && diags.len() == before {
        diags.push(Diagnostic::file(
            path,
            "defines no areas; add at least one [[area]]",
        ));
    }
    AreaDirectory::new(areas)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> (usize, Vec<String>) {
        let mut d = Diagnostics::default();
        let dir = parse(Path::new("areas.toml"), text, &mut d);
        (dir.len(), d.0.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn a_good_area_loads() {
        let (n, errs) = check(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"chiltern\"\npostcodes = [\"HP5\"]\nhouseholds = 9000\n",
        );
        assert_eq!((n, errs), (1, vec![]));
    }

    #[test]
    fn every_problem_is_located() {
        let (_, errs) = check(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"bucks\"\npostcodes = [\"HP5\", \"5HP\"]\n\
             [[area]]\nslug = \"chesham\"\nname = \"X\"\ndistrict = \"chiltern\"\npostcodes = [\"HP5\"]\ncolour = 1\n",
        );
        assert_eq!(errs.len(), 1, "{errs:?}"); // unknown keys stop the parse
        assert!(
            errs[0].starts_with("areas.toml:11:1: unknown field `colour`"),
            "{errs:?}"
        );
        let (_, errs) = check(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"bucks\"\npostcodes = [\"HP5\", \"5HP\"]\n\
             [[area]]\nslug = \"chesham\"\nname = \"X\"\ndistrict = \"chiltern\"\npostcodes = [\"HP5\"]\n",
        );
        assert!(
            errs[0].starts_with("areas.toml:4:12: unknown district `bucks`"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("areas.toml:5:21: `5HP` is not a postcode"),
            "{errs:?}"
        );
        assert!(
            errs[2].starts_with("areas.toml:7:8: duplicate area slug `chesham`"),
            "{errs:?}"
        );
    }
}
