//! The perception gap: each area's share of residents who feel unsafe after dark, beside its
//! recorded crime rate and its reach, so the board sees where fear is high, crime low and reach
//! thin. Every bar carries its figure as text, and such areas are named in words, not by colour.

use super::Report;
use std::fmt::Write as _;

const ROW: u32 = 28;
const TOP: u32 = 74;
const LABEL: u32 = 200;
const PANEL: u32 = 220;
const GAP: u32 = 16;
const PANELS: [(&str, &str); 3] = [
    ("Feel unsafe after dark (%)", "#942514"),
    ("Recorded crimes per 1,000 households", "#1d3557"),
    ("Subscribers per 1,000 households", "#00703c"),
];

/// One area's three figures; none where there is nothing to show (or too few answers).
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    pub name: String,
    pub values: [Option<f64>; 3],
    /// Fear above the areas' average, crime below the partnership's rate, reach below the median.
    pub focus: bool,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = v.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The rows, in the report's area order.
pub fn rows(r: &Report) -> Vec<GapRow> {
    let latest = |slug: &str| {
        r.perception
            .areas
            .iter()
            .rev()
            .find(|p| p.slug == slug && p.feel_safe_pct.is_some())
            .and_then(|p| p.feel_safe_pct)
            .map(|s| ((100.0 - s) * 10.0).round() / 10.0)
    };
    let mut rows: Vec<GapRow> = r
        .areas
        .iter()
        .map(|a| GapRow {
            name: a.name.clone(),
            values: [
                latest(&a.slug),
                r.crime
                    .areas
                    .iter()
                    .find(|c| c.slug == a.slug)
                    .and_then(|c| c.per_1000_households),
                a.per_1000_households,
            ],
            focus: false,
        })
        .collect();
    let fear = mean(rows.iter().filter_map(|r| r.values[0]));
    let mut reach: Vec<f64> = rows.iter().filter_map(|r| r.values[2]).collect();
    reach.sort_by(f64::total_cmp);
    let median = reach.get(reach.len() / 2).copied();
    let crime = r.crime.all_per_1000_households;
    for row in &mut rows {
        if let ([Some(f), Some(c), Some(p)], Some(fa), Some(ca), Some(m)) =
            (row.values, fear, crime, median)
        {
            row.focus = f > fa && c < ca && p < m;
        }
    }
    rows
}

/// The chart as an SVG element with its own title and description.
pub fn svg(rows: &[GapRow]) -> String {
    let width = LABEL + 3 * (PANEL + GAP) + 70;
    let height = TOP + ROW * rows.len().max(1) as u32 + 40;
    let focus: Vec<&str> = rows
        .iter()
        .filter(|r| r.focus)
        .map(|r| r.name.as_str())
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"gap-title gap-desc\" font-family=\"sans-serif\" font-size=\"13\">"
    );
    let _ = write!(
        s,
        "<title id=\"gap-title\">The perception gap: fear of crime beside recorded crime and reach, by area</title><desc id=\"gap-desc\">For each area, three bars: the share of surveyed residents who feel unsafe walking alone after dark, recorded crimes per 1,000 households, and subscribers per 1,000 households. A dash means no figure (under 10 answers or no data). {}</desc>",
        if focus.is_empty() {
            "No area has fear above average, crime below the partnership's rate and reach below the median.".to_string()
        } else {
            esc(&format!(
                "Fear above average, crime below the partnership's rate and reach below the median: {}.",
                focus.join(", ")
            ))
        }
    );
    let _ = write!(
        s,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>"
    );
    let _ = write!(
        s,
        "<text x=\"8\" y=\"22\" font-size=\"17\" font-weight=\"bold\">The perception gap</text>"
    );
    for (i, (title, colour)) in PANELS.iter().enumerate() {
        let x = LABEL + i as u32 * (PANEL + GAP);
        let max = rows
            .iter()
            .filter_map(|r| r.values[i])
            .fold(0.0_f64, f64::max)
            .max(1.0);
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"{}\" font-weight=\"bold\" font-size=\"11\">{}</text>",
            TOP - 14,
            esc(title)
        );
        for (j, row) in rows.iter().enumerate() {
            let y = TOP + j as u32 * ROW;
            match row.values[i] {
                Some(v) => {
                    let w = ((v / max) * f64::from(PANEL - 44)).max(1.0);
                    let _ = write!(
                        s,
                        "<rect x=\"{x}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{}\">{v:.1}</text>",
                        y + 4,
                        ROW - 10,
                        f64::from(x) + w + 4.0,
                        y + ROW / 2 + 4
                    );
                }
                None => {
                    let _ = write!(s, "<text x=\"{x}\" y=\"{}\">–</text>", y + ROW / 2 + 4);
                }
            }
        }
    }
    for (j, row) in rows.iter().enumerate() {
        let y = TOP + j as u32 * ROW + ROW / 2 + 4;
        let _ = write!(s, "<text x=\"8\" y=\"{y}\">{}</text>", esc(&row.name));
        if row.focus {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{y}\" font-weight=\"bold\">◀ focus</text>",
                LABEL + 3 * (PANEL + GAP)
            );
        }
    }
    let _ = write!(
        s,
        "<text x=\"8\" y=\"{}\" font-size=\"11\">◀ focus: fear above the areas’ average, crime below the partnership’s rate, reach below the median.</text></svg>",
        height - 14
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_names_its_figures_and_the_areas_to_focus_on_in_words() {
        let row = |name: &str, values: [Option<f64>; 3], focus| GapRow {
            name: name.into(),
            values,
            focus,
        };
        let svg = svg(&[
            row(
                "Chalfont & Latimer",
                [Some(40.0), Some(3.1), Some(12.0)],
                true,
            ),
            row("Chesham", [None, Some(8.0), Some(45.5)], false),
        ]);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let text_of = |tag: &str| {
            root.descendants()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string()
        };
        assert!(text_of("title").contains("perception gap"));
        assert!(
            text_of("desc").contains("reach below the median: Chalfont & Latimer."),
            "{}",
            text_of("desc")
        );
        let texts: Vec<&str> = root
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        for t in [
            "40.0",
            "3.1",
            "12.0",
            "8.0",
            "45.5",
            "–",
            "◀ focus",
            "Chesham",
        ] {
            assert!(texts.contains(&t), "{t} in {texts:?}");
        }
    }
}
