//! A general chart of named lines over time, used for limiter state (tokens remaining, window
//! count, adaptive limit against in-flight requests) and any other per-bucket gauge.

use super::data::{finite_range, padded_x, zero_based_y, Mark, Window};
use super::legend::{self, Entry, Swatch};
use super::overlay::{draw_marks, shade_windows};
use super::palette::{role, Palette};
use super::render::{
    err, fmt_num, frame, render, text, Area, Figure, DESC_PX, GRID_BOLD, GRID_LIGHT, LABEL_PX,
};
use super::{Chart, ChartError};
use plotters::prelude::{ChartBuilder, DashedLineSeries, DrawingBackend, LineSeries};
use plotters::style::{Color, BLACK};

/// One line: points (seconds, value), coloured by `color_key` in the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend label.
    pub name: String,
    /// Palette key (a fleet or limiter level name), so related lines share a colour.
    pub color_key: String,
    /// Dashed (a limit or target) rather than solid (a measured value).
    pub dashed: bool,
    /// (seconds, value) points in time order.
    pub points: Vec<(f64, f64)>,
}

/// Data of a lines-over-time chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LinesOverTime {
    /// File stem under `charts/`.
    pub name: String,
    /// Chart title.
    pub title: String,
    /// Caption for the report.
    pub caption: String,
    /// Y axis description with unit (`tokens`, `requests in flight`).
    pub y_desc: String,
    /// The lines.
    pub lines: Vec<Line>,
    /// Fault windows to shade.
    pub faults: Vec<Window>,
    /// Vertical marks (window resets).
    pub marks: Vec<Mark>,
}

/// Draw a lines-over-time chart.
pub fn lines_over_time(data: &LinesOverTime, palette: &Palette) -> Result<Chart, ChartError> {
    if data.lines.iter().all(|l| l.points.is_empty()) {
        return Err(ChartError::Empty("no line has points"));
    }
    let fig = Fig { data, palette };
    render(&fig, &data.name, &data.title, data.caption.clone())
}

struct Fig<'a> {
    data: &'a LinesOverTime,
    palette: &'a Palette,
}

impl Figure for Fig<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), ChartError> {
        let d = self.data;
        let (plot, legend_area) = frame(root, &d.title)?;
        let all = || d.lines.iter().flat_map(|l| l.points.iter());
        let (x0, x1) = finite_range(all().map(|p| p.0)).ok_or(ChartError::Empty("no finite x"))?;
        let (_, y1) = finite_range(all().map(|p| p.1)).unwrap_or((0.0, 1.0));
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .build_cartesian_2d(padded_x(x0, x1), zero_based_y(y1))
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID_LIGHT)
            .bold_line_style(GRID_BOLD)
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .x_desc("time since start, s")
            .y_desc(d.y_desc.as_str())
            .label_style(text(LABEL_PX, BLACK))
            .axis_desc_style(text(DESC_PX, BLACK))
            .draw()
            .map_err(err)?;
        shade_windows(&mut chart, &d.faults)?;
        draw_marks(&mut chart, &d.marks)?;
        let mut entries = Vec::new();
        for l in &d.lines {
            let color = self.palette.color(&l.color_key);
            if l.dashed {
                chart
                    .draw_series(DashedLineSeries::new(
                        l.points.iter().copied(),
                        8,
                        5,
                        color.stroke_width(2),
                    ))
                    .map_err(err)?;
                entries.push(Entry::new(l.name.clone(), color, Swatch::Dashed));
            } else {
                chart
                    .draw_series(LineSeries::new(
                        l.points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(err)?;
                entries.push(Entry::new(l.name.clone(), color, Swatch::Line));
            }
        }
        if let Some(m) = d.marks.first() {
            entries.push(Entry::new(m.label.clone(), role::MARK, Swatch::Line));
        }
        if !d.faults.is_empty() {
            entries.push(Entry::new("fault window", role::FAULT, Swatch::Shade));
        }
        legend::draw(&legend_area, &entries)
    }
}
