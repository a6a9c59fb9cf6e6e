//! A figure against a swept parameter: one line per strategy (the other parameters' values),
//! each point the mean over the point's seeds with its 95% confidence interval drawn as a band
//! (Student's t, see `tables::stats`), and optional dashed model curves (the theory the
//! experiment tests) in the colour of the line they predict.
//!
//! The x axis is numeric when every value of the swept parameter is a number, else
//! categorical (values in sweep order, evenly spaced). How points are marked on each kind of
//! axis (dots, markers, a band) is in [`super::sweep_panel`]. Three lines or more are drawn
//! as small multiples: one panel per line on shared axes, so no line hides another.

use super::data::finite_range;
use super::legend::{self, Entry, Swatch};
use super::palette::Palette;
use super::render::{frame, render, Area, Figure, LABEL_PX};
use super::sweep_data::MODEL;
pub use super::sweep_data::{MeanLine, MeanPoint, ModelLine, SweepChart, SMALL_MULTIPLES};
use super::sweep_panel::{draw_panel, grid, x_range, Marks, Panel};
use super::{Chart, ChartError};
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

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
        let x = x_range(d)?;
        let y = y_range(d);
        let marks = Marks::of(d);
        let color = |l: &MeanLine| self.palette.color(&l.name);
        let models_of = |name: Option<&str>| -> Vec<&ModelLine> {
            d.models
                .iter()
                .filter(|m| name.is_none_or(|n| m.color_key == n))
                .collect()
        };
        if d.lines.len() >= SMALL_MULTIPLES {
            // One panel per line, shared axes: an overlay of three or more would hide lines.
            for (l, cell) in d.lines.iter().zip(grid(&plot, d.lines.len())) {
                draw_panel(
                    &cell.area,
                    &Panel {
                        data: d,
                        lines: vec![l],
                        models: models_of(Some(&l.name)),
                        colors: vec![color(l)],
                        x: x.clone(),
                        y: y.clone(),
                        heading: Some(&l.name),
                        x_desc: cell.x_desc,
                        y_desc: cell.y_desc,
                        label_px: LABEL_PX - 3,
                    },
                )?;
            }
        } else {
            draw_panel(
                &plot,
                &Panel {
                    data: d,
                    lines: d.lines.iter().collect(),
                    models: models_of(None),
                    colors: d.lines.iter().map(color).collect(),
                    x,
                    y,
                    heading: None,
                    x_desc: true,
                    y_desc: true,
                    label_px: LABEL_PX,
                },
            )?;
        }
        let swatch = if marks == Marks::Band {
            Swatch::Line
        } else {
            Swatch::Fill
        };
        let mut entries: Vec<Entry> = d
            .lines
            .iter()
            .map(|l| Entry::new(l.name.clone(), color(l), swatch))
            .collect();
        entries.extend(
            d.models
                .iter()
                .map(|m| Entry::new(m.name.clone(), MODEL, Swatch::Dashed)),
        );
        let any_ci = d
            .lines
            .iter()
            .flat_map(|l| l.points.iter())
            .any(|p| p.ci95.is_some());
        if any_ci {
            let (label, sw) = match marks {
                Marks::Band => ("95% CI of the mean", Swatch::Shade),
                _ => ("95% CI (whiskers)", Swatch::Line),
            };
            entries.push(Entry::new(label, RGBColor(0x80, 0x80, 0x80), sw));
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
        assert!(!c.svg.contains("<polygon"), "no band between two points");
        assert!(c.svg.contains("<circle"), "markers");
        let mut dense = data();
        dense.lines[0].points = (0..8)
            .map(|i| MeanPoint {
                x: f64::from(i),
                mean: 1.0,
                ci95: Some((0.5, 1.5)),
            })
            .collect();
        let c = sweep_chart(&dense, &Palette::new(["a"])).unwrap();
        assert!(c.svg.contains("<polygon"), "band drawn over dense points");
        assert!(c.png.len() > 1000);
        let mut empty = data();
        empty.lines[0].points.clear();
        assert!(sweep_chart(&empty, &Palette::default()).is_err());
    }
}
