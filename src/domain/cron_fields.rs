//! Checking each field of a cron expression against its range before the `cron` crate sees it:
//! the crate's own messages name the wrong bound ("Hours must be less than 23") and not the
//! expression, so a mistake is reported here as "hour 24 is out of range 0–23 in `0 24 * * 5`".

/// One field: its name, its range, and the names it accepts (index + `first` is the value).
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const SECOND: Field = Field {
    name: "second",
    min: 0,
    max: 59,
    names: &[],
};
const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
};
/// Standard cron: Sunday is 0 or 7.
const WEEKDAY: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};
const YEAR: Field = Field {
    name: "year",
    min: 1970,
    max: 2099,
    names: &[],
};

impl Field {
    fn value(&self, token: &str, expr: &str) -> Result<(), String> {
        if token == "*" || token == "?" {
            return Ok(());
        }
        if self.names.iter().any(|n| n.eq_ignore_ascii_case(token)) {
            return Ok(());
        }
        let n: u32 = token.parse().map_err(|_| {
            let names = if self.names.is_empty() {
                String::new()
            } else {
                format!(
                    " or a name ({}–{})",
                    self.names[0],
                    self.names[self.names.len() - 1]
                )
            };
            format!("{} `{token}` is not a number{names} in `{expr}`", self.name)
        })?;
        if n < self.min || n > self.max {
            return Err(format!(
                "{} {n} is out of range {}–{} in `{expr}`",
                self.name, self.min, self.max
            ));
        }
        Ok(())
    }

    fn check(&self, field: &str, expr: &str) -> Result<(), String> {
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            if let Some(s) = step {
                match s.parse::<u32>() {
                    Ok(n) if n > 0 => {}
                    _ => {
                        return Err(format!(
                            "{} step `/{s}` must be a whole number above 0 in `{expr}`",
                            self.name
                        ));
                    }
                }
            }
            match range.split_once('-') {
                Some((a, b)) => {
                    self.value(a, expr)?;
                    self.value(b, expr)?;
                }
                None => self.value(range, expr)?,
            }
        }
        Ok(())
    }
}

/// Every field of a 5-, 6- or 7-field expression within its range; the first mistake, in words.
pub fn check(expr: &str) -> Result<(), String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let layout: &[&Field] = match fields.len() {
        5 => &[&MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY],
        6 => &[&SECOND, &MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY],
        7 => &[&SECOND, &MINUTE, &HOUR, &DAY, &MONTH, &WEEKDAY, &YEAR],
        // The count itself is reported by `schedule::normalise`.
        _ => return Ok(()),
    };
    let expr = expr.trim();
    for (field, spec) in fields.iter().zip(layout) {
        spec.check(field, expr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn names_the_field_its_range_and_the_expression() {
        assert_eq!(
            check("0 24 * * 5").unwrap_err(),
            "hour 24 is out of range 0–23 in `0 24 * * 5`"
        );
        assert_eq!(
            check("60 9 * * *").unwrap_err(),
            "minute 60 is out of range 0–59 in `60 9 * * *`"
        );
        assert_eq!(
            check("0 9 0 * *").unwrap_err(),
            "day of month 0 is out of range 1–31 in `0 9 0 * *`"
        );
        assert_eq!(
            check("0 9 * 13 *").unwrap_err(),
            "month 13 is out of range 1–12 in `0 9 * 13 *`"
        );
        assert_eq!(
            check("0 9 * * 1-8").unwrap_err(),
            "day of week 8 is out of range 0–7 in `0 9 * * 1-8`"
        );
        assert_eq!(
            check("0 0 25 * * *").unwrap_err(),
            "hour 25 is out of range 0–23 in `0 0 25 * * *`"
        );
        assert!(
            check("0 9 * * FRY")
                .unwrap_err()
                .contains("not a number or a name (SUN–SAT)")
        );
        assert!(check("0 */0 * * *").unwrap_err().contains("step `/0`"));
    }

    #[test]
    fn accepts_what_cron_users_write() {
        for ok in [
            "0 23 * * 5",
            "30 9 * * 1-5",
            "0 18 * * 0,6",
            "0 18 * * 7",
            "*/15 8-17 * * MON-FRI",
            "0 0 9 1 JAN-MAR ?",
            "0 0 9 * * TUE 2027",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }
}
