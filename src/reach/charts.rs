//! Charts as SVG, drawn on the server with plotters: nobody needs JavaScript to see them.
//! Each is an image with a title and a description in words for screen readers; text is drawn
//! large enough that, scaled to fit an A4 page, it still prints at 12 px or more.

use super::numbers::{axis, decimal, thousands};
use super::{AreaReach, Point, SourceReach};
use plotters::prelude::*;

const BLUE: RGBColor = RGBColor(0x1d, 0x35, 0x57);
const GREEN: RGBColor = RGBColor(0x00, 0x70, 0x3c);
const RED: RGBColor = RGBColor(0xd4, 0x35, 0x1c);
/// Caption and label sizes as plotters takes them (it draws them at 0.8 of this in SVG pixels);
/// a 720-wide chart prints ~0.94 × smaller across A4, so labels come out above 12 px.
const CAPTION: u32 = 21;
const LABEL: u32 = 17;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Makes the drawing an accessible image: `role="img"`, then `<title>` and `<desc>` first inside.
fn labelled(svg: String, id: &str, title: &str, desc: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (head, rest) = svg.split_at(open_end);
    format!(
        "{head} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        escape(title),
        escape(desc),
        &rest[1..]
    )
}

fn svg(width: u32, height: u32, draw: impl FnOnce(&mut String) -> Result<(), String>) -> String {
    let mut out = String::new();
    match draw(&mut out) {
        Ok(()) => out,
        Err(e) => {
            tracing::warn!(error = %e, "chart could not be drawn");
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\"></svg>"
            )
        }
    }
}

/// Confirmed subscribers, day by day over the period.
pub fn audience(points: &[Point]) -> String {
    let (w, h) = (720, 300);
    let drawn = svg(w, h, |out| {
        let root = SVGBackend::with_string(out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return Ok(());
        };
        let max = points
            .iter()
            .map(|p| p.subscribers)
            .max()
            .unwrap_or(0)
            .max(1);
        let days = (last.date - first.date).num_days().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption("Confirmed subscribers", ("sans-serif", CAPTION))
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(70)
            .build_cartesian_2d(0i64..days, 0i64..(max + max / 10 + 1))
            .map_err(|e| e.to_string())?;
        let start = first.date;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .label_style(("sans-serif", LABEL))
            .x_label_formatter(&|d| {
                (start + chrono::Duration::days(*d))
                    .format("%-d %b")
                    .to_string()
            })
            .y_label_formatter(&|v| thousands(*v))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                points
                    .iter()
                    .map(|p| ((p.date - start).num_days(), p.subscribers)),
                BLUE.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    });
    let desc = match (points.first(), points.last()) {
        (Some(a), Some(b)) => format!(
            "A line from {} subscribers on {} to {} on {}.",
            thousands(a.subscribers),
            a.date.format("%-d %B %Y"),
            thousands(b.subscribers),
            b.date.format("%-d %B %Y")
        ),
        _ => "No data for this period.".into(),
    };
    labelled(
        drawn,
        "chart-audience",
        "Confirmed subscribers over the period",
        &desc,
    )
}

/// Horizontal bars of `(label, value)`, largest value sets the scale; an optional target line.
fn bars(title: &str, rows: &[(String, f64)], colour: RGBColor, target: Option<f64>) -> String {
    let w = 720;
    let h = 70 + 26 * rows.len().max(1) as u32;
    svg(w, h, |out| {
        let root = SVGBackend::with_string(out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = rows
            .iter()
            .map(|r| r.1)
            .chain(target)
            .fold(1.0_f64, f64::max);
        let n = rows.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", CAPTION))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(190)
            .build_cartesian_2d(0.0..max * 1.1, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        // Row 0 is drawn at the top: segment n-1.
        let label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if (0..n).contains(i) => rows
                .get((n - 1 - *i) as usize)
                .map(|r| r.0.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .label_style(("sans-serif", LABEL))
            .x_labels(6)
            .x_label_formatter(&|v| axis(*v))
            .y_labels(rows.len().max(1))
            .y_label_formatter(&label)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let y = n - 1 - i as i32;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (r.1, SegmentValue::Exact(y + 1)),
                    ],
                    colour.filled(),
                );
                bar.set_margin(3, 3, 0, 0);
                bar
            }))
            .map_err(|e| e.to_string())?;
        if let Some(t) = target {
            chart
                .draw_series(LineSeries::new(
                    [(t, SegmentValue::Exact(0)), (t, SegmentValue::Exact(n))],
                    RED.stroke_width(3),
                ))
                .map_err(|e| e.to_string())?
                .label(format!("Target {}", axis(t)))
                .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], RED.stroke_width(3)));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .label_font(("sans-serif", LABEL))
                .background_style(WHITE)
                .border_style(BLACK)
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())
    })
}

