//! A scatter of two figures, one colour per group, with an optional vertical threshold: the
//! atlas's "latency cost against over-admission" (each point a deployment, each colour a
//! design), where the threshold is the over-admission a reviewer accepts.
//!
//! Why a chart of its own: the sweep charts draw a figure against a parameter; here neither
//! axis is a parameter, both are measured, and a point's position is the trade-off itself.

use super::data::finite_range;
use super::legend::{self, Entry, Swatch};
use super::palette::Palette;
use super::render::{err, fmt_num, frame, render, text, Area, Figure, DESC_PX, LABEL_PX};
use super::render::{GRID_BOLD, GRID_LIGHT};
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, Circle, DashedLineSeries, DrawingBackend, IntoLogRange};
use plotters::style::{Color, BLACK};

/// One group of points.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterGroup {
    /// Legend label and palette key.
    pub name: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// Data of a scatter chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Scatter {
    /// File stem under `charts/`.
    pub name: String,
    /// Title.
    pub title: String,
    /// Caption for the report.
    pub caption: String,
    /// X axis description with unit.
    pub x_desc: String,
    /// Y axis description with unit.
    pub y_desc: String,
    /// The groups, in legend order.
    pub groups: Vec<ScatterGroup>,
    /// A vertical dashed line at this x, with its legend label.
    pub threshold: Option<(f64, String)>,
}

/// Draw a scatter chart.
///
/// ```
/// use report::charts::scatter::{scatter, Scatter, ScatterGroup};
/// use report::charts::Palette;
/// let d = Scatter {
///     name: "s".into(), title: "t".into(), caption: String::new(),
///     x_desc: "x".into(), y_desc: "y".into(),
///     groups: vec![ScatterGroup { name: "a".into(), points: vec![(1.0, 2.0), (3.0, 0.5)] }],
///     threshold: Some((1.05, "5% over".into())),
/// };
/// let c = scatter(&d, &Palette::new(["a"])).unwrap();
/// assert!(c.svg.contains("<circle") && c.png.starts_with(b"\x89PNG"));
/// ```
pub fn scatter(data: &Scatter, palette: &Palette) -> Result<Chart, ChartError> {
    if data.groups.iter().all(|g| g.points.is_empty()) {
        return Err(ChartError::Empty("no point to scatter"));
    }
    render(
        &Fig { data, palette },
        &data.name,
        &data.title,
        data.caption.clone(),
    )
}

struct Fig<'a> {
    data: &'a Scatter,
    palette: &'a Palette,
}

/// A log-scale x range around `values` (positive ones; ratios such as window / limit
/// spread over decades, and a linear axis piles the exact designs on one dot).
fn log_range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = finite_range(values.filter(|v| *v > 0.0)).unwrap_or((1.0, 1.0));
    lo / 1.15..hi * 1.15
}

/// A range covering `values` from zero (all figures here are >= 0), padded above.
fn range(values: impl Iterator<Item = f64>) -> std::ops::Range<f64> {
    let (lo, hi) = finite_range(values).unwrap_or((0.0, 1.0));
    let lo = lo.min(0.0);
    let span = (hi - lo).max(1e-9);
    lo..hi + span * 0.08
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let pts = || d.groups.iter().flat_map(|g| g.points.iter());
        let x = log_range(pts().map(|p| p.0).chain(d.threshold.iter().map(|t| t.0)));
        let y = range(pts().map(|p| p.1));
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x.log_scale(), y.clone())
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .x_desc(d.x_desc.as_str())
            .y_desc(d.y_desc.as_str())
            .draw()
            .map_err(err)?;
        let mut entries = Vec::new();
        if let Some((tx, label)) = &d.threshold {
            chart
                .draw_series(DashedLineSeries::new(
                    [(*tx, y.start), (*tx, y.end)],
                    6,
                    4,
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?;
            entries.push(Entry::new(label.clone(), BLACK, Swatch::Dashed));
        }
        for g in &d.groups {
            let c = self.palette.color(&g.name);
            chart
                .draw_series(
                    g.points
                        .iter()
                        .map(|&(px, py)| Circle::new((px, py), 5, c.mix(0.75).filled())),
                )
                .map_err(err)?;
            entries.push(Entry::new(g.name.clone(), c, Swatch::Fill));
        }
        legend::draw(&legend_area, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_scatter_is_refused() {
        let d = Scatter {
            name: "s".into(),
            title: "t".into(),
            caption: String::new(),
            x_desc: "x".into(),
            y_desc: "y".into(),
            groups: vec![ScatterGroup {
                name: "a".into(),
                points: vec![],
            }],
            threshold: None,
        };
        assert!(matches!(
            scatter(&d, &Palette::new(["a"])),
            Err(ChartError::Empty(_))
        ));
    }

    #[test]
    fn ranges_start_at_zero_and_pad_above() {
        let r = range([1.0, 3.0].into_iter());
        assert_eq!(r.start, 0.0);
        assert!(r.end > 3.0);
        let l = log_range([0.0, 0.9, 10.0].into_iter());
        assert!(l.start > 0.0 && l.start < 0.9 && l.end > 10.0);
    }
}
