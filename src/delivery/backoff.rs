//! When to try a transient failure again: exponential backoff with jitter, for a bounded time.

use chrono::{DateTime, Duration, Utc};

/// The next attempt after `attempts` tries, or `None` once `retry_for` has passed since the row
/// was created. 30 s, 1 min, 2 min … capped at 1 h, each ±25 % so retries do not stampede.
pub fn retry_at(
    created: DateTime<Utc>,
    attempts: i64,
    now: DateTime<Utc>,
    retry_for: Duration,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    let exp = attempts.clamp(1, 20) - 1;
    let base = (30_i64 << exp.min(7)).min(3600) as f64;
    let secs = base * (0.75 + 0.5 * jitter.clamp(0.0, 1.0));
    let at = now + Duration::milliseconds((secs * 1000.0) as i64);
    (at <= created + retry_for).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn backoff_doubles_and_stops_after_the_retry_window() {
        let t0 = Utc::now();
        let day = Duration::hours(24);
        assert_eq!(
            retry_at(t0, 1, t0, day, 0.5),
            Some(t0 + Duration::seconds(30))
        );
        assert_eq!(
            retry_at(t0, 2, t0, day, 0.5),
            Some(t0 + Duration::seconds(60))
        );
        assert_eq!(
            retry_at(t0, 12, t0, day, 0.5),
            Some(t0 + Duration::seconds(3600))
        );
        assert_eq!(retry_at(t0, 3, t0 + Duration::hours(24), day, 0.5), None);
    }

    proptest! {
        #[test]
        fn the_next_attempt_is_always_later_and_within_an_hour_and_a_quarter(a in 1i64..100, j in 0.0f64..1.0) {
            let t0 = Utc::now();
            let at = retry_at(t0, a, t0, Duration::days(30), j).unwrap();
            prop_assert!(at > t0 && at <= t0 + Duration::seconds(4500));
        }
    }
}
