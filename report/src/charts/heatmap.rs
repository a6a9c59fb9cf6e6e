//! A heatmap of one figure over a two-parameter sweep: one cell per point, coloured by the
//! mean over the point's seeds, the value printed in the cell, and a colour bar with the
//! figure's unit in the legend strip.
//!
//! Colours: viridis (van der Walt and Smith, matplotlib 2.0, 2015), perceptually uniform and
//! readable in greyscale and by the common forms of colour blindness; interpolated here from
//! nine of its stops. Text in a cell is white on the dark half of the scale, black on the
//! light half.
//!
//! Why cells can be grey: a colour scale stretched over the cells' range turns any spread,
//! however small, into the full scale from purple to yellow. A cell whose 95% confidence
//! interval contains the mean of the other cells is not shown to differ from them, so it is
//! drawn grey ("within CI") and only cells the seeds can tell apart get a colour; the colour
//! bar states the scale's range and its spread relative to the mean.

use super::render::{err, fmt_num, frame, render, text, Area, Figure, DESC_PX, LABEL_PX};
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, DrawingBackend, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor, BLACK, WHITE};

/// Data of a heatmap: `cells[row][column]`, rows along y (bottom to top), columns along x.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// File stem under `charts/`.
    pub name: String,
    /// Title.
    pub title: String,
    /// Caption for the report.
    pub caption: String,
    /// X axis description (the first parameter).
    pub x_desc: String,
    /// Y axis description (the second parameter).
    pub y_desc: String,
    /// Column labels (x values).
    pub x_labels: Vec<String>,
    /// Row labels (y values).
    pub y_labels: Vec<String>,
    /// The figure's mean per cell; `None` where a point has no value.
    pub cells: Vec<Vec<Option<f64>>>,
    /// The 95% confidence interval of each cell's mean, like `cells`; empty when unknown
    /// (then no cell is greyed).
    pub ci: Vec<Vec<Option<(f64, f64)>>>,
    /// The figure and its unit, for the colour bar (`goodput, req/s`).
    pub unit: String,
}

/// Fill of a cell with no value.
const EMPTY: RGBColor = RGBColor(0xE8, 0xE8, 0xE8);
/// Fill of a cell inside the 95% CI of the others.
const WITHIN: RGBColor = RGBColor(0xCF, 0xCF, 0xCF);

/// Nine stops of viridis, from 0 to 1.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2D, 0x7B),
    (0x3B, 0x52, 0x8B),
    (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C),
    (0x28, 0xAE, 0x80),
    (0x5E, 0xC9, 0x62),
    (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
];

/// The viridis colour at `t` in [0, 1] (clamped; NaN gives the low end).
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Draw a heatmap.
pub fn heatmap(data: &Heatmap) -> Result<Chart, ChartError> {
    let nx = data.x_labels.len();
    let ny = data.y_labels.len();
    if nx == 0 || ny == 0 || data.cells.iter().flatten().all(|c| c.is_none()) {
        return Err(ChartError::Empty("no heatmap cell has a value"));
    }
    if data.cells.len() != ny || data.cells.iter().any(|r| r.len() != nx) {
        return Err(ChartError::Empty("heatmap cells do not match its labels"));
    }
    render(data, &data.name, &data.title, data.caption.clone())
}

impl Heatmap {
    fn range(&self) -> (f64, f64) {
        let vals = self.cells.iter().flatten().flatten().copied();
        super::data::finite_range(vals).unwrap_or((0.0, 1.0))
    }

    /// Whether cell (row, col) has a 95% interval that contains the mean of the other cells:
    /// the seeds do not show it to differ from them.
    pub fn within_ci(&self, row: usize, col: usize) -> bool {
        let Some(Some((lo, hi))) = self.ci.get(row).and_then(|r| r.get(col)) else {
            return false;
        };
        let others: Vec<f64> = self
            .cells
            .iter()
            .enumerate()
            .flat_map(|(r, vs)| vs.iter().enumerate().map(move |(c, v)| ((r, c), v)))
            .filter(|(rc, _)| *rc != (row, col))
            .filter_map(|(_, v)| *v)
            .collect();
        if others.is_empty() {
            return false;
        }
        let m = others.iter().sum::<f64>() / others.len() as f64;
        *lo <= m && m <= *hi
    }

    /// The scale's spread, `hi - lo`, as a share of the mean of the cells (`None` when the
    /// mean is zero).
    fn spread(&self) -> Option<f64> {
        let vals: Vec<f64> = self.cells.iter().flatten().flatten().copied().collect();
        let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
        let (lo, hi) = self.range();
        (mean != 0.0).then(|| (hi - lo) / mean.abs())
    }

    fn norm(&self, v: f64) -> f64 {
        let (lo, hi) = self.range();
        if hi > lo {
            (v - lo) / (hi - lo)
        } else {
            0.5
        }
    }
}

