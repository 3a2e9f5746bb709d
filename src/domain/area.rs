//! Towns and parishes, the districts they sit in, and which of them a postcode belongs to.

use super::district::District;
use super::geography::{Candidate, Geography, Place, nearest};
use super::postcode::{Postcode, PostcodePrefix};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An area residents subscribe to: a town, village or group of them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Area {
    /// The name used in files and URLs.
    pub slug: String,
    /// The name shown to people.
    pub name: String,
    /// The district it lies in.
    pub district: District,
    /// The postcode sectors its postcodes lie in (from the postcode table).
    pub postcodes: Vec<PostcodePrefix>,
    /// How many households it has, when known (for penetration).
    pub households: Option<u32>,
    /// Codes of the council wards it lies in (wholly or partly).
    pub wards: Vec<String>,
    /// Its town, village or neighbourhood centres.
    pub places: Vec<Place>,
}

/// What a campaign's `areas` list names: everyone, a district, or one area.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(untagged)]
pub enum AreaTarget {
    /// Every area.
    All,
    /// Every area of one district.
    District(District),
    /// One area, by slug.
    Area(String),
}

impl AreaTarget {
    /// The name as written in a campaign's `areas` list.
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
    /// The postcode belongs to this area.
    One(&'a Area),
    /// The postcode lies between places, or is unknown and its sector is shared (with
    /// another area or with places outside): the resident chooses (nearest first).
    Several(Vec<&'a Area>),
    /// Outside Chiltern and South Bucks.
    NotCovered,
}

/// Every area, by slug, and which of them each postcode belongs to. Built once from
/// `areas.toml` and the postcode table.
#[derive(Debug, Clone, Default)]
pub struct AreaDirectory {
    areas: BTreeMap<String, Area>,
    by_postcode: HashMap<Postcode, Vec<String>>,
    /// Every area any postcode of the sector belongs to, most postcodes first.
    by_sector: HashMap<String, Vec<String>>,
    /// Sectors partly outside every area.
    partly_outside: BTreeSet<String>,
}

impl AreaDirectory {
    /// Areas without postcodes: every postcode is "not covered".
    pub fn new(areas: impl IntoIterator<Item = Area>) -> Self {
        AreaDirectory {
            areas: areas.into_iter().map(|a| (a.slug.clone(), a)).collect(),
            ..Default::default()
        }
    }

    /// Areas and the postcodes of their wards, each put in its area(s) by [`nearest`]. An
    /// area's `postcodes` become the sectors its postcodes lie in.
    pub fn with_geography(areas: impl IntoIterator<Item = Area>, geo: &Geography) -> Self {
        let mut dir = Self::new(areas);
        dir.partly_outside = geo.partly_outside.clone();
        let mut sector_counts: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        for rec in &geo.postcodes {
            let candidates: Vec<Candidate> = dir
                .areas
                .values()
                .filter(|a| a.wards.contains(&rec.ward))
                .map(|a| Candidate {
                    key: &a.slug,
                    places: &a.places,
                })
                .collect();
            let found: Vec<String> = nearest(rec.at, &candidates)
                .into_iter()
                .map(str::to_string)
                .collect();
            if found.is_empty() {
                continue;
            }
            let counts = sector_counts
                .entry(rec.postcode.sector().to_string())
                .or_default();
            for slug in &found {
                *counts.entry(slug.clone()).or_default() += 1;
            }
            dir.by_postcode.insert(rec.postcode.clone(), found);
        }
        for (sector, counts) in sector_counts {
            let Ok(prefix) = PostcodePrefix::parse(&sector) else {
                continue;
            };
            for slug in counts.keys() {
                if let Some(a) = dir.areas.get_mut(slug) {
                    a.postcodes.push(prefix.clone());
                }
            }
            let mut slugs: Vec<(usize, String)> = counts.into_iter().map(|(s, n)| (n, s)).collect();
            slugs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            dir.by_sector
                .insert(sector, slugs.into_iter().map(|(_, s)| s).collect());
        }
        for a in dir.areas.values_mut() {
            a.postcodes.sort();
        }
        dir
    }

    /// How many postcodes the table puts in at least one area.
    pub fn postcodes_known(&self) -> usize {
        self.by_postcode.len()
    }

    /// The area with this slug.
    pub fn get(&self, slug: &str) -> Option<&Area> {
        self.areas.get(slug)
    }

    /// Every area, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    /// How many areas there are.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether there are no areas.
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

    /// The postcode's own area(s) from the table; a postcode the table does not hold (new
    /// since the data was made) falls back to every area of its sector, and the resident is
    /// asked when the sector also reaches outside the areas.
    pub fn resolve(&self, postcode: &Postcode) -> Resolution<'_> {
        let known = self.by_postcode.get(postcode);
        let sector = postcode.sector();
        let found: Vec<&Area> = known
            .or_else(|| self.by_sector.get(sector))
            .into_iter()
            .flatten()
            .filter_map(|s| self.get(s))
            .collect();
        match found.as_slice() {
            [] => Resolution::NotCovered,
            [one] if known.is_some() || !self.partly_outside.contains(sector) => {
                Resolution::One(one)
            }
            _ => Resolution::Several(found),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geography::{GridRef, PostcodeRecord};

    fn area(slug: &str, district: District, wards: &[&str], places: &[(u32, u32)]) -> Area {
        Area {
            slug: slug.into(),
            name: slug.into(),
            district,
            postcodes: Vec::new(),
            households: None,
            wards: wards.iter().map(|w| w.to_string()).collect(),
            places: places
                .iter()
                .map(|&(e, n)| Place {
                    name: slug.into(),
                    at: GridRef::new(e, n).unwrap(),
                })
                .collect(),
        }
    }

    fn pc(s: &str) -> Postcode {
        Postcode::parse(s).unwrap()
    }

    fn record(postcode: &str, ward: &str, at: Option<(u32, u32)>) -> PostcodeRecord {
        PostcodeRecord {
            postcode: pc(postcode),
            ward: ward.into(),
            at: at.and_then(|(e, n)| GridRef::new(e, n)),
            lat_lon: None,
        }
    }

    /// A town and a hamlet share ward W1; a village has W2 to itself.
    fn dir() -> AreaDirectory {
        let geo = Geography {
            wards: vec![],
            postcodes: vec![
                record("HP5 1AA", "W1", Some((1100, 1000))),
                record("HP5 1AB", "W1", Some((4900, 1000))),
                record("HP5 1AD", "W1", Some((3000, 1000))),
                record("HP5 1AE", "W1", None),
                record("HP5 2AA", "W2", Some((9000, 9000))),
                record("HP5 2AB", "W2", Some((9100, 9000))),
                record("SL1 1AA", "W9", Some((0, 0))),
            ],
            partly_outside: ["HP5 2".to_string()].into(),
        };
        AreaDirectory::with_geography(
            [
                area("town", District::Chiltern, &["W1"], &[(1000, 1000)]),
                area("hamlet", District::Chiltern, &["W1"], &[(5000, 1000)]),
                area("village", District::SouthBucks, &["W2"], &[(9000, 9000)]),
            ],
            &geo,
        )
    }

    fn slugs(r: Resolution) -> Vec<String> {
        match r {
            Resolution::One(a) => vec![a.slug.clone()],
            Resolution::Several(v) => v.iter().map(|a| a.slug.clone()).collect(),
            Resolution::NotCovered => vec![],
        }
    }

    #[test]
    fn a_known_postcode_goes_to_its_nearest_place_in_its_ward() {
        let d = dir();
        assert_eq!(
            d.resolve(&pc("hp51aa")),
            Resolution::One(d.get("town").unwrap())
        );
        assert_eq!(slugs(d.resolve(&pc("HP5 1AB"))), ["hamlet"]);
        assert_eq!(slugs(d.resolve(&pc("HP5 2AB"))), ["village"]);
    }

    #[test]
    fn between_two_places_or_without_a_position_the_resident_chooses() {
        let d = dir();
        assert_eq!(slugs(d.resolve(&pc("HP5 1AD"))), ["hamlet", "town"]);
        assert_eq!(slugs(d.resolve(&pc("HP5 1AE"))), ["hamlet", "town"]);
    }

    #[test]
    fn an_unknown_postcode_falls_back_to_its_sector_and_is_several_when_it_is_shared() {
        let d = dir();
        // HP5 1 holds town and hamlet postcodes (and two undecided): most postcodes first.
        assert_eq!(slugs(d.resolve(&pc("HP5 1ZZ"))), ["hamlet", "town"]);
        // HP5 2 also reaches outside: a new postcode there is asked about, not assumed.
        assert!(matches!(d.resolve(&pc("HP5 2ZZ")), Resolution::Several(v) if v.len() == 1));
        assert_eq!(slugs(d.resolve(&pc("HP5 2AB"))), ["village"]);
    }

    #[test]
    fn a_postcode_outside_every_area_is_not_covered() {
        let d = dir();
        assert_eq!(d.resolve(&pc("SW1A 1AA")), Resolution::NotCovered);
        // A ward no area lists is outside too; HP16 must not match HP1.
        assert_eq!(d.resolve(&pc("SL1 1AA")), Resolution::NotCovered);
        assert_eq!(d.resolve(&pc("HP51 1AA")), Resolution::NotCovered);
        assert_eq!(d.postcodes_known(), 6);
    }

    #[test]
    fn areas_learn_their_sectors_from_the_table() {
        let d = dir();
        let sectors = |s: &str| -> Vec<String> {
            d.get(s)
                .unwrap()
                .postcodes
                .iter()
                .map(|p| p.to_string())
                .collect()
        };
        assert_eq!(sectors("town"), ["HP5 1"]);
        assert_eq!(sectors("village"), ["HP5 2"]);
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
        assert_eq!(slugs(&[AreaTarget::All]).len(), 3);
        assert_eq!(
            slugs(&[AreaTarget::District(District::SouthBucks)]),
            ["village"]
        );
        assert_eq!(
            slugs(&[
                AreaTarget::Area("town".into()),
                AreaTarget::District(District::SouthBucks)
            ]),
            ["town", "village"]
        );
        assert_eq!(
            d.target("chiltern"),
            Some(AreaTarget::District(District::Chiltern))
        );
        assert_eq!(d.target("nowhere"), None);
    }
}
