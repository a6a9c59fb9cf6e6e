//! The comparison of two variants at a glance: for each headline figure, the mean paired
//! difference `B - A` as a percentage of A's mean, with its 95% confidence interval as a
//! horizontal bar (a forest plot). An interval that crosses the zero line is no evidence of a
//! difference; one that does not is drawn in B's colour and marked better or worse.

use super::data::finite_range;
use super::legend::{self, Entry, Swatch};
use super::palette::Palette;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, Circle, DrawingBackend, EmptyElement, PathElement, Text};
use plotters::style::{Color, RGBColor, BLACK};

/// One figure of the forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    /// Figure label with unit (`goodput, req/s`).
    pub label: String,
    /// Mean change `B - A` in % of A's mean.
    pub change_pct: f64,
    /// 95% interval of the change in % of A's mean.
    pub ci_pct: Option<(f64, f64)>,
    /// Whether the interval excludes zero.
    pub significant: bool,
    /// Short verdict drawn beside the interval (`better`, `worse`), may be empty.
    pub verdict: String,
}

/// Data of the forest plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    /// Title.
    pub title: String,
    /// Caption.
    pub caption: String,
    /// Variant B's name (its palette colour marks significant changes).
    pub b_name: String,
    /// Rows, top to bottom.
    pub rows: Vec<ForestRow>,
    /// The x axis's description.
    pub x_desc: String,
    /// Legend words for a marked row and an unmarked one.
    pub legend: (String, String),
}

impl Forest {
    /// The x axis and legend of a comparison of two variants over paired seeds.
    pub fn paired_seeds() -> (String, (String, String)) {
        (
            "change of B against A, % of A's mean (95% CI over paired seeds)".into(),
            ("CI excludes 0".into(), "CI includes 0".into()),
        )
    }
}

const GREY: RGBColor = RGBColor(0x90, 0x90, 0x90);
const INK: RGBColor = RGBColor(0x30, 0x30, 0x30);

/// Draw the forest plot (`charts/compare_changes.*`).
pub fn forest(data: &Forest, palette: &Palette) -> Result<Chart, ChartError> {
    if data.rows.is_empty() {
        return Err(ChartError::Empty("no figure to compare"));
    }
    let fig = Fig { data, palette };
    render(&fig, "compare_changes", &data.title, data.caption.clone())
}

struct Fig<'a> {
    data: &'a Forest,
    palette: &'a Palette,
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let n = d.rows.len();
        let xs = d.rows.iter().flat_map(|r| {
            let (lo, hi) = r.ci_pct.unwrap_or((r.change_pct, r.change_pct));
            [r.change_pct, lo, hi, 0.0]
        });
        let (lo, hi) = finite_range(xs).unwrap_or((-1.0, 1.0));
        let span = (hi - lo).max(1.0);
        let x = (lo - span * 0.08)..(hi + span * 0.16);
        // Row i (top = 0) sits at y = n - 1 - i.
        let labels: Vec<&str> = d.rows.iter().rev().map(|r| r.label.as_str()).collect();
        // as wide as the longest label (a fixed 260 px cut "deployment: replicas: Jain's index
        // of attempts" at its left), within a third to a half of the plot
        let style = text(LABEL_PX, BLACK);
        let widest = labels
            .iter()
            .filter_map(|l| plot.estimate_text_size(l, &style).ok())
            .map(|(w, _)| w)
            .max()
            .unwrap_or(0);
        let (plot_w, _) = plot.dim_in_pixel();
        let label_w = (widest + 16).clamp(plot_w / 5, plot_w / 2);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(45)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x, -0.6..n as f64 - 0.4)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .disable_y_mesh()
            .y_labels(n * 2 + 2)
            .y_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                labels
                    .get(i as usize)
                    .map_or_else(String::new, |s| (*s).to_owned())
            })
            .x_label_formatter(&|v| format!("{}%", fmt_num(*v)))
            .x_desc(d.x_desc.as_str())
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .draw()
            .map_err(err)?;
        let yr = chart.y_range();
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, yr.start), (0.0, yr.end)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
        let b = self.palette.color(&d.b_name);
        for (i, r) in d.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let color = if r.significant { b } else { GREY };
            if let Some((lo, hi)) = r.ci_pct {
                chart
                    .draw_series([
                        PathElement::new(vec![(lo, y), (hi, y)], color.stroke_width(3)),
                        PathElement::new(
                            vec![(lo, y - 0.15), (lo, y + 0.15)],
                            color.stroke_width(2),
                        ),
                        PathElement::new(
                            vec![(hi, y - 0.15), (hi, y + 0.15)],
                            color.stroke_width(2),
                        ),
                    ])
                    .map_err(err)?;
            }
            chart
                .draw_series(std::iter::once(Circle::new(
                    (r.change_pct, y),
                    5,
                    color.filled(),
                )))
                .map_err(err)?;
            if !r.verdict.is_empty() {
                let right = r.ci_pct.map_or(r.change_pct, |c| c.1).max(r.change_pct);
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((right, y))
                            + Text::new(r.verdict.clone(), (10, -8), text(LABEL_PX - 1, INK)),
                    ))
                    .map_err(err)?;
            }
        }
        let entries = vec![
            Entry::new(d.legend.0.as_str(), b, Swatch::Line),
            Entry::new(d.legend.1.as_str(), GREY, Swatch::Line),
        ];
        legend::draw(&legend_area, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_row() {
        let f = Forest {
            title: "B vs A".into(),
            caption: "c".into(),
            b_name: "b".into(),
            rows: vec![
                ForestRow {
                    label: "goodput, req/s".into(),
                    change_pct: 10.0,
                    ci_pct: Some((5.0, 15.0)),
                    significant: true,
                    verdict: "better".into(),
                },
                ForestRow {
                    label: "p99 latency, ms".into(),
                    change_pct: -1.0,
                    ci_pct: Some((-4.0, 2.0)),
                    significant: false,
                    verdict: String::new(),
                },
            ],
            x_desc: Forest::paired_seeds().0,
            legend: Forest::paired_seeds().1,
        };
        let c = forest(&f, &Palette::new(["a", "b"])).unwrap();
        assert!(c.svg.contains("goodput, req/s"));
        assert!(c.svg.contains("p99 latency, ms"));
        assert!(c.svg.contains("better"), "verdict drawn");
        let empty = Forest { rows: vec![], ..f };
        assert!(forest(&empty, &Palette::default()).is_err());
    }
}
