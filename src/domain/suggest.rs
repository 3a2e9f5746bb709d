//! "Did you mean …?" for a mistyped name: the closest known name, if it is close enough.

/// The closest name to `wanted` among `names`, if any is close enough to be a typo.
pub fn closest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    names
        .into_iter()
        .map(|n| (strsim::jaro_winkler(wanted, n), n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.to_string())
}

/// `"; did you mean `x`?"`, or nothing.
pub fn did_you_mean<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    closest(wanted, names)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_name_and_nothing_for_a_stranger() {
        let names = ["chesham", "amersham", "beaconsfield"];
        assert_eq!(closest("chesam", names), Some("chesham".into()));
        assert_eq!(closest("london", names), None);
        assert_eq!(
            did_you_mean("amershum", names),
            "; did you mean `amersham`?"
        );
    }
}
