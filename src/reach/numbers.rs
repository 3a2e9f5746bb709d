//! Numbers as a board paper writes them: "20,000", "12.5", "–" for nothing to show.

/// A whole number with thousands separators: 20000 → "20,000".
pub fn whole(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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
        whole(i64::try_from(tenths / 10).unwrap_or(i64::MAX)),
        tenths % 10
    )
}

/// A chart axis value: whole numbers without a decimal point, others with one.
pub fn axis(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        whole(v.round() as i64)
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
    fn thousands_are_separated() {
        assert_eq!(whole(0), "0");
        assert_eq!(whole(999), "999");
        assert_eq!(whole(1000), "1,000");
        assert_eq!(whole(20000), "20,000");
        assert_eq!(whole(1234567), "1,234,567");
        assert_eq!(whole(-45210), "-45,210");
        assert_eq!(whole(i64::MIN), "-9,223,372,036,854,775,808");
    }

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
