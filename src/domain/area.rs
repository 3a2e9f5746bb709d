//! Towns and parishes, the districts they sit in, and which of them a postcode belongs to.

use super::postcode::{Postcode, PostcodePrefix};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum District {
    Chiltern,
    SouthBucks,
}

impl District {
    pub const ALL: [District; 2] = [District::Chiltern, District::SouthBucks];

    pub fn slug(self) -> &'static str {
        match self {
            District::Chiltern => "chiltern",
            District::SouthBucks => "south-bucks",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            District::Chiltern => "Chiltern",
            District::SouthBucks => "South Bucks",
        }
    }
}

impl FromStr for District {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|d| d.slug() == s)
            .ok_or_else(|| format!("unknown district `{s}`; expected `chiltern` or `south-bucks`"))
    }
}

impl fmt::Display for District {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Area {
    pub slug: String,
    pub name: String,
    pub district: District,
    pub postcodes: Vec<PostcodePrefix>,
    pub households: Option<u32>,
}

/// What a campaign's `areas` list names: everyone, a district, or one area.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub enum AreaTarget {
    All,
    District(District),
    Area(String),
}

impl AreaTarget {
    pub fn slug(&self) -> &str {
        match self {
            AreaTarget::All => "all",
            AreaTarget::District(d) => d.slug(),
            AreaTarget::Area(s) => s,
        }
    }
}

/// The answer to "which area is this postcode in?".
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution<'a> {
    One(&'a Area),
    /// The postcode's sector is shared: the resident chooses.
    Several(Vec<&'a Area>),
    /// Outside Chiltern and South Bucks.
    NotCovered,
}

/// Every area, by slug. Built once from `areas.toml`.
#[derive(Debug, Clone, Default)]
pub struct AreaDirectory {
    areas: BTreeMap<String, Area>,
}

impl AreaDirectory {
    pub fn new(areas: impl IntoIterator<Item = Area>) -> Self {
        AreaDirectory {
            areas: areas.into_iter().map(|a| (a.slug.clone(), a)).collect(),
        }
    }

    pub fn get(&self, slug: &str) -> Option<&Area> {
        self.areas.get(slug)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Reads `all`, a district slug or an area slug.
    pub fn target(&self, slug: &str) -> Option<AreaTarget> {
        if slug == "all" {
            Some(AreaTarget::All)
        } else if let Ok(d) = slug.parse::<District>() {
            Some(AreaTarget::District(d))
        } else {
            self.get(slug).map(|a| AreaTarget::Area(a.slug.clone()))
        }
    }

    /// The areas a set of targets covers, each once, in slug order.
    pub fn expand<'a>(&'a self, targets: &[AreaTarget]) -> Vec<&'a Area> {
        self.iter()
            .filter(|a| {
                targets.iter().any(|t| match t {
                    AreaTarget::All => true,
                    AreaTarget::District(d) => a.district == *d,
                    AreaTarget::Area(s) => &a.slug == s,
                })
            })
            .collect()
    }

    /// The area(s) whose most specific matching prefix is the longest of all matches.
    pub fn resolve(&self, postcode: &Postcode) -> Resolution<'_> {
        let mut best = 0;
        let mut found: Vec<&Area> = Vec::new();
        for area in self.iter() {
            let Some(len) = area
                .postcodes
                .iter()
                .filter(|p| p.matches(postcode))
                .map(PostcodePrefix::specificity)
                .max()
            else {
                continue;
            };
            if len > best {
                best = len;
                found.clear();
            }
            if len == best {
                found.push(area);
            }
        }
        match found.len() {
            0 => Resolution::NotCovered,
            1 => Resolution::One(found[0]),
            _ => Resolution::Several(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(slug: &str, district: District, prefixes: &[&str]) -> Area {
        Area {
            slug: slug.into(),
            name: slug.into(),
            district,
            postcodes: prefixes
                .iter()
                .map(|p| PostcodePrefix::parse(p).unwrap())
                .collect(),
            households: None,
        }
    }

    fn dir() -> AreaDirectory {
        AreaDirectory::new([
            area("amersham", District::Chiltern, &["HP6", "HP7"]),
            area("little-chalfont", District::Chiltern, &["HP6 6", "HP7 9"]),
            area("great-missenden", District::Chiltern, &["HP16 0", "HP16 9"]),
            area("prestwood", District::Chiltern, &["HP16 0"]),
            area("burnham", District::SouthBucks, &["SL1 7", "SL1 8"]),
        ])
    }

    fn pc(s: &str) -> Postcode {
        Postcode::parse(s).unwrap()
    }

    #[test]
    fn the_longest_prefix_wins() {
        let d = dir();
        assert_eq!(
            d.resolve(&pc("HP6 5AW")),
            Resolution::One(d.get("amersham").unwrap())
        );
        assert_eq!(
            d.resolve(&pc("hp66ab")),
            Resolution::One(d.get("little-chalfont").unwrap())
        );
    }

    #[test]
    fn a_shared_sector_offers_every_candidate() {
        let d = dir();
        match d.resolve(&pc("HP16 0AB")) {
            Resolution::Several(v) => {
                let slugs: Vec<_> = v.iter().map(|a| a.slug.as_str()).collect();
                assert_eq!(slugs, ["great-missenden", "prestwood"]);
            }
            other => panic!("expected candidates, got {other:?}"),
        }
    }

    #[test]
    fn a_postcode_outside_both_districts_is_not_covered() {
        assert_eq!(dir().resolve(&pc("SW1A 1AA")), Resolution::NotCovered);
        // Same letters, different district: HP16 must not match HP1.
        assert_eq!(dir().resolve(&pc("HP1 1AA")), Resolution::NotCovered);
    }

    #[test]
    fn targets_expand_to_areas() {
        let d = dir();
        let slugs = |t: &[AreaTarget]| {
            d.expand(t)
                .iter()
                .map(|a| a.slug.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(slugs(&[AreaTarget::All]).len(), 5);
        assert_eq!(
            slugs(&[AreaTarget::District(District::SouthBucks)]),
            ["burnham"]
        );
        assert_eq!(
            slugs(&[
                AreaTarget::Area("prestwood".into()),
                AreaTarget::District(District::SouthBucks)
            ]),
            ["burnham", "prestwood"]
        );
        assert_eq!(
            d.target("chiltern"),
            Some(AreaTarget::District(District::Chiltern))
        );
        assert_eq!(d.target("nowhere"), None);
    }
}
