//! The deterministic discrete-event simulator: client fleets with retry policies against a
//! server with pluggable limiters, a backend and faults, measured end to end.

pub mod client;
pub mod contention;
pub mod engine;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod retry;
mod run;
pub mod scenario;
pub mod server;
pub mod sweep;
pub mod work;

pub use engine::Progress;
pub use metrics::RunResult;
pub use run::{run, SimError, Simulation};