/// Subscribers per 1,000 households, lowest first, against the plan's target where it has one;
/// areas under the small-cell limit, and areas whose figures cannot be true, are left out.
pub fn penetration_against(areas: &[AreaReach], target: Option<f64>) -> String {
    let mut rows: Vec<(String, f64)> = areas
        .iter()
        .filter_map(|a| a.per_1000_households.map(|p| (a.name.clone(), p)))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    let drawn = bars("Subscribers per 1,000 households", &rows, BLUE, target);
    let mut desc = match (rows.first(), rows.last()) {
        (Some(lo), Some(hi)) => format!(
            "{} areas. Lowest {} at {}, highest {} at {} per 1,000 households.",
            rows.len(),
            lo.0,
            decimal(lo.1),
            hi.0,
            decimal(hi.1)
        ),
        _ => "No area has enough subscribers to show.".into(),
    };
    if let Some(t) = target {
        let below = rows.iter().filter(|r| r.1 < t).count();
        desc.push_str(&format!(
            " The target is {}; {below} of them are below it.",
            decimal(t)
        ));
    }
    labelled(
        drawn,
        "chart-per-1000",
        "Subscribers per 1,000 households, by area",
        &desc,
    )
}

/// `penetration_against` with no target line.
pub fn penetration(areas: &[AreaReach]) -> String {
    penetration_against(areas, None)
}

/// Sign-ups in the period by where they came from.
pub fn sources(sources: &[SourceReach]) -> String {
    let rows: Vec<(String, f64)> = sources
        .iter()
        .take(12)
        .map(|s| (s.source.clone(), s.signups as f64))
        .collect();
    let drawn = bars("Sign-ups by source", &rows, GREEN, None);
    let desc = if rows.is_empty() {
        "No sign-ups in this period.".to_string()
    } else {
        rows.iter()
            .map(|r| format!("{}: {}", r.0, axis(r.1)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    labelled(drawn, "chart-sources", "Sign-ups by source", &desc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::Cell;

    fn area(name: &str, p: f64) -> AreaReach {
        AreaReach {
            slug: name.to_lowercase(),
            name: name.into(),
            district: "chiltern".into(),
            households: Some(10000),
            audience: Cell::of(500),
            subscribers: Cell::of(500),
            feed_readers: Cell::of(0),
            signups: Cell::of(20),
            per_1000_households: Some(p),
            growth_pct: None,
            flagged: false,
        }
    }

    #[test]
    fn per_1000_chart_is_an_image_with_words_and_a_target_line() {
        let svg = penetration_against(&[area("Chesham", 50.0), area("Amersham", 12.5)], Some(20.0));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let kids: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(kids[0].tag_name().name(), "title");
        assert_eq!(kids[1].tag_name().name(), "desc");
        assert!(kids[1].text().unwrap().contains("Lowest Amersham at 12.5"));
        assert!(kids[1].text().unwrap().contains("1 of them are below it"));
        assert!(svg.contains("Target 20"), "legend names the target");
        assert!(svg.contains(&format!(
            "stroke=\"#{:02X}{:02X}{:02X}\"",
            RED.0, RED.1, RED.2
        )));
    }

    #[test]
    fn axis_labels_have_separators_and_text_is_large_enough_to_print() {
        let points: Vec<Point> = (0..30)
            .map(|d| Point {
                date: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
                    + chrono::Duration::days(d),
                subscribers: 18_000 + 100 * d,
            })
            .collect();
        let svg = audience(&points);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::trim))
            .collect();
        assert!(labels.contains(&"20,000"), "{labels:?}");
        assert!(!svg.contains("20000"));
        for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size: f64 = t
                .attribute("font-size")
                .and_then(|s| s.trim_end_matches("px").parse().ok())
                .unwrap();
            // 720 px wide printed across A4's 180 mm text width (≈ 680 CSS px).
            assert!(
                size * 680.0 / 720.0 >= 12.0,
                "{size}px text prints too small"
            );
        }
    }
}
