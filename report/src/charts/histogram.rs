//! Histograms: the retry-delay distribution per strategy (how backoff with jitter spreads
//! retries out, or fails to), and the server's arrival histogram at fine resolution (herds of
//! clients arriving together at window resets or on the minute), with marks at the resets.
//! Three groups or more are drawn as small multiples (one panel per group, the same x and y
//! ranges in each), the layout of the sweep charts ([`super::sweep_panel::grid`]): overlaid,
//! four translucent histograms of retry delays or arrivals hide one another.

use super::data::{finite_range, Bin, Mark};
use super::legend::{self, Entry, Swatch};
use super::palette::{role, Palette};
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::sweep::SMALL_MULTIPLES;
use super::sweep_panel::grid;
use super::{Chart, ChartError};
use plotters::coord::ranged1d::Ranged;
use plotters::prelude::{ChartBuilder, DrawingBackend, IntoLogRange, PathElement, Rectangle};
use plotters::style::{Color, BLACK};
use std::ops::Range;

/// One group of bins (a strategy, a fleet).
#[derive(Debug, Clone, PartialEq)]
pub struct HistGroup {
    /// Legend label and palette key.
    pub name: String,
    /// Bins in increasing order.
    pub bins: Vec<Bin>,
}

/// Data of a histogram chart. Up to two groups are overlaid, translucent, each with its
/// outline; from [`SMALL_MULTIPLES`] groups on, each has its own panel on shared axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// File stem under `charts/`.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// Caption for the report.
    pub caption: String,
    /// X axis description with unit (`retry delay, ms`).
    pub x_desc: String,
    /// Y axis description (`retries`, `arrivals per 100 ms`).
    pub y_desc: String,
    /// Log-scale x axis (for delays spanning orders of magnitude); bins must have `lo > 0`.
    pub log_x: bool,
    /// The groups.
    pub groups: Vec<HistGroup>,
    /// Vertical marks (window resets).
    pub marks: Vec<Mark>,
}

/// Bin `samples` into `edges.len() - 1` bins `[edges[i], edges[i+1])`; samples outside are
/// dropped. Edges must increase.
///
/// ```
/// use report::charts::histogram::bin_samples;
/// let bins = bin_samples(&[0.5, 1.5, 1.7, 9.0], &[0.0, 1.0, 2.0]);
/// assert_eq!(bins.iter().map(|b| b.count).collect::<Vec<_>>(), vec![1, 2]);
/// ```
pub fn bin_samples(samples: &[f64], edges: &[f64]) -> Vec<Bin> {
    let mut bins: Vec<Bin> = edges
        .windows(2)
        .map(|w| Bin {
            lo: w[0],
            hi: w[1],
            count: 0,
        })
        .collect();
    for &s in samples {
        let i = edges.partition_point(|&e| e <= s);
        if i >= 1 && i <= bins.len() {
            bins[i - 1].count += 1;
        }
    }
    bins
}

/// Edges spaced evenly on a log scale: `per_decade` bins per factor of ten from `lo` to `hi`.
///
/// ```
/// use report::charts::histogram::log_edges;
/// let e = log_edges(1.0, 100.0, 2);
/// assert_eq!(e.len(), 5);
/// assert!((e[2] - 10.0).abs() < 1e-9);
/// ```
pub fn log_edges(lo: f64, hi: f64, per_decade: u32) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && per_decade > 0) {
        return vec![];
    }
    let steps = ((hi / lo).log10() * f64::from(per_decade)).ceil() as i32;
    (0..=steps)
        .map(|k| lo * 10f64.powf(f64::from(k) / f64::from(per_decade)))
        .collect()
}

/// Draw a histogram chart.
pub fn histogram(data: &Histogram, palette: &Palette) -> Result<Chart, ChartError> {
    if data.groups.iter().all(|g| g.bins.is_empty()) {
        return Err(ChartError::Empty("histogram has no bins"));
    }
    let fig = Fig { data, palette };
    render(&fig, &data.name, &data.title, data.caption.clone())
}

struct Fig<'a> {
    data: &'a Histogram,
    palette: &'a Palette,
}

