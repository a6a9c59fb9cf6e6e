//! The self-contained HTML reports of a run, a sweep and a comparison. A run's: one file that opens offline in any browser, with
//! the scenario, its summary table per fleet, and every chart inline.
//!
//! Why inline SVG: no network, no JavaScript, no side files to lose when the report is mailed
//! or attached to an issue; SVG stays sharp when zoomed and is plain text, so the whole page is
//! deterministic (the same run gives a byte-identical `report.html`). The page is built from
//! plain data ([`Page`]); [`run_report`] fills it from a simulator run.

pub mod agreement_report;
pub mod compare_report;
mod escape;
pub(crate) mod files;
pub mod headline;
mod page;
pub mod run_report;
mod style;
pub mod summary;
pub mod sweep_report;

pub use agreement_report::{write_agreement_report, AgreementInput, AgreementRow};
pub use compare_report::{build_compare_report, write_compare_report, CompareReportInput};
pub use escape::escape;
pub use files::ReportError;
pub use headline::{question_of, read_headline, Headline, HEADLINE_FILE};
pub use page::{render_page, Column, Embed, Grid, GridRow, Page, Row, Table};
pub use run_report::{build_run_report, write_run_report, RunReport, SCENARIO_COPY};
pub use sweep_report::{build_sweep_report, write_sweep_report, SweepReportInput};
