//! Numbers as a board paper writes them: "20,000" (`domain::numbers`), "12.5", "–" for nothing
//! to show.

pub use crate::domain::numbers::thousands;

/// One decimal place, thousands separated, and no "-0.0": 1234.56 → "1,234.6".
pub fn decimal(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    format!(
        "{sign}{}.{}",
        thousands(i64::try_from(tenths / 10).unwrap_or(i64::MAX)),
        tenths % 10
    )
}

/// A chart axis value: whole numbers without a decimal point, others with one.
pub fn axis(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        thousands(v.round() as i64)
    } else {
        decimal(v)
    }
}

/// `decimal`, or "–" when there is nothing to show.
pub fn maybe(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), decimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_have_one_place_and_no_negative_zero() {
        assert_eq!(decimal(1234.56), "1,234.6");
        assert_eq!(decimal(12.0), "12.0");
        assert_eq!(decimal(-0.04), "0.0");
        assert_eq!(decimal(-3.25), "-3.3");
        assert_eq!(decimal(f64::NAN), "–");
        assert_eq!(maybe(None), "–");
    }

    #[test]
    fn axis_labels_are_never_like_20000_point_0() {
        assert_eq!(axis(20000.0), "20,000");
        assert_eq!(axis(0.0), "0");
        assert_eq!(axis(2.5), "2.5");
    }
}
