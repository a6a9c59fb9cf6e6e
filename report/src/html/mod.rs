//! The self-contained HTML report of a run: one file that opens offline in any browser, with
//! the scenario, its summary table per fleet, and every chart inline.
//!
//! Why inline SVG: no network, no JavaScript, no side files to lose when the report is mailed
//! or attached to an issue; SVG stays sharp when zoomed and is plain text, so the whole page is
//! deterministic (the same run gives a byte-identical `report.html`). The page is built from
//! plain data ([`Page`]); [`run_report`] fills it from a simulator run.

mod escape;
mod page;
pub mod run_report;
mod style;
pub mod summary;

pub use escape::escape;
pub use page::{render_page, Column, Page, Row, Table};
pub use run_report::{build_run_report, write_run_report, ReportError, RunReport, SCENARIO_COPY};
