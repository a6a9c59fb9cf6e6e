//! The page of a report as plain data ([`Page`]), and its rendering into one HTML document
//! ([`render_page`], in [`render`]; tables in [`tables`], charts in [`figures`]).
//!
//! Why plain data: the run, sweep and comparison reports each fill a [`Page`] and share one
//! renderer, so their pages look alike and a report's content can be tested without parsing
//! HTML.

mod figures;
mod render;
mod tables;

use crate::charts::Chart;

pub use render::render_page;

/// A column of the summary table: "all" or a fleet, with its palette colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header text.
    pub name: String,
    /// CSS colour of the swatch beside the name, if any.
    pub color: Option<String>,
}

/// A row of the summary table: a figure with its unit and one cell per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The figure (`goodput`).
    pub label: String,
    /// A breakdown of the row above (`rejected 429` under `rejected`): drawn indented.
    pub sub: bool,
    /// Its unit (`req/s`), may be empty.
    pub unit: String,
    /// Formatted values, one per column.
    pub cells: Vec<String>,
}

/// The summary table: figures down, whole run and fleets across.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The value columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A row of a [`Grid`]: its cells and a CSS class (`better`, `worse`, or empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridRow {
    /// Formatted cells, one per column.
    pub cells: Vec<String>,
    /// CSS class of the row.
    pub class: String,
}

/// A plain table with its own heading (sweep points, comparison verdicts, parameters).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    /// Element id (`points`, `verdicts`).
    pub id: String,
    /// Heading above it.
    pub heading: String,
    /// How to read it, under the heading.
    pub caption: String,
    /// Column headers.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<GridRow>,
}

/// How charts are put in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Embed {
    /// Inline `<svg>` elements (sharp at any zoom; the run report).
    #[default]
    InlineSvg,
    /// `<img>` elements with the PNG as a `data:` URI (the bundled font exactly as drawn).
    PngDataUri,
}

/// Everything on the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Scenario name (the heading).
    pub title: String,
    /// One-line description.
    pub description: String,
    /// (label, value) facts shown under the heading: seed, duration, bucket, events.
    pub meta: Vec<(String, String)>,
    /// The question, its answer and the chart that shows it: the first thing on the page.
    pub headline: Option<super::Headline>,
    /// The summary table.
    pub table: Table,
    /// Further tables, after the summary table.
    pub grids: Vec<Grid>,
    /// How charts are embedded.
    pub embed: Embed,
    /// The scenario file text, shown in a collapsed block.
    pub scenario_text: String,
    /// The charts, in order.
    pub charts: Vec<Chart>,
    /// Remarks (charts left out and why).
    pub notes: Vec<String>,
    /// Footer text (generator and version).
    pub footer: String,
}
