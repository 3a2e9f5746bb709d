//! Complementary suppression: a lone "<10" among counts that add up to a published total could
//! be recovered by subtraction (a total of 15 less the 12 shown is 3), so when one cell of a
//! row set is suppressed, the smallest shown cell is hidden with it.

use super::perception::{AreaPerception, CampaignHelpfulness};
use super::{AreaReach, Cell, SourceReach};

/// What a cell hidden only to protect a small one shows: it is not under 10.
pub const HIDDEN: Cell = Cell::Suppressed("hidden");

/// Protects every per-area count of the report's area table, and each source's areas.
pub(super) fn protect(areas: &mut [AreaReach], sources: &mut [SourceReach]) {
    complement(areas, |a| &mut a.audience);
    complement(areas, |a| &mut a.feed_readers);
    complement(areas, |a| &mut a.signups);
    if let Some(i) = complement(areas, |a| &mut a.subscribers) {
        // Either figure would give the subscribers back.
        areas[i].per_1000_households = None;
        areas[i].growth_pct = None;
    }
    for s in sources {
        complement(&mut s.areas, |a| &mut a.signups);
    }
}

/// One quarter's areas: the quarter's total is shown, so a lone "<10" takes another with it.
pub(super) fn protect_perception(rows: &mut [AreaPerception]) {
    if let Some(i) = complement(rows, |a| &mut a.responses) {
        rows[i].feel_safe_pct = None;
        rows[i].suppressed = true;
    }
    if let Some(i) = complement(rows, |a| &mut a.informed_responses) {
        rows[i].informed_pct = None;
        rows[i].informed_suppressed = true;
    }
}

/// One priority's campaigns, whose total is shown.
pub(super) fn protect_helpfulness(rows: &mut [CampaignHelpfulness]) {
    if let Some(i) = complement(rows, |c| &mut c.responses) {
        rows[i].helpful_pct = None;
        rows[i].suppressed = true;
    }
}

/// Protects one set of cells that add up to a figure shown elsewhere (one area's residents in
/// one status, across topics): a lone suppressed cell takes the smallest shown one with it.
pub fn protect_group(cells: &mut [Cell]) {
    complement(cells, |c| c);
}

/// When exactly one row's cell is suppressed, hides the smallest shown one; returns its index.
fn complement<T>(rows: &mut [T], cell: fn(&mut T) -> &mut Cell) -> Option<usize> {
    let suppressed = rows
        .iter_mut()
        .filter_map(|r| cell(r).is_suppressed().then_some(()))
        .count();
    if suppressed != 1 {
        return None;
    }
    let (_, i) = rows
        .iter_mut()
        .enumerate()
        .filter_map(|(i, r)| match *cell(r) {
            Cell::Count(n) => Some((n, i)),
            Cell::Suppressed(_) => None,
        })
        .min()?;
    *cell(&mut rows[i]) = HIDDEN;
    Some(i)
}
