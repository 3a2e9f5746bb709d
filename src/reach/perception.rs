//! The perception section: how safe and how well informed residents say they feel, per area
//! and quarter (the pulse survey), and whether messages helped them feel safer, per campaign and
//! priority. Every share rests on its number of answers; under 10 answers the share is withheld.

use super::{Cell, Period, SMALL_CELL, disclosure};
use crate::domain::Priority;
use crate::store::{FeedbackCount, SurveyCount};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The survey question on feeling safe, and the answers that count as safe.
pub const FEEL_SAFE: (&str, [&str; 2]) = ("feel_safe_after_dark", ["very_safe", "fairly_safe"]);
/// The survey question on feeling informed, and the answers that count as informed.
pub const INFORMED: (&str, [&str; 2]) = ("informed", ["very_well", "fairly_well"]);

/// One area in one quarter. A share is `null` with `suppressed: true` when it rests on fewer
/// than 10 answers (its `responses` then reads "<10"), or on a cell hidden so that a "<10"
/// cannot be worked out from the quarter's total (`responses` reads "hidden").
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AreaPerception {
    pub slug: String,
    pub name: String,
    pub quarter: String,
    /// Answers to "how safe do you feel walking alone in your area after dark?".
    pub responses: Cell,
    /// Very or fairly safe, in % of `responses`.
    pub feel_safe_pct: Option<f64>,
    pub suppressed: bool,
    /// Answers to "how well informed do you feel about crime and safety in your area?".
    pub informed_responses: Cell,
    /// Very or fairly well informed, in % of `informed_responses`.
    pub informed_pct: Option<f64>,
    pub informed_suppressed: bool,
}

/// Every area together in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuarterPerception {
    pub quarter: String,
    pub responses: Cell,
    pub feel_safe_pct: Option<f64>,
    pub informed_responses: Cell,
    pub informed_pct: Option<f64>,
}

/// "Did this message help you feel safer?" for one campaign's runs in the period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignHelpfulness {
    pub slug: String,
    pub title: String,
    pub priority: String,
    pub responses: Cell,
    /// Yes, in % of every answer (yes, no, not sure).
    pub helpful_pct: Option<f64>,
    pub suppressed: bool,
}

/// The same over every campaign of one priority.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PriorityHelpfulness {
    pub priority: String,
    pub label: String,
    pub responses: Cell,
    pub helpful_pct: Option<f64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default, utoipa::ToSchema)]
pub struct Perception {
    /// The calendar quarters the period touches, oldest first.
    pub quarters: Vec<String>,
    /// Areas with answers, per quarter.
    pub areas: Vec<AreaPerception>,
    /// All areas, per quarter.
    pub totals: Vec<QuarterPerception>,
    /// The latest quarter of the period with 10 or more feel-safe answers, and its share.
    pub latest_quarter: Option<String>,
    pub feel_safe_pct: Option<f64>,
    pub informed_pct: Option<f64>,
    /// The change in the feel-safe share from the quarter before the latest, in points.
    pub feel_safe_change_pts: Option<f64>,
    pub campaigns: Vec<CampaignHelpfulness>,
    pub priorities: Vec<PriorityHelpfulness>,
    /// Yes over every answer to every campaign in the period.
    pub helpful_pct: Option<f64>,
}

/// `2026-Q4`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

fn quarters(period: &Period) -> Vec<String> {
    let mut out = Vec::new();
    let first = NaiveDate::from_ymd_opt(period.from.year(), period.from.month0() / 3 * 3 + 1, 1);
    let mut d = first.unwrap_or(period.from);
    while d <= period.to {
        out.push(quarter_of(d));
        match d.checked_add_months(chrono::Months::new(3)) {
            Some(next) => d = next,
            None => break,
        }
    }
    out
}

/// The quarter before `2026-Q1` is `2025-Q4`.
fn previous(q: &str) -> Option<String> {
    let (y, n) = q.split_once("-Q")?;
    let (y, n) = (y.parse::<i32>().ok()?, n.parse::<u32>().ok()?);
    Some(if n <= 1 {
        format!("{}-Q4", y - 1)
    } else {
        format!("{y}-Q{}", n - 1)
    })
}

/// (good answers, all answers).
type Share = (i64, i64);

fn add(s: &mut Share, good: bool, n: i64) {
    let n = n.max(0);
    s.1 = s.1.saturating_add(n);
    if good {
        s.0 = s.0.saturating_add(n);
    }
}

fn pct((good, all): Share) -> Option<f64> {
    (all >= SMALL_CELL).then(|| (good as f64 / all as f64 * 1000.0).round() / 10.0)
}

