//! `areas.toml`: the towns and parishes of Chiltern and South Bucks, the council wards each
//! lies in and where its places are.

use super::diagnostic::{Diagnostic, Diagnostics};
use crate::domain::geography::{Geography, GridRef, Place};
use crate::domain::{Area, AreaDirectory, District};
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
    wards: Spanned<Vec<Spanned<String>>>,
    places: Spanned<Vec<Spanned<RawPlace>>>,
    households: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlace {
    name: String,
    /// OS National Grid easting and northing, metres.
    grid: [u32; 2],
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub(super) fn parse(
    path: &Path,
    text: &str,
    geo: &Geography,
    diags: &mut Diagnostics,
) -> AreaDirectory {
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
        let mut wards = Vec::new();
        if a.wards.get_ref().is_empty() {
            diags.push(at(&a.wards.span(), format!("area `{slug}` lists no wards; add the council wards it lies in, like \"Chesham\"")));
        }
        for w in a.wards.get_ref() {
            match geo.ward_named(w.get_ref()) {
                None => diags.push(at(
                    &w.span(),
                    format!(
                        "`{}` is not a ward of the postcode table; choose from {}",
                        w.get_ref(),
                        geo.wards
                            .iter()
                            .map(|w| format!("\"{}\"", w.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
                Some(ward) if district.is_some_and(|d| d != ward.district) => diags.push(at(
                    &w.span(),
                    format!(
                        "ward `{}` was in {}, not in this area's district",
                        ward.name,
                        ward.district.name()
                    ),
                )),
                Some(ward) => wards.push(ward.code.clone()),
            }
        }
        if a.places.get_ref().is_empty() {
            diags.push(at(&a.places.span(), format!("area `{slug}` lists no places; add {{ name = \"{}\", grid = [easting, northing] }}", a.name.get_ref())));
        }
        let mut places = Vec::new();
        for p in a.places.get_ref() {
            let raw = p.get_ref();
            match GridRef::new(raw.grid[0], raw.grid[1]) {
                Some(at) if !raw.name.trim().is_empty() => places.push(Place {
                    name: raw.name.trim().to_string(),
                    at,
                }),
                Some(_) => diags.push(at(&p.span(), "a place needs a name".into())),
                None => diags.push(at(
                    &p.span(),
                    format!("`{}`: grid must be an OS National Grid easting and northing in metres, like [496100, 201600]", raw.name),
                )),
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
                postcodes: Vec::new(),
                households,
                wards,
                places,
            });
        }
    }
    if areas.is_empty() && diags.len() == before {
        diags.push(Diagnostic::file(
            path,
            "defines no areas; add at least one [[area]]",
        ));
    }
    if diags.len() == before {
        // Every postcode of the table must reach someone: a ward no area lists would turn
        // its residents away.
        for ward in &geo.wards {
            if !areas.iter().any(|a| a.wards.contains(&ward.code)) {
                diags.push(Diagnostic::file(
                    path,
                    format!(
                        "no area lists the ward `{}`; its residents could not sign up",
                        ward.name
                    ),
                ));
            }
        }
    }
    AreaDirectory::with_geography(areas, geo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::Ward;

    fn geo() -> Geography {
        let ward = |code: &str, name: &str, district| Ward {
            code: code.into(),
            name: name.into(),
            district,
        };
        Geography {
            wards: vec![
                ward("E1", "Chesham", District::Chiltern),
                ward("E2", "Iver", District::SouthBucks),
            ],
            ..Default::default()
        }
    }

    fn check(text: &str) -> (usize, Vec<String>) {
        let mut d = Diagnostics::default();
        let dir = parse(Path::new("areas.toml"), text, &geo(), &mut d);
        (dir.len(), d.0.iter().map(|d| d.to_string()).collect())
    }

    const IVER: &str = "[[area]]\nslug = \"iver\"\nname = \"Iver\"\ndistrict = \"south-bucks\"\nwards = [\"Iver\"]\nplaces = [{ name = \"Iver\", grid = [504000, 181000] }]\n";

    #[test]
    fn a_good_area_loads() {
        let (n, errs) = check(&format!(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"chiltern\"\nwards = [\"chesham\"]\nplaces = [{{ name = \"Chesham\", grid = [496100, 201600] }}]\nhouseholds = 9000\n{IVER}"
        ));
        assert_eq!((n, errs), (2, vec![]));
    }

    #[test]
    fn every_problem_is_located() {
        let (_, errs) = check(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"chiltern\"\nwards = [\"Chesham\"]\nplaces = []\ncolour = 1\n",
        );
        assert_eq!(errs.len(), 1, "{errs:?}"); // unknown keys stop the parse
        assert!(
            errs[0].starts_with("areas.toml:7:1: unknown field `colour`"),
            "{errs:?}"
        );
        let (_, errs) = check(&format!(
            "[[area]]\nslug = \"chesham\"\nname = \"Chesham\"\ndistrict = \"bucks\"\nwards = [\"Chesam\"]\nplaces = [{{ name = \"Chesham\", grid = [9999999, 1] }}]\n\
             [[area]]\nslug = \"chesham\"\nname = \"X\"\ndistrict = \"chiltern\"\nwards = [\"Iver\"]\nplaces = []\n{IVER}"
        ));
        assert!(
            errs[0].starts_with("areas.toml:4:12: unknown district `bucks`"),
            "{errs:?}"
        );
        assert!(
            errs[1].starts_with("areas.toml:5:10: `Chesam` is not a ward of the postcode table; choose from \"Chesham\", \"Iver\""),
            "{errs:?}"
        );
        assert!(
            errs[2].starts_with("areas.toml:6:11: `Chesham`: grid must be"),
            "{errs:?}"
        );
        assert!(
            errs[3].starts_with("areas.toml:8:8: duplicate area slug `chesham`"),
            "{errs:?}"
        );
        assert!(
            errs[4].starts_with("areas.toml:11:10: ward `Iver` was in South Bucks"),
            "{errs:?}"
        );
        assert!(
            errs[5].starts_with("areas.toml:12:10: area `chesham` lists no places"),
            "{errs:?}"
        );
    }

    #[test]
    fn a_ward_no_area_lists_is_refused() {
        let (_, errs) = check(IVER);
        assert_eq!(
            errs,
            ["areas.toml:1:1: no area lists the ward `Chesham`; its residents could not sign up"]
        );
    }
}
