//! A batch's hold on its rows: renewed by a heartbeat while the work lasts (sending and
//! recording), and asked before every send, so a row whose lease may be lost is never sent.
use crate::store::SqlStore;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::sync::Mutex;
use tokio::sync::watch;

pub(super) struct Hold {
    state: Mutex<HoldState>,
    /// Stop sending this long before the hold could run out: a send takes time.
    margin: Duration,
    /// How long one successful renewal vouches for.
    span: Duration,
}

struct HoldState {
    valid_until: DateTime<Utc>,
    claimed: HashSet<i64>,
    lost: HashSet<i64>,
}

impl Hold {
    /// Rows just claimed at `now`. `span` is the shorter of the lease and the time after which
    /// other processes count a silent session as dead.
    pub fn new(ids: impl IntoIterator<Item = i64>, now: DateTime<Utc>, span: Duration) -> Self {
        Hold {
            state: Mutex::new(HoldState {
                valid_until: now + span,
                claimed: ids.into_iter().collect(),
                lost: HashSet::new(),
            }),
            margin: span / 3,
            span,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HoldState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn ids(&self) -> Vec<i64> {
        self.lock().claimed.iter().copied().collect()
    }

    /// Whether `id` may still be sent at `at`.
    pub fn holds(&self, id: i64, at: DateTime<Utc>) -> bool {
        let s = self.lock();
        at + self.margin < s.valid_until && !s.lost.contains(&id)
    }

    /// A renewal at `at` kept exactly `held` (rows already recorded are no longer held, and
    /// need no hold).
    fn renewed(&self, held: &[i64], at: DateTime<Utc>) {
        let held: HashSet<i64> = held.iter().copied().collect();
        let mut s = self.lock();
        s.valid_until = at + self.span;
        let lost: Vec<i64> = s.claimed.difference(&held).copied().collect();
        s.lost.extend(lost);
    }
}

/// Renews the session and its leases every `every` until `done` changes (or its sender goes).
pub(super) async fn heartbeat(
    store: &SqlStore,
    me: i64,
    hold: &Hold,
    clock: impl Fn() -> DateTime<Utc>,
    lease: Duration,
    every: std::time::Duration,
    mut done: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = done.changed() => return,
        }
        let t = clock();
        match store.heartbeat(me, &hold.ids(), t, t + lease).await {
            Ok(held) => hold.renewed(&held, t),
            Err(e) => {
                tracing::warn!(error = %e, "cannot renew leases; sends pause, will keep trying")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_stops_vouching_before_it_could_run_out_and_for_rows_taken_away() {
        let t0 = Utc::now();
        let h = Hold::new([1, 2], t0, Duration::seconds(15));
        assert!(h.holds(1, t0 + Duration::seconds(9)));
        assert!(!h.holds(1, t0 + Duration::seconds(11)), "inside the margin");
        h.renewed(&[1], t0 + Duration::seconds(8));
        assert!(h.holds(1, t0 + Duration::seconds(17)));
        assert!(
            !h.holds(2, t0 + Duration::seconds(9)),
            "row 2 was taken away"
        );
    }
}
