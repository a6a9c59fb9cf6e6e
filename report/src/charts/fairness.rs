//! Fairness: for each tenant (or fleet, or client group), the share of its demand that was
//! served, as bars coloured by fleet, with Jain's fairness index of those shares.
//!
//! Jain's index (Jain, Chiu and Hawe, "A Quantitative Measure of Fairness and Discrimination
//! for Resource Allocation in Shared Computer Systems", DEC TR-301, 1984) of shares x_i is
//! (sum x_i)^2 / (n * sum x_i^2): 1 when every group gets the same share, 1/n when one group
//! gets everything. The simulator computes it; [`jain_index`] is here to compute it for data
//! that does not carry it and to cross-check.

use super::legend::{self, Entry, Swatch};
use super::palette::Palette;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::{
    ChartBuilder, DashedLineSeries, DrawingBackend, IntoSegmentedCoord, Rectangle,
};
use plotters::style::{Color, BLACK};

/// One bar: a group's demand and how much of it was served.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessBar {
    /// Group label (tenant id, fleet name).
    pub label: String,
    /// Fleet the group belongs to (palette key).
    pub fleet: String,
    /// Logical requests the group wanted to make.
    pub demand: u64,
    /// Logical requests that succeeded.
    pub served: u64,
}

impl FairnessBar {
    /// Served as a percentage of demand (0 when there was no demand).
    pub fn share_pct(&self) -> f64 {
        if self.demand == 0 {
            0.0
        } else {
            100.0 * self.served as f64 / self.demand as f64
        }
    }
}

/// Data of the fairness chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    /// Chart title.
    pub title: String,
    /// What a bar is (`tenant`, `fleet`), for the axis.
    pub group_kind: String,
    /// The bars, in display order.
    pub bars: Vec<FairnessBar>,
    /// Jain's index over the bars' groups, if known (computed from the bars otherwise).
    pub jain: Option<f64>,
    /// Jain's index over individual clients, if known (caption only).
    pub jain_clients: Option<f64>,
}

/// Jain's fairness index of `xs`; `None` for no values or all zero.
///
/// ```
/// use report::charts::fairness::jain_index;
/// assert_eq!(jain_index(&[1.0, 1.0, 1.0]), Some(1.0));
/// assert_eq!(jain_index(&[1.0, 0.0, 0.0, 0.0]), Some(0.25));
/// ```
pub fn jain_index(xs: &[f64]) -> Option<f64> {
    let sum: f64 = xs.iter().sum();
    let sq: f64 = xs.iter().map(|x| x * x).sum();
    if xs.is_empty() || sq <= 0.0 {
        None
    } else {
        Some(sum * sum / (xs.len() as f64 * sq))
    }
}

/// Draw the fairness chart (`charts/fairness.*`).
pub fn fairness(data: &Fairness, palette: &Palette) -> Result<Chart, ChartError> {
    if data.bars.is_empty() {
        return Err(ChartError::Empty("no fairness groups"));
    }
    let shares: Vec<f64> = data.bars.iter().map(FairnessBar::share_pct).collect();
    let jain = data.jain.or_else(|| jain_index(&shares));
    let fmt = |j: Option<f64>| j.map_or_else(|| "n/a".to_owned(), |j| format!("{j:.3}"));
    let mut caption = format!(
        "Share of each {}'s demand (logical requests) that succeeded; bars coloured by fleet, \
         dashed line at 100%. Jain's fairness index over {}s: {} (1 = equal shares, 1/n = one \
         takes all).",
        data.group_kind,
        data.group_kind,
        fmt(jain)
    );
    if let Some(j) = data.jain_clients {
        caption.push_str(&format!(" Over individual clients: {j:.3}."));
    }
    let title = format!("{} (Jain's index {})", data.title, fmt(jain));
    let fig = Fig {
        data,
        palette,
        title: &title,
    };
    render(&fig, "fairness", &title, caption)
}

struct Fig<'a> {
    data: &'a Fairness,
    palette: &'a Palette,
    title: &'a str,
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, self.title)?;
        let n = d.bars.len() as i32;
        let labels: Vec<&str> = d.bars.iter().map(|b| b.label.as_str()).collect();
        let fmt_x = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| labels.get(i))
                .map_or_else(String::new, |s| (*s).to_owned()),
            SegmentValue::Last => String::new(),
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .build_cartesian_2d((0..(n - 1).max(0)).into_segmented(), 0.0..110.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_labels(d.bars.len().min(24))
            .x_label_formatter(&fmt_x)
            .x_desc(d.group_kind.as_str())
            .y_label_formatter(&|v| fmt_num(*v))
            .y_desc("demand served, %")
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .draw()
            .map_err(err)?;
        let gap = if n > 40 { 0 } else { 3 };
        chart
            .draw_series(d.bars.iter().enumerate().map(|(i, b)| {
                let i = i as i32;
                let mut r = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), b.share_pct()),
                    ],
                    self.palette.color(&b.fleet).filled(),
                );
                r.set_margin(0, 0, gap, gap);
                r
            }))
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(SegmentValue::Exact(0), 100.0), (SegmentValue::Last, 100.0)],
                8,
                5,
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(err)?;
        let mut fleets: Vec<&str> = d.bars.iter().map(|b| b.fleet.as_str()).collect();
        fleets.sort_unstable();
        fleets.dedup();
        let entries: Vec<Entry> = fleets
            .iter()
            .map(|f| Entry::new(*f, self.palette.color(f), Swatch::Fill))
            .collect();
        legend::draw(&legend_area, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_handles_zero_demand() {
        let b = FairnessBar {
            label: "t0".into(),
            fleet: "web".into(),
            demand: 0,
            served: 0,
        };
        assert_eq!(b.share_pct(), 0.0);
        let b = FairnessBar {
            demand: 4,
            served: 1,
            ..b
        };
        assert_eq!(b.share_pct(), 25.0);
    }

    #[test]
    fn jain_bounds() {
        assert_eq!(jain_index(&[]), None);
        assert_eq!(jain_index(&[0.0, 0.0]), None);
        let j = jain_index(&[3.0, 1.0]).unwrap();
        assert!((j - 0.8).abs() < 1e-12);
    }
}
