//! Tables, charts and the self-contained HTML report, built from the simulator's results.

pub mod charts;
pub mod html;

pub use html::write_run_report;
pub mod files;
