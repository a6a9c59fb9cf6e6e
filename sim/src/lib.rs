//! The deterministic discrete-event simulator: client fleets with retry policies against a
//! server with pluggable limiters, a backend and faults, measured end to end.

pub mod scenario;
pub mod model;
pub mod retry;
