//! The percentile distribution of a run drawn: latency against p50 ... p99.99 on a scale of
//! nines, one curve per fleet. Up to two curves share one plot; from
//! [`SMALL_MULTIPLES`] fleets on, each fleet has its own panel (the sweep charts' grid,
//! [`super::sweep_panel::grid`]) on the same axes, with the other fleets' curves in light grey
//! behind it, so four curves crossing in the tail do not hide one another and every panel can
//! still be read against the rest.

use super::data::finite_range;
use super::data::log_bounds;
use super::legend::{self, Entry, Swatch};
use super::nines::{self, NinesRange};
use super::palette::Palette;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::sweep_data::SMALL_MULTIPLES;
use super::sweep_panel::grid;
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, Circle, DrawingBackend, IntoLogRange, LineSeries};
use plotters::style::{Color, RGBColor, BLACK};
use std::ops::Range;

/// One curve of the percentile plot: (percentile in %, latency in ms) points.
#[derive(Debug, Clone, PartialEq)]
pub struct PercentileCurve {
    /// Fleet or strategy name (legend label and palette key).
    pub name: String,
    /// (percentile, ms), percentile in (0, 100).
    pub points: Vec<(f64, f64)>,
}

/// Data of the percentile plot.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyPercentiles {
    /// Chart title.
    pub title: String,
    /// The curves.
    pub curves: Vec<PercentileCurve>,
}

/// Draw the percentile distribution (`charts/latency_percentiles.*`).
pub fn latency_percentiles(
    data: &LatencyPercentiles,
    palette: &Palette,
) -> Result<Chart, ChartError> {
    if data.curves.iter().all(|c| c.points.is_empty()) {
        return Err(ChartError::Empty("no percentile curve has points"));
    }
    let caption = "Latency of successful logical requests at each percentile, per fleet; x is a \
                   scale of nines (each step right is ten times rarer), y is log scale. p99.99 \
                   is drawn for fleets with at least 10,000 successes (with fewer it is only \
                   the largest sample)."
        .to_owned();
    let fig = PercentileFig { data, palette };
    render(&fig, "latency_percentiles", &data.title, caption)
}

/// Colour of the other fleets' curves behind a panel's own.
const CONTEXT: RGBColor = RGBColor(0xC8, 0xC8, 0xC8);

pub(crate) struct PercentileFig<'a> {
    pub data: &'a LatencyPercentiles,
    pub palette: &'a Palette,
}

/// The shared axes: percentiles (from p50 at most) and a log latency range.
struct Axes {
    p: (f64, f64),
    y: Range<f64>,
}

impl Figure for PercentileFig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let all = || d.curves.iter().flat_map(|c| c.points.iter());
        let (p_lo, p_hi) =
            finite_range(all().map(|p| p.0)).ok_or(ChartError::Empty("no finite percentile"))?;
        let (lo, hi) = finite_range(all().map(|p| p.1).filter(|v| *v > 0.0)).unwrap_or((1.0, 10.0));
        let (ylo, yhi) = log_bounds(lo, hi);
        let axes = Axes {
            p: (p_lo.min(50.0), p_hi),
            y: ylo..yhi,
        };
        if d.curves.len() >= SMALL_MULTIPLES {
            for (c, cell) in d.curves.iter().zip(grid(&plot, d.curves.len())) {
                let edges = (cell.x_desc, cell.y_desc);
                self.panel(&cell.area, &axes, Some(c), edges, LABEL_PX - 3)?;
            }
        } else {
            self.panel(&plot, &axes, None, (true, true), LABEL_PX)?;
        }
        let entries: Vec<Entry> = d
            .curves
            .iter()
            .map(|c| Entry::new(c.name.clone(), self.palette.color(&c.name), Swatch::Line))
            .collect();
        legend::draw(&legend_area, &entries)
    }
}

impl PercentileFig<'_> {
    /// One plot: every curve in colour (`own` None), or `own` in colour over the others in grey
    /// with its name as the heading; `edges` says which axis descriptions it writes.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        axes: &Axes,
        own: Option<&PercentileCurve>,
        edges: (bool, bool),
        label_px: u32,
    ) -> Result<(), ChartError> {
        let mut cb = ChartBuilder::on(area);
        cb.margin(10)
            .margin_right(25)
            .x_label_area_size(if edges.0 { 45 } else { 26 })
            .y_label_area_size(if edges.1 { 65 } else { 52 });
        if let Some(c) = own {
            cb.caption(&c.name, text(label_px, BLACK));
        }
        let mut chart = cb
            .build_cartesian_2d(
                NinesRange::new(axes.p.0, axes.p.1),
                axes.y.clone().log_scale(),
            )
            .map_err(err)?;
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&nines::label)
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(text(label_px, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK));
        if edges.0 {
            mesh.x_desc("percentile (scale of nines)");
        }
        if edges.1 {
            mesh.y_desc("latency, ms (log scale)");
        }
        mesh.draw().map_err(err)?;
        let ylo = axes.y.start;
        let pts = |c: &PercentileCurve| -> Vec<(f64, f64)> {
            c.points.iter().map(|&(p, v)| (p, v.max(ylo))).collect()
        };
        let others = self
            .data
            .curves
            .iter()
            .filter(|c| own.is_some_and(|o| o.name != c.name));
        for c in others {
            chart
                .draw_series(LineSeries::new(pts(c), CONTEXT.stroke_width(1)))
                .map_err(err)?;
        }
        let mine: Vec<&PercentileCurve> = match own {
            Some(c) => vec![c],
            None => self.data.curves.iter().collect(),
        };
        for c in mine {
            let color = self.palette.color(&c.name);
            let p = pts(c);
            chart
                .draw_series(LineSeries::new(p.iter().copied(), color.stroke_width(2)))
                .map_err(err)?;
            chart
                .draw_series(p.iter().map(|q| Circle::new(*q, 3, color.filled())))
                .map_err(err)?;
        }
        Ok(())
    }
}
