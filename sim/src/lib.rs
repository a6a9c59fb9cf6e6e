//! The deterministic discrete-event simulator: client fleets with retry policies against a
//! server with pluggable limiters, a backend and faults, measured end to end.

pub mod scenario;
pub mod model;
pub mod retry;
pub mod resilience;
pub mod engine;
pub mod server;
pub mod metrics;
pub mod client;
mod run;

pub use engine::Progress;
pub use metrics::RunResult;
pub use run::{run, SimError, Simulation};
