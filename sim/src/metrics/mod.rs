//! Metrics: every figure of design.md's "Figures every run reports", per run and per fleet,
//! time series per bucket, per-client and per-tenant totals.
//!
//! During a run the [`Recorder`] does integer adds into preallocated arrays; derived figures
//! (rates, amplification, percentiles from an HDR histogram, Jain's fairness index, recovery
//! time) are computed once at the end into the serialisable [`RunResult`]. Beside the
//! per-bucket counters it keeps a small log-linear latency histogram per bucket ([`loghist`],
//! for p50/p90/p99 over time), the retry delays each fleet's policy chose, server arrivals at
//! a finer resolution (100 ms by default), and the hottest key of a keyed first limiter level
//! (whose state the time series samples). Per tenant it counts rejections by status and keeps
//! a latency row while tenants are few enough (`tenants.rs`: bounded cost per tenant).

mod arrivals;
mod delays;
mod fairness;
mod hotkey;
pub mod loghist;
mod recorder;
mod recovery;
mod result;
mod summary;
mod tenants;

pub use arrivals::{arrival_bins, Arrivals, DEFAULT_ARRIVAL_RESOLUTION, MAX_ARRIVAL_BINS};
pub use delays::{DelayBin, RetryDelays};
pub use fairness::{jain, jain_max_min, jain_of_ratios, max_min_shares};
pub(crate) use recorder::{LimiterScope, ServerGauges};
pub use recorder::{Recorder, MAX_LATENCY_ROWS};
pub use recovery::{
    of_fleets as recovery_of_fleets, recovery, recovery_window, Recovery, MIN_WINDOW_BUCKETS,
    TOLERANCE, WINDOW,
};
pub use result::{
    ClientRow, KeyedLevel, Latency, RunResult, Series, SeriesRow, Summary, TenantRow,
};
pub use summary::SummaryInputs;
pub use tenants::{tenant_bytes, MAX_TENANT_LATENCY_ROWS};
