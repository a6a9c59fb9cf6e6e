//! The data of a figure against a swept parameter (what [`super::sweep`] draws and the panels
//! of [`super::sweep_panel`] mark): lines of means with their 95% intervals and model curves.
//! Kept apart so the figure and its panels both read it without importing each other.

use plotters::style::RGBColor;

/// Colour of model curves.
pub(crate) const MODEL: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// From this many lines on, one panel per line (small multiples with shared axes).
pub const SMALL_MULTIPLES: usize = 3;

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