impl Fig<'_> {
    fn bins(&self) -> impl Iterator<Item = &Bin> {
        self.data
            .groups
            .iter()
            .flat_map(|g| g.bins.iter())
            .filter(move |b| !self.data.log_x || b.lo > 0.0)
    }
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let (x0, x1) = finite_range(self.bins().flat_map(|b| [b.lo, b.hi]))
            .ok_or(ChartError::Empty("no finite bins"))?;
        let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
        let y1 = self.bins().map(|b| b.count).max().unwrap_or(0).max(1) as f64 * 1.1;
        let axes = Axes {
            x: x0..x1,
            y: 0.0..y1,
        };
        if d.groups.len() >= SMALL_MULTIPLES {
            // One panel per group on the shared axes: overlaid, three or more hide each other.
            for (g, cell) in d.groups.iter().zip(grid(&plot, d.groups.len())) {
                let look = Look {
                    heading: Some(&g.name),
                    x_desc: cell.x_desc,
                    y_desc: cell.y_desc,
                    label_px: LABEL_PX - 3,
                };
                self.panel(&cell.area, &axes, &[g], &look)?;
            }
        } else {
            let all: Vec<&HistGroup> = d.groups.iter().collect();
            let look = Look {
                heading: None,
                x_desc: true,
                y_desc: true,
                label_px: LABEL_PX,
            };
            self.panel(&plot, &axes, &all, &look)?;
        }
        let mut entries: Vec<Entry> = d
            .groups
            .iter()
            .map(|g| Entry::new(g.name.clone(), self.palette.color(&g.name), Swatch::Fill))
            .collect();
        if let Some(m) = d.marks.first() {
            entries.push(Entry::new(m.label.clone(), role::MARK, Swatch::Line));
        }
        legend::draw(&legend_area, &entries)
    }
}

/// The axis ranges every panel of a chart shares.
struct Axes {
    x: Range<f64>,
    y: Range<f64>,
}

/// How a panel is labelled.
struct Look<'a> {
    heading: Option<&'a str>,
    x_desc: bool,
    y_desc: bool,
    label_px: u32,
}

impl Fig<'_> {
    /// Draw `groups` into `area` on the shared `axes`.
    fn panel<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        axes: &Axes,
        groups: &[&HistGroup],
        look: &Look<'_>,
    ) -> Result<(), ChartError> {
        let mut cb = ChartBuilder::on(area);
        cb.margin(10)
            .margin_right(20)
            .x_label_area_size(if look.x_desc { 45 } else { 26 })
            .y_label_area_size(if look.y_desc { 70 } else { 52 });
        if let Some(h) = look.heading {
            cb.caption(h, text(look.label_px, BLACK));
        }
        if self.data.log_x {
            let chart = cb
                .build_cartesian_2d(axes.x.clone().log_scale(), axes.y.clone())
                .map_err(err)?;
            self.finish(chart, groups, look)
        } else {
            let chart = cb
                .build_cartesian_2d(axes.x.clone(), axes.y.clone())
                .map_err(err)?;
            self.finish(chart, groups, look)
        }
    }

    fn finish<DB, X>(
        &self,
        mut chart: plotters::chart::ChartContext<
            '_,
            DB,
            plotters::prelude::Cartesian2d<X, plotters::coord::types::RangedCoordf64>,
        >,
        groups: &[&HistGroup],
        look: &Look<'_>,
    ) -> Result<(), ChartError>
    where
        DB: DrawingBackend,
        X: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
    {
        let d = self.data;
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style(text(look.label_px, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK));
        if look.x_desc {
            mesh.x_desc(d.x_desc.as_str());
        }
        if look.y_desc {
            mesh.y_desc(d.y_desc.as_str());
        }
        mesh.draw().map_err(err)?;
        let alpha = if groups.len() > 1 { 0.35 } else { 0.7 };
        for g in groups {
            let color = self.palette.color(&g.name);
            let bins = g
                .bins
                .iter()
                .filter(|b| (!d.log_x || b.lo > 0.0) && b.count > 0);
            chart
                .draw_series(bins.clone().map(|b| {
                    Rectangle::new(
                        [(b.lo, 0.0), (b.hi, b.count as f64)],
                        color.mix(alpha).filled(),
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(bins.map(|b| {
                    Rectangle::new([(b.lo, 0.0), (b.hi, b.count as f64)], color.stroke_width(1))
                }))
                .map_err(err)?;
        }
        let y = chart.y_range();
        let x = chart.x_range();
        chart
            .draw_series(
                d.marks
                    .iter()
                    .filter(|m| m.x >= x.start && m.x <= x.end)
                    .map(|m| {
                        PathElement::new(
                            vec![(m.x, y.start), (m.x, y.end)],
                            role::MARK.mix(0.7).stroke_width(1),
                        )
                    }),
            )
            .map_err(err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binning_drops_out_of_range_and_uses_half_open_bins() {
        let bins = bin_samples(&[-1.0, 0.0, 1.0, 2.0], &[0.0, 1.0, 2.0]);
        assert_eq!(bins.iter().map(|b| b.count).collect::<Vec<_>>(), vec![1, 1]);
    }

    #[test]
    fn log_edges_reject_bad_input() {
        assert!(log_edges(0.0, 10.0, 4).is_empty());
        assert!(log_edges(10.0, 1.0, 4).is_empty());
    }
}
