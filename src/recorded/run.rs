//! What a live run is, as the lab keeps it: the simulator's result type plus what was live
//! about it (the target, the wall time, what could not be driven live). Built by `load` and
//! `check-live`, written and read back by [`super::files`].

use serde::Serialize;

/// What a live run adds to the result: it was live, against what, and what it could not do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveInfo {
    /// Always `"live"`.
    pub mode: &'static str,
    /// The server's base URL.
    pub target: String,
    /// Wall-clock length of the run (seconds).
    pub wall_s: f64,
    /// The horizon the figures cover (seconds): the duration, or less if truncated.
    pub horizon_s: f64,
    /// The attempt cap ended the run before the duration.
    pub truncated: bool,
    /// Parts of the scenario not driven live.
    pub warnings: Vec<String>,
}

/// A live run: the simulator's result type, and what was live about it.
#[derive(Debug, Clone)]
pub struct LiveRun {
    /// The figures, time series and per-client rows, as `sim::run` returns them.
    pub result: sim::RunResult,
    /// Live facts.
    pub info: LiveInfo,
}
