//! Tables, charts and the self-contained HTML report, built from the simulator's results.

pub mod charts;
pub mod experiments;
pub mod files;
pub mod html;
pub mod human;
pub mod tables;
pub mod value_label;

pub use html::write_run_report;
