//! A figure against a swept parameter: one line per strategy (the other parameters' values),
//! each point the mean over the point's seeds with its 95% confidence interval drawn as a band
//! (Student's t, see `tables::stats`), and optional dashed model curves (the theory the
//! experiment tests) in the colour of the line they predict.
//!
//! The x axis is numeric when every value of the swept parameter is a number, else
//! categorical (values in sweep order, evenly spaced).

use super::data::finite_range;
use super::legend::{self, Entry, Swatch};
use super::palette::Palette;
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::prelude::{
    ChartBuilder, Circle, DashedLineSeries, DrawingBackend, LineSeries, Polygon,
};
use plotters::style::{Color, RGBColor, BLACK};

/// Colour of model curves.
const MODEL: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// One point of a line: x, the mean over seeds, and the 95% interval when there are two
/// seeds or more.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanPoint {
    /// Position on the x axis (the parameter value, or its index when categorical).
    pub x: f64,
    /// Mean over the seeds.
    pub mean: f64,
    /// 95% confidence interval of the mean.
    pub ci95: Option<(f64, f64)>,
}

/// A line of means with its band.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanLine {
    /// Legend label and palette key (`max_attempts=4`).
    pub name: String,
    /// Points in x order.
    pub points: Vec<MeanPoint>,
}

/// A dashed model curve, coloured like the line `color_key`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelLine {
    /// Legend label (`max_attempts=4, theory`).
    pub name: String,
    /// Palette key of the measured line it predicts.
    pub color_key: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// Data of a sweep chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepChart {
    /// File stem under `charts/`.
    pub name: String,
    /// Title: what is compared.
    pub title: String,
    /// Caption for the report.
    pub caption: String,
    /// X axis description with unit.
    pub x_desc: String,
    /// Y axis description with unit.
    pub y_desc: String,
    /// Category labels when the x axis is categorical (x = 0, 1, ...); empty when numeric.
    pub categories: Vec<String>,
    /// The measured lines.
    pub lines: Vec<MeanLine>,
    /// Model curves drawn dashed over them.
    pub models: Vec<ModelLine>,
}

/// Draw a sweep chart.
pub fn sweep_chart(data: &SweepChart, palette: &Palette) -> Result<Chart, ChartError> {
    if data.lines.iter().all(|l| l.points.is_empty()) {
        return Err(ChartError::Empty("no sweep point has a value"));
    }
    let fig = Fig { data, palette };
    render(&fig, &data.name, &data.title, data.caption.clone())
}

struct Fig<'a> {
    data: &'a SweepChart,
    palette: &'a Palette,
}

/// Y range covering every mean, interval and model value, from zero when all are >= 0.
fn y_range(d: &SweepChart) -> std::ops::Range<f64> {
    let values = d
        .lines
        .iter()
        .flat_map(|l| l.points.iter())
        .flat_map(|p| {
            let (lo, hi) = p.ci95.unwrap_or((p.mean, p.mean));
            [p.mean, lo, hi]
        })
        .chain(d.models.iter().flat_map(|m| m.points.iter().map(|p| p.1)));
    let (lo, hi) = finite_range(values).unwrap_or((0.0, 1.0));
    let lo = if lo >= 0.0 { 0.0 } else { lo };
    let span = (hi - lo)
        .abs()
        .max(f64::EPSILON.max(hi.abs() * 1e-6))
        .max(1e-9);
    let top = if hi > lo { hi + span * 0.08 } else { lo + 1.0 };
    let bottom = if lo < 0.0 { lo - span * 0.08 } else { lo };
    bottom..top
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let xs = d
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.x))
            .chain(d.models.iter().flat_map(|m| m.points.iter().map(|p| p.0)));
        let (x0, x1) = finite_range(xs).ok_or(ChartError::Empty("no finite x"))?;
        let pad = if x1 > x0 { (x1 - x0) * 0.03 } else { 0.5 };
        let cats = &d.categories;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), y_range(d))
            .map_err(err)?;
        let x_fmt = |v: &f64| -> String {
            if cats.is_empty() {
                fmt_num(*v)
            } else {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    cats.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v| fmt_num(*v))
            .x_desc(d.x_desc.as_str())
            .y_desc(d.y_desc.as_str())
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK));
        if !cats.is_empty() {
            mesh.x_labels(cats.len().max(2) * 4);
        }
        mesh.draw().map_err(err)?;

        let mut entries = Vec::new();
        let mut any_band = false;
        for l in &d.lines {
            let color = self.palette.color(&l.name);
            let band: Vec<&MeanPoint> = l.points.iter().filter(|p| p.ci95.is_some()).collect();
            if band.len() >= 2 {
                any_band = true;
                let mut poly: Vec<(f64, f64)> = band
                    .iter()
                    .filter_map(|p| p.ci95.map(|c| (p.x, c.1)))
                    .collect();
                poly.extend(band.iter().rev().filter_map(|p| p.ci95.map(|c| (p.x, c.0))));
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.2).filled())))
                    .map_err(err)?;
            }
            // Error bars too: a band cannot show the interval of a lone point.
            for p in &l.points {
                if let Some((lo, hi)) = p.ci95 {
                    chart
                        .draw_series(LineSeries::new(
                            [(p.x, lo), (p.x, hi)],
                            color.mix(0.7).stroke_width(1),
                        ))
                        .map_err(err)?;
                }
            }
            let pts: Vec<(f64, f64)> = l.points.iter().map(|p| (p.x, p.mean)).collect();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(3)))
                .map_err(err)?;
            chart
                .draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled())))
                .map_err(err)?;
            entries.push(Entry::new(l.name.clone(), color, Swatch::Line));
        }
        // Model curves: dark dashes over the measured lines, which stay visible between them.
        for m in &d.models {
            chart
                .draw_series(DashedLineSeries::new(
                    m.points.iter().copied(),
                    6,
                    6,
                    MODEL.stroke_width(1),
                ))
                .map_err(err)?;
            entries.push(Entry::new(m.name.clone(), MODEL, Swatch::Dashed));
        }
        if any_band {
            entries.push(Entry::new(
                "95% CI of the mean",
                RGBColor(0x80, 0x80, 0x80),
                Swatch::Shade,
            ));
        }
        legend::draw(&legend_area, &entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> SweepChart {
        SweepChart {
            name: "sweep_goodput".into(),
            title: "Goodput against p".into(),
            caption: "c".into(),
            x_desc: "p".into(),
            y_desc: "req/s".into(),
            categories: vec![],
            lines: vec![MeanLine {
                name: "a".into(),
                points: vec![
                    MeanPoint {
                        x: 0.0,
                        mean: 1.0,
                        ci95: Some((0.5, 1.5)),
                    },
                    MeanPoint {
                        x: 1.0,
                        mean: 2.0,
                        ci95: Some((1.5, 2.5)),
                    },
                ],
            }],
            models: vec![ModelLine {
                name: "a, theory".into(),
                color_key: "a".into(),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
            }],
        }
    }

    #[test]
    fn y_range_covers_intervals_and_starts_at_zero() {
        let r = y_range(&data());
        assert_eq!(r.start, 0.0);
        assert!(r.end > 2.5);
    }

    #[test]
    fn draws_and_refuses_empty() {
        let c = sweep_chart(&data(), &Palette::new(["a"])).unwrap();
        assert!(c.svg.contains("<polygon"), "band drawn");
        assert!(c.png.len() > 1000);
        let mut empty = data();
        empty.lines[0].points.clear();
        assert!(sweep_chart(&empty, &Palette::default()).is_err());
    }
}
