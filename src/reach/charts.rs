//! Charts as SVG, drawn on the server with plotters: nobody needs JavaScript to see them.

use super::{AreaReach, Point, SourceReach};
use plotters::prelude::*;

const BLUE: RGBColor = RGBColor(0x1d, 0x35, 0x57);
const GREEN: RGBColor = RGBColor(0x00, 0x70, 0x3c);

fn svg(width: u32, height: u32, draw: impl FnOnce(&mut String) -> Result<(), String>) -> String {
    let mut out = String::new();
    match draw(&mut out) {
        Ok(()) => out,
        Err(e) => {
            tracing::warn!(error = %e, "chart could not be drawn");
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Chart unavailable\"></svg>"
            )
        }
    }
}

/// Confirmed subscribers, day by day over the period.
pub fn audience(points: &[Point]) -> String {
    let (w, h) = (720, 300);
    svg(w, h, |out| {
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
            .caption("Confirmed subscribers", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0i64..days, 0i64..(max + max / 10 + 1))
            .map_err(|e| e.to_string())?;
        let start = first.date;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|d| {
                (start + chrono::Duration::days(*d))
                    .format("%-d %b")
                    .to_string()
            })
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
    })
}

/// Horizontal bars of `(label, value)`, largest value sets the scale.
fn bars(title: &str, rows: &[(String, f64)], colour: RGBColor) -> String {
    let w = 720;
    let h = 60 + 22 * rows.len().max(1) as u32;
    svg(w, h, |out| {
        let root = SVGBackend::with_string(out, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = rows.iter().map(|r| r.1).fold(1.0_f64, f64::max);
        let n = rows.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(24)
            .y_label_area_size(170)
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
                bar.set_margin(2, 2, 0, 0);
                bar
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    })
}

/// Subscribers per 1,000 households, lowest first; areas under the small-cell limit are left out.
pub fn penetration(areas: &[AreaReach]) -> String {
    let mut rows: Vec<(String, f64)> = areas
        .iter()
        .filter_map(|a| a.per_1000_households.map(|p| (a.name.clone(), p)))
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    bars("Subscribers per 1,000 households", &rows, BLUE)
}

/// Sign-ups in the period by where they came from.
pub fn sources(sources: &[SourceReach]) -> String {
    let rows: Vec<(String, f64)> = sources
        .iter()
        .take(12)
        .map(|s| (s.source.clone(), s.signups as f64))
        .collect();
    bars("Sign-ups by source", &rows, GREEN)
}
