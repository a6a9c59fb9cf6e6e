//! One panel of a sweep chart: the axes and the marks of some of its lines.
//!
//! Why the marks depend on the axis: a chart may only draw what was measured. A categorical
//! parameter (`none, full, equal, decorrelated`) has no values between its categories, so
//! each point is a dot with its 95% whiskers and nothing joins them; lines sharing a category
//! are dodged sideways so none hides another. A numeric sweep with few points ([`FEW`] or
//! fewer) shows its points as markers with whiskers, and the line between them only as a thin
//! translucent guide (the values between two runs were never run); with more points the
//! sampling is dense enough for a line and a 95% band.

use super::data::finite_range;
use super::render::{err, fmt_num, text, Area, DESC_PX, GRID_BOLD, GRID_LIGHT};
use super::sweep_data::{MeanLine, ModelLine, SweepChart, MODEL};
use super::ChartError;
use plotters::prelude::{
    ChartBuilder, Circle, DashedLineSeries, DrawingBackend, LineSeries, PathElement, Polygon,
};
use plotters::style::{Color, RGBColor, BLACK};
use std::ops::Range;

/// Most points a numeric line may have and still be drawn as markers with a faint guide.
pub(crate) const FEW: usize = 6;

/// How the points of a chart are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    /// Categories: dots and whiskers, dodged, no line.
    Dots,
    /// Few numeric points: markers and whiskers, a faint guide line.
    Markers,
    /// Many numeric points: a line with a 95% band.
    Band,
}

impl Marks {
    /// The marks of a chart's data.
    pub(crate) fn of(d: &SweepChart) -> Marks {
        if !d.categories.is_empty() {
            Marks::Dots
        } else if d.lines.iter().all(|l| l.points.len() <= FEW) {
            Marks::Markers
        } else {
            Marks::Band
        }
    }
}

/// The x range of a chart: half a slot around the categories, else the values with a margin
/// wide enough for an edge marker's whiskers.
pub(crate) fn x_range(d: &SweepChart) -> Result<Range<f64>, ChartError> {
    if !d.categories.is_empty() {
        return Ok(-0.5..d.categories.len() as f64 - 0.5);
    }
    let xs = d
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.x))
        .chain(d.models.iter().flat_map(|m| m.points.iter().map(|p| p.0)));
    let (x0, x1) = finite_range(xs).ok_or(ChartError::Empty("no finite x"))?;
    let pad = if x1 > x0 { (x1 - x0) * 0.06 } else { 0.5 };
    Ok((x0 - pad)..(x1 + pad))
}

/// One cell of a small-multiples grid: its area, and whether it writes the axis descriptions
/// (the x one along the bottom row, the y one down the left column, so each is written once
/// per edge and the panels keep their room for data).
pub(crate) struct Cell<DB: DrawingBackend> {
    /// Where the panel draws.
    pub area: Area<DB>,
    /// The panel is on the bottom edge of the grid.
    pub x_desc: bool,
    /// The panel is on the left edge of the grid.
    pub y_desc: bool,
}

/// Split `plot` into `n` cells (two columns up to four panels, else three), in reading order.
/// Used by every chart that draws small multiples (sweeps, and the run charts' per-fleet
/// histograms and percentile curves), so all share one layout.
pub(crate) fn grid<DB: DrawingBackend>(plot: &Area<DB>, n: usize) -> Vec<Cell<DB>> {
    let cols = if n <= 4 { 2 } else { 3 };
    let rows = n.div_ceil(cols);
    plot.split_evenly((rows, cols))
        .into_iter()
        .take(n)
        .enumerate()
        .map(|(i, area)| Cell {
            area,
            x_desc: i + cols >= n,
            y_desc: i % cols == 0,
        })
        .collect()
}

/// What one panel draws.
pub(crate) struct Panel<'a> {
    /// The chart.
    pub data: &'a SweepChart,
    /// The lines of this panel (all of them, or one in a small multiple).
    pub lines: Vec<&'a MeanLine>,
    /// The model curves of this panel.
    pub models: Vec<&'a ModelLine>,
    /// Colour of each line, by position in `lines`.
    pub colors: Vec<RGBColor>,
    /// Shared axes.
    pub x: Range<f64>,
    /// Shared y range.
    pub y: Range<f64>,
    /// A heading inside the panel (the line's name in a small multiple).
    pub heading: Option<&'a str>,
    /// Whether to write the axis descriptions (small multiples write them once per edge).
    pub x_desc: bool,
    /// As `x_desc`, for the y axis.
    pub y_desc: bool,
    /// Label font size.
    pub label_px: u32,
}

