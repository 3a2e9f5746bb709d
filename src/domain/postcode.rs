//! UK postcodes, and the outward-code or sector prefixes that describe an area's postcodes.

use std::fmt;

/// Why a typed postcode was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// Nothing was typed.
    #[error("Enter a postcode")]
    Empty,
    /// Not a UK postcode.
    #[error("Enter a full UK postcode, like HP6 5AW")]
    Invalid,
}

/// A full UK postcode in its canonical form: upper case, one space before the inward code
/// (`HP5 1AA`). Accepts any spacing and case on input (`hp51aa`, ` HP5 1AA `).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

fn is_outward(s: &str) -> bool {
    // A9, A99, AA9, AA99, A9A, AA9A: one or two letters, a digit, then a digit or letter.
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || b.len() < letters + 1 || b.len() > letters + 2 {
        return false;
    }
    if !b[letters].is_ascii_digit() {
        return false;
    }
    b.get(letters + 1)
        .is_none_or(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

fn is_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1..].iter().all(|c| c.is_ascii_uppercase())
}

impl Postcode {
    /// Normalises a typed postcode (`hp51ab` → `HP5 1AB`) and checks its shape.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if compact.len() < 5 || compact.len() > 7 || !compact.is_ascii() {
            return Err(PostcodeError::Invalid);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if !is_outward(outward) || !is_inward(inward) {
            return Err(PostcodeError::Invalid);
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }

    /// The postcode as `HP5 1AB`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code, e.g. `HP5`.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or("")
    }

    /// The sector, e.g. `HP5 1`.
    pub fn sector(&self) -> &str {
        &self.0[..self.0.len() - 2]
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Postcodes locate a home: `Debug` shows the sector only.
impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postcode({}**)", self.sector())
    }
}

/// An outward code (`HP5`) or a sector (`HP5 1`) that an area covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PostcodePrefix(String);

impl PostcodePrefix {
    /// Reads `HP5` or `HP5 1`; the error says what is wrong.
    pub fn parse(input: &str) -> Result<Self, String> {
        let up = input.trim().to_ascii_uppercase();
        let mut parts = up.split_whitespace();
        let outward = parts.next().unwrap_or("");
        let sector = parts.next();
        let valid_sector = sector.is_none_or(|s| s.len() == 1 && s.as_bytes()[0].is_ascii_digit());
        if !is_outward(outward) || !valid_sector || parts.next().is_some() {
            return Err(format!(
                "`{input}` is not a postcode district (like \"HP5\") or sector (like \"HP5 1\")"
            ));
        }
        Ok(PostcodePrefix(match sector {
            Some(s) => format!("{outward} {s}"),
            None => outward.to_string(),
        }))
    }

    /// The prefix as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostcodePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn any_spacing_and_case_normalises() {
        for input in ["hp51aa", " HP5 1AA ", "hp5  1aa", "Hp51Aa"] {
            assert_eq!(Postcode::parse(input).unwrap().as_str(), "HP5 1AA");
        }
        assert_eq!(Postcode::parse("sw1a1aa").unwrap().as_str(), "SW1A 1AA");
        assert_eq!(Postcode::parse("HP16 0AB").unwrap().sector(), "HP16 0");
        assert_eq!(Postcode::parse("HP16 0AB").unwrap().outward(), "HP16");
    }

    #[test]
    fn non_postcodes_are_refused() {
        assert_eq!(Postcode::parse(" "), Err(PostcodeError::Empty));
        for bad in [
            "HP5", "12345", "HP5 1A", "HPP5 1AA", "H 1AA", "HP5 AAA", "HP5 1AÄ",
        ] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Invalid), "{bad}");
        }
    }

    #[test]
    fn prefixes_are_districts_or_sectors() {
        assert_eq!(PostcodePrefix::parse("hp6 6").unwrap().as_str(), "HP6 6");
        assert_eq!(PostcodePrefix::parse("HP16").unwrap().as_str(), "HP16");
        assert!(PostcodePrefix::parse("HP6 55").is_err());
    }

    proptest! {
        #[test]
        fn canonical_form_is_a_fixed_point(
            out in "[A-Z]{1,2}[0-9][A-Z0-9]?", sec in "[0-9]", unit in "[A-Z]{2}", lower in any::<bool>()
        ) {
            let raw = format!("{out}{sec}{unit}");
            let input = if lower { raw.to_lowercase() } else { raw };
            let pc = Postcode::parse(&input).unwrap();
            prop_assert_eq!(Postcode::parse(pc.as_str()).unwrap(), pc.clone());
            prop_assert_eq!(pc.outward(), out.as_str());
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,12}") {
            let _ = Postcode::parse(&s);
        }
    }
}
