//! Real postcode geography: every live postcode of the two former districts with its council
//! ward and position, and the rule that puts a postcode in a town or village.
//!
//! A ward often holds a town and several villages, so the ward alone cannot name the place.
//! Each area names the wards it lies in and the positions of its places; a postcode goes to the
//! area with the nearest place among those listing its ward. When another area's place is
//! nearly as near, the resident is asked rather than silently put in either.

use super::district::District;
use super::postcode::Postcode;
use std::collections::BTreeSet;

/// A position on the Ordnance Survey National Grid, in metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct GridRef {
    /// Metres east of the grid's origin.
    pub easting: u32,
    /// Metres north of the grid's origin.
    pub northing: u32,
}

impl GridRef {
    /// Great Britain lies within 0–700 km east and 0–1,300 km north of the grid's origin.
    pub fn new(easting: u32, northing: u32) -> Option<GridRef> {
        (easting <= 700_000 && northing <= 1_300_000).then_some(GridRef { easting, northing })
    }

    /// The straight-line distance, in metres.
    pub fn distance(self, other: GridRef) -> f64 {
        let de = f64::from(self.easting) - f64::from(other.easting);
        let dn = f64::from(self.northing) - f64::from(other.northing);
        de.hypot(dn)
    }
}

/// A named town, village or neighbourhood and where it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Place {
    /// The name residents use.
    pub name: String,
    /// Where its centre is.
    pub at: GridRef,
}

/// A council ward and the district it was part of before April 2020.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ward {
    /// The ONS ward code.
    pub code: String,
    /// The ward's name.
    pub name: String,
    /// The district it was in.
    pub district: District,
}

/// One live postcode from OS Code-Point Open.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeRecord {
    /// The postcode.
    pub postcode: Postcode,
    /// The code of the ward it lies in.
    pub ward: String,
    /// None when Code-Point Open has no position for it.
    pub at: Option<GridRef>,
    /// WGS84 latitude and longitude, for data that comes with them (police.uk crimes).
    pub lat_lon: Option<(f64, f64)>,
}

/// The wards and their postcodes.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    /// The wards of the districts.
    pub wards: Vec<Ward>,
    /// Their live postcodes.
    pub postcodes: Vec<PostcodeRecord>,
    /// Sectors (`HP10 8`) with live postcodes outside the wards too: a postcode of theirs that
    /// the table does not hold may be outside.
    pub partly_outside: BTreeSet<String>,
}

impl Geography {
    /// The ward with this ONS code.
    pub fn ward(&self, code: &str) -> Option<&Ward> {
        self.wards.iter().find(|w| w.code == code)
    }

    /// The ward with this name, ignoring case.
    pub fn ward_named(&self, name: &str) -> Option<&Ward> {
        self.wards
            .iter()
            .find(|w| w.name.eq_ignore_ascii_case(name))
    }
}

/// Another area is asked about when its nearest place is within this many metres of the
/// nearest place found (the two are then next door to each other)…
pub const ASK_WITHIN_METRES: f64 = 300.0;
/// …or, further out, within this share of the distance (far from every known place, a
/// kilometre either way says little).
pub const ASK_WITHIN_SHARE: f64 = 0.25;

/// A candidate area: its key and its places.
pub struct Candidate<'a> {
    /// The area's key (its slug).
    pub key: &'a str,
    /// The area's places.
    pub places: &'a [Place],
}

/// The keys of the areas a postcode at `at` belongs to, nearest first: one when the data
/// decides, several when the resident should choose. Every candidate when there is no position.
pub fn nearest<'a>(at: Option<GridRef>, candidates: &[Candidate<'a>]) -> Vec<&'a str> {
    let Some(at) = at else {
        return candidates.iter().map(|c| c.key).collect();
    };
    let mut by_distance: Vec<(f64, &str)> = candidates
        .iter()
        .filter_map(|c| {
            c.places
                .iter()
                .map(|p| p.at.distance(at))
                .min_by(f64::total_cmp)
                .map(|d| (d, c.key))
        })
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
    let Some(&(best, _)) = by_distance.first() else {
        return Vec::new();
    };
    let limit = best + ASK_WITHIN_METRES.max(best * ASK_WITHIN_SHARE);
    by_distance
        .into_iter()
        .take_while(|(d, _)| *d <= limit)
        .map(|(_, k)| k)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(name: &str, e: u32, n: u32) -> Place {
        Place {
            name: name.into(),
            at: GridRef::new(e, n).unwrap(),
        }
    }

    #[test]
    fn the_nearest_place_decides_when_no_other_is_close() {
        let town = [place("Town", 1000, 1000), place("Town east", 2000, 1000)];
        let hamlet = [place("Hamlet", 4000, 1000)];
        let c = [
            Candidate {
                key: "hamlet",
                places: &hamlet,
            },
            Candidate {
                key: "town",
                places: &town,
            },
        ];
        // The town's east end is nearer its own second place than the hamlet.
        assert_eq!(nearest(GridRef::new(2600, 1000), &c), ["town"]);
        assert_eq!(nearest(GridRef::new(3900, 1000), &c), ["hamlet"]);
        // Half-way: the resident chooses, nearest first.
        assert_eq!(nearest(GridRef::new(2900, 1000), &c), ["town", "hamlet"]);
        // No position: every candidate.
        assert_eq!(nearest(None, &c), ["hamlet", "town"]);
    }

    #[test]
    fn far_from_every_place_the_margin_grows() {
        let a = [place("A", 0, 0)];
        let b = [place("B", 0, 10_000)];
        let c = [
            Candidate {
                key: "a",
                places: &a,
            },
            Candidate {
                key: "b",
                places: &b,
            },
        ];
        // 4.5 km and 5.6 km away: a quarter of 4.5 km covers the difference.
        assert_eq!(nearest(GridRef::new(3000, 4000), &c).len(), 1);
        assert_eq!(nearest(GridRef::new(4000, 4500), &c), ["a", "b"]);
    }

    #[test]
    fn positions_outside_great_britain_are_refused() {
        assert!(GridRef::new(700_001, 0).is_none());
        assert!(GridRef::new(496_000, 201_600).is_some());
    }
}