/// Draw a panel into `area`.
pub(crate) fn draw_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    p: &Panel<'_>,
) -> Result<(), ChartError> {
    let d = p.data;
    let cats = &d.categories;
    let marks = Marks::of(d);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .margin_right(16)
        .x_label_area_size(if p.x_desc { 45 } else { 26 })
        .y_label_area_size(if p.y_desc { 70 } else { 52 });
    if let Some(h) = p.heading {
        builder.caption(h, text(p.label_px, BLACK));
    }
    let mut chart = builder
        .build_cartesian_2d(p.x.clone(), p.y.clone())
        .map_err(err)?;
    let x_fmt = |v: &f64| -> String {
        if cats.is_empty() {
            return fmt_num(*v);
        }
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            cats.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(GRID_LIGHT)
        .bold_line_style(GRID_BOLD)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(text(p.label_px, BLACK))
        .axis_desc_style(text(DESC_PX, BLACK));
    if p.x_desc {
        mesh.x_desc(d.x_desc.as_str());
    }
    if p.y_desc {
        mesh.y_desc(d.y_desc.as_str());
    }
    if !cats.is_empty() {
        // Half-integer steps from -0.5: every category centre is a key point.
        mesh.x_labels(cats.len().max(2) * 4).disable_x_mesh();
    }
    mesh.draw().map_err(err)?;

    let n = p.lines.len();
    // Dodge: lines sharing a category sit side by side within 60% of its slot.
    let w = if marks == Marks::Dots && n > 1 {
        (0.6 / n as f64).min(0.15)
    } else {
        0.0
    };
    let cap = if marks == Marks::Dots {
        0.06
    } else {
        (p.x.end - p.x.start) * 0.008
    };
    for (k, l) in p.lines.iter().enumerate() {
        let color = p.colors[k];
        let dx = (k as f64 - (n as f64 - 1.0) / 2.0) * w;
        let pts: Vec<(f64, f64)> = l.points.iter().map(|q| (q.x + dx, q.mean)).collect();
        match marks {
            Marks::Band => {
                let band: Vec<(f64, (f64, f64))> = l
                    .points
                    .iter()
                    .filter_map(|q| q.ci95.map(|c| (q.x, c)))
                    .collect();
                if band.len() >= 2 {
                    let mut poly: Vec<(f64, f64)> = band.iter().map(|(x, c)| (*x, c.1)).collect();
                    poly.extend(band.iter().rev().map(|(x, c)| (*x, c.0)));
                    chart
                        .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))
                        .map_err(err)?;
                }
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
                    .map_err(err)?;
            }
            Marks::Markers if pts.len() >= 2 => {
                chart
                    .draw_series(LineSeries::new(
                        pts.iter().copied(),
                        color.mix(0.35).stroke_width(1),
                    ))
                    .map_err(err)?;
            }
            _ => {}
        }
        // Whiskers with caps: the interval of every point, a lone one included.
        for q in &l.points {
            if let Some((lo, hi)) = q.ci95 {
                let x = q.x + dx;
                let s = color.stroke_width(2);
                chart
                    .draw_series([
                        PathElement::new(vec![(x, lo), (x, hi)], s),
                        PathElement::new(vec![(x - cap, lo), (x + cap, lo)], s),
                        PathElement::new(vec![(x - cap, hi), (x + cap, hi)], s),
                    ])
                    .map_err(err)?;
            }
        }
        let r = if marks == Marks::Band { 3 } else { 5 };
        chart
            .draw_series(pts.iter().map(|q| Circle::new(*q, r, color.filled())))
            .map_err(err)?;
    }
    for m in &p.models {
        chart
            .draw_series(DashedLineSeries::new(
                m.points.iter().copied(),
                6,
                6,
                MODEL.stroke_width(1),
            ))
            .map_err(err)?;
    }
    Ok(())
}
