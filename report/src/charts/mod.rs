//! Charts of one run, drawn with plotters into both SVG (for the HTML report, crisp at any zoom)
//! and PNG (for slides and issue comments).
//!
//! Why this shape: every chart function takes plain data (the small structs in [`data`] and
//! beside each chart), not the simulator's `RunResult`, so charts can be tested on synthetic
//! data and reused by `compare` and `sweep`; [`from_run`] is the thin adapter from a run.
//! Text is drawn with the bundled DejaVu Sans (see [`font`]), so rendering needs no system
//! font and no fontconfig. Colours come from one [`Palette`] keyed by name, so a fleet or a
//! strategy has the same colour in every chart of a report. Legends sit in a strip to the
//! right of the plot area, never over the data.

pub mod compare;
pub mod data;
pub mod fairness;
pub mod font;
pub mod from_run;
pub mod from_sweep;
mod glyphs;
pub mod heatmap;
pub mod histogram;
pub mod latency;
mod legend;
pub mod lines;
mod nines;
mod overlay;
pub mod palette;
mod percentiles;
mod render;
pub mod run_series;
pub mod scatter;
pub mod sweep;
mod sweep_data;
mod sweep_panel;
pub mod theory;
pub mod timeline;

pub use data::{Bin, Mark, Series, Window};
pub use fairness::{fairness, Fairness, FairnessBar};
pub use histogram::{histogram, HistGroup, Histogram};
pub use latency::{latency_over_time, LatencyBucket, LatencyOverTime};
pub use lines::{lines_over_time, Line, LinesOverTime};
pub use palette::Palette;
pub use percentiles::{latency_percentiles, LatencyPercentiles, PercentileCurve};
pub use timeline::{timeline, Capacity, Timeline, TimelineBucket};

/// Pixel size of every chart (width, height). SVG uses the same size as its viewBox.
pub const CHART_SIZE: (u32, u32) = (1000, 500);

/// A failure to draw a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The bundled font could not be parsed (a corrupted build).
    #[error("the bundled font could not be loaded")]
    Font,
    /// A plotters drawing error.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// The data cannot be drawn (for example, no points at all).
    #[error("nothing to draw: {0}")]
    Empty(&'static str),
}

/// One drawn chart: a file stem, the title and caption for the report, and both encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File stem under `charts/` (`timeline` gives `charts/timeline.svg` and `.png`).
    pub name: String,
    /// What the chart compares; the HTML heading.
    pub title: String,
    /// How to read it; the HTML caption.
    pub caption: String,
    /// The SVG document (UTF-8 text).
    pub svg: String,
    /// The PNG file bytes.
    pub png: Vec<u8>,
}