/// A cell value, short enough for a narrow cell.
fn cell_text(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

impl Figure for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let (plot, legend_area) = frame(root, &self.title)?;
        let nx = self.x_labels.len();
        let ny = self.y_labels.len();
        // Cell (i, j) spans [i - 0.5, i + 0.5] x [j - 0.5, j + 0.5]: integers are cell centres,
        // where the axis labels go.
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)
            .map_err(err)?;
        let (pw, _) = chart.plotting_area().dim_in_pixel();
        // Label every column when they fit (about 44 px each), else every k-th.
        let step = (nx * 44 / (pw as usize).max(1) + 1).max(1);
        let pick = |labels: &[String], v: f64, step: usize| -> String {
            let i = v.round();
            if (v - i).abs() > 1e-6 || i < 0.0 || !(i as usize).is_multiple_of(step) {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx * 2 + 2)
            .y_labels(ny * 2 + 2)
            .x_label_formatter(&|v| pick(&self.x_labels, *v, step))
            .y_label_formatter(&|v| pick(&self.y_labels, *v, 1))
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .draw()
            .map_err(err)?;
        let cell_px = pw as usize / nx.max(1);
        let font_px = match cell_px {
            60.. => LABEL_PX,
            40..=59 => LABEL_PX - 2,
            _ => LABEL_PX - 4,
        };
        let centre = Pos::new(HPos::Center, VPos::Center);
        for (row, values) in self.cells.iter().enumerate() {
            for (col, v) in values.iter().enumerate() {
                let (x, y) = (col as f64, row as f64);
                let within = self.within_ci(row, col);
                let fill = match v {
                    Some(_) if within => WITHIN,
                    Some(v) => viridis(self.norm(*v)),
                    None => EMPTY,
                };
                let corners = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
                chart
                    .draw_series([
                        Rectangle::new(corners, fill.filled()),
                        Rectangle::new(corners, WHITE.stroke_width(1)),
                    ])
                    .map_err(err)?;
                let label = v.map_or_else(|| "-".to_owned(), cell_text);
                let ink = match v {
                    Some(_) if within => RGBColor(0x40, 0x40, 0x40),
                    Some(v) if self.norm(*v) < 0.55 => WHITE,
                    Some(_) => BLACK,
                    None => RGBColor(0x60, 0x60, 0x60),
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        label,
                        (x, y),
                        text(font_px, ink).pos(centre),
                    )))
                    .map_err(err)?;
            }
        }
        colour_bar(&legend_area, self)
    }
}

/// The colour bar: a vertical gradient with the low, middle and high values and the unit.
fn colour_bar<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap) -> Result<(), ChartError> {
    let (lo, hi) = h.range();
    let (_, height) = area.dim_in_pixel();
    let top = 40i32;
    let bottom = (height as i32 - 110).max(top + 40);
    let (x0, x1) = (16i32, 40i32);
    area.draw_text(&h.unit, &text(LABEL_PX, BLACK), (12, 12))
        .map_err(err)?;
    let steps = (bottom - top).max(1);
    for k in 0..steps {
        let t = 1.0 - f64::from(k) / f64::from(steps);
        area.draw(&Rectangle::new(
            [(x0, top + k), (x1, top + k + 1)],
            viridis(t).filled(),
        ))
        .map_err(err)?;
    }
    area.draw(&Rectangle::new(
        [(x0, top), (x1, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(err)?;
    for (frac, v) in [(0.0, hi), (0.5, (lo + hi) / 2.0), (1.0, lo)] {
        let y = top + (f64::from(bottom - top) * frac) as i32;
        area.draw(&plotters::prelude::PathElement::new(
            vec![(x1, y), (x1 + 5, y)],
            BLACK.stroke_width(1),
        ))
        .map_err(err)?;
        area.draw_text(&fmt_num(v), &text(LABEL_PX, BLACK), (x1 + 9, y - 8))
            .map_err(err)?;
    }
    let grey = text(LABEL_PX - 2, RGBColor(0x60, 0x60, 0x60));
    let mut notes = vec![format!("range {} to {}", fmt_num(lo), fmt_num(hi))];
    if let Some(s) = h.spread() {
        notes.push(format!("spread {} of the mean", pct(s)));
    }
    if !h.ci.is_empty() {
        notes.push("grey: within the 95% CI".into());
        notes.push("of the other cells' mean".into());
    }
    notes.push("light grey: no value".into());
    for (i, n) in notes.iter().enumerate() {
        area.draw_text(n, &grey, (12, bottom + 12 + 17 * i as i32))
            .map_err(err)?;
    }
    Ok(())
}

/// A share as a percentage with two significant digits, trailing zeros cut: `0.0007` ->
/// `0.07%`, `0.034` -> `3.4%`.
fn pct(share: f64) -> String {
    let p = 100.0 * share;
    if p == 0.0 {
        "0%".into()
    } else if p.abs() >= 10.0 {
        format!("{p:.0}%")
    } else {
        let decimals = (1 - p.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{p:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            &s
        };
        format!("{s}%")
    }
}

#[cfg(test)]
mod tests;
