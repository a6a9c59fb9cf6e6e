//! Live mode: the rate-limited HTTP server of `throttlelab serve`, on tokio and axum.
//!
//! The same limiter code as the simulator (`limiters`, built by name through its registry),
//! fed by a real monotonic clock converted to `Nanos` here at the edge; the seeds' wire formats
//! (header dialects from `limiters::headers`, five error envelopes); a backend that really
//! sleeps; and limiter state either in memory or in Redis, shared by several processes.

pub mod access_log;
pub mod ambiguity;
pub mod app;
pub mod attempt_id;
pub mod backend;
pub mod check;
pub mod config;
pub mod conns;
pub mod deployment;
pub mod envelope;
pub mod executions;
pub mod faults;
pub mod gauges;
pub mod idempotency;
pub mod identities;
pub mod inproc;
pub mod keys;
pub mod listen;
pub mod load;
pub mod metrics;
pub mod request;
pub mod respond;
pub mod scenario;
pub mod scrape;
pub mod server;
pub mod store;
pub mod work;