/// Builds the section; pure, so each figure can be checked by hand.
pub fn build(
    names: &BTreeMap<String, String>,
    period: &Period,
    surveys: &[SurveyCount],
    feedback: &[FeedbackCount],
) -> Perception {
    let quarters = quarters(period);
    // (quarter, area) → (feel safe, informed)
    let mut cells: BTreeMap<(String, String), (Share, Share)> = BTreeMap::new();
    let mut totals: BTreeMap<String, (Share, Share)> = BTreeMap::new();
    for s in surveys {
        let (question, good) = if s.question == FEEL_SAFE.0 {
            (0, FEEL_SAFE.1.contains(&s.answer.as_str()))
        } else if s.question == INFORMED.0 {
            (1, INFORMED.1.contains(&s.answer.as_str()))
        } else {
            continue;
        };
        let cell = cells
            .entry((s.quarter.clone(), s.area_slug.clone()))
            .or_default();
        let total = totals.entry(s.quarter.clone()).or_default();
        if question == 0 {
            add(&mut cell.0, good, s.count);
            add(&mut total.0, good, s.count);
        } else {
            add(&mut cell.1, good, s.count);
            add(&mut total.1, good, s.count);
        }
    }
    let mut areas = Vec::new();
    for q in &quarters {
        let mut rows: Vec<AreaPerception> = cells
            .iter()
            .filter(|((cq, _), _)| cq == q)
            .map(|((_, slug), (safe, informed))| AreaPerception {
                slug: slug.clone(),
                name: names.get(slug).cloned().unwrap_or_else(|| slug.clone()),
                quarter: q.clone(),
                responses: Cell::of(safe.1),
                feel_safe_pct: pct(*safe),
                suppressed: safe.1 < SMALL_CELL,
                informed_responses: Cell::of(informed.1),
                informed_pct: pct(*informed),
                informed_suppressed: informed.1 < SMALL_CELL,
            })
            .collect();
        disclosure::protect_perception(&mut rows);
        areas.extend(rows);
    }
    let total_row = |q: &String| {
        let (safe, informed) = totals.get(q).copied().unwrap_or_default();
        QuarterPerception {
            quarter: q.clone(),
            responses: Cell::of(safe.1),
            feel_safe_pct: pct(safe),
            informed_responses: Cell::of(informed.1),
            informed_pct: pct(informed),
        }
    };
    let totals_rows: Vec<QuarterPerception> = quarters.iter().map(total_row).collect();
    let latest = totals_rows.iter().rev().find(|t| t.feel_safe_pct.is_some());
    let change = latest.and_then(|l| {
        let before = previous(&l.quarter)?;
        let (safe, _) = totals.get(&before).copied().unwrap_or_default();
        Some(((l.feel_safe_pct? - pct(safe)?) * 10.0).round() / 10.0)
    });
    let informed = totals_rows.iter().rev().find_map(|t| t.informed_pct);

    let (campaigns, priorities, helpful) = helpfulness(feedback);
    Perception {
        latest_quarter: latest.map(|l| l.quarter.clone()),
        feel_safe_pct: latest.and_then(|l| l.feel_safe_pct),
        informed_pct: informed,
        feel_safe_change_pts: change,
        quarters,
        areas,
        totals: totals_rows,
        campaigns,
        priorities,
        helpful_pct: helpful,
    }
}

fn helpfulness(
    feedback: &[FeedbackCount],
) -> (
    Vec<CampaignHelpfulness>,
    Vec<PriorityHelpfulness>,
    Option<f64>,
) {
    let mut by_campaign: BTreeMap<(String, String, String), Share> = BTreeMap::new();
    let mut all: Share = (0, 0);
    for f in feedback {
        let good = f.answer == "yes";
        add(
            by_campaign
                .entry((f.priority.clone(), f.slug.clone(), f.title.clone()))
                .or_default(),
            good,
            f.count,
        );
        add(&mut all, good, f.count);
    }
    let mut campaigns = Vec::new();
    let mut priorities = Vec::new();
    for p in Priority::ALL {
        let mut rows: Vec<CampaignHelpfulness> = Vec::new();
        let mut sum: Share = (0, 0);
        for ((_, slug, title), share) in by_campaign.iter().filter(|((pr, _, _), _)| pr == p.slug())
        {
            sum = (sum.0 + share.0, sum.1 + share.1);
            rows.push(CampaignHelpfulness {
                slug: slug.clone(),
                title: title.clone(),
                priority: p.slug().into(),
                responses: Cell::of(share.1),
                helpful_pct: pct(*share),
                suppressed: share.1 < SMALL_CELL,
            });
        }
        if rows.is_empty() {
            continue;
        }
        // The priority's total is shown, so a lone "<10" campaign needs company.
        disclosure::protect_helpfulness(&mut rows);
        campaigns.extend(rows);
        priorities.push(PriorityHelpfulness {
            priority: p.slug().into(),
            label: p.resident_label().into(),
            responses: Cell::of(sum.1),
            helpful_pct: pct(sum),
            suppressed: sum.1 < SMALL_CELL,
        });
    }
    (campaigns, priorities, pct(all))
}
