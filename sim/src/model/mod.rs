//! The validated runtime configuration of a simulation: what [`crate::run`] takes.
//!
//! These are plain Rust types, independent of any file format: `crate::scenario` parses TOML
//! into them (with file:line:col errors), tests build them directly. [`Scenario::validate`]
//! checks what the types cannot express (non-zero counts, probabilities in [0, 1], limiter
//! parameters accepted by the registry), so the engine never meets an impossible value.

mod deployment;
mod dist;
mod fault;
mod fleet;
mod server;
mod validate;

pub use crate::retry::{Backoff, HonourRetryAfter, Jitter, RetryPolicy, StatusSet, Strategy};
pub use deployment::{
    Balancer, Deployment, EventKind, OnStoreError, Placement, ReplicaEvent, Store, MAX_REPLICAS,
};
pub use dist::Distribution;
pub use fault::{Fault, FaultKind};
pub use fleet::{Arrival, Failover, Fleet, Keys};
pub use server::{Backend, Charge, KeyBound, Level, RetryAfterFormat, Scope, Server, Upstream};

/// The arrival counts' resolution when a scenario does not say.
pub const DEFAULT_ARRIVAL_RESOLUTION: Nanos = Nanos::from_millis(100);
pub use validate::ModelError;
pub(crate) use validate::{arrival_rate_ok, closed_stalls, CLOSED_STALLS};

use limiters::Nanos;

/// Network delay, drawn independently for each direction of each attempt.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    /// One-way delay.
    pub delay: Distribution,
}

/// Unix seconds at t = 0 when a scenario does not say: 2026-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: u64 = 1_767_225_600;

/// A complete simulation scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name (used in output paths).
    pub name: String,
    /// One-line description.
    pub description: String,
    /// The design question the scenario answers (empty: reports use the description).
    pub question: String,
    /// The default seed (a run may override it).
    pub seed: u64,
    /// Simulated horizon: no event at or after it is processed.
    pub duration: Nanos,
    /// Time-series bucket width.
    pub bucket: Nanos,
    /// Resolution of the server-arrival counts (the herd chart); coarsened to stay within
    /// `metrics::MAX_ARRIVAL_BINS` bins per fleet.
    pub arrival_resolution: Nanos,
    /// Unix seconds at t = 0 (calendar quotas, epoch-style headers).
    pub epoch: u64,
    /// The server.
    pub server: Server,
    /// The network between clients and server.
    pub network: Network,
    /// Fault windows.
    pub faults: Vec<Fault>,
    /// Client fleets (names unique).
    pub fleets: Vec<Fleet>,
    /// Replicas behind a balancer, and where each level's state lives; `None`: one server.
    pub deployment: Option<Deployment>,
}

impl Scenario {
    /// A scenario with defaults: 60 s, 1 s buckets, seed 0, default epoch, no limiter, instant
    /// backend, no network delay, no faults, no fleets.
    pub fn new(name: &str) -> Scenario {
        Scenario {
            name: name.to_string(),
            description: String::new(),
            question: String::new(),
            seed: 0,
            duration: Nanos::from_secs(60),
            bucket: Nanos::from_secs(1),
            arrival_resolution: DEFAULT_ARRIVAL_RESOLUTION,
            epoch: DEFAULT_EPOCH,
            server: Server::default(),
            network: Network::default(),
            faults: Vec::new(),
            fleets: Vec::new(),
            deployment: None,
        }
    }

    /// The fleet called `name`.
    pub fn fleet(&self, name: &str) -> Option<&Fleet> {
        self.fleets.iter().find(|f| f.name == name)
    }
}
