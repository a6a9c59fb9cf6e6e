//! Metrics: every figure of design.md's "Figures every run reports", per run and per fleet,
//! time series per bucket, per-client and per-tenant totals.
//!
//! During a run the [`Recorder`] does integer adds into preallocated arrays; derived figures
//! (rates, amplification, percentiles from an HDR histogram, Jain's fairness index, recovery
//! time) are computed once at the end into the serialisable [`RunResult`].

mod fairness;
mod recorder;
mod recovery;
mod result;
mod summary;

pub use fairness::{jain, jain_max_min, jain_of_ratios, max_min_shares};
pub use recorder::Recorder;
pub(crate) use recorder::ServerGauges;
pub use recovery::{recovery, Recovery, TOLERANCE, WINDOW};
pub use result::{ClientRow, Latency, RunResult, Series, SeriesRow, Summary, TenantRow};
pub use summary::SummaryInputs;
