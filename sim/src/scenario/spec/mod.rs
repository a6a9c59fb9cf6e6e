//! The scenario file as written: serde types mirroring the TOML one to one.
//!
//! Every table denies unknown fields (a typo such as `brust` is an error, not a silently
//! ignored key), and every value that a later check may reject is wrapped in
//! [`toml::Spanned`] so the error can point at its line and column. Integers are read as
//! `i64` and range-checked during validation, so `count = -3` gets "must be at least 1"
//! rather than serde's "expected u64". Variant-dependent tables (distributions, arrival
//! processes, faults, retry policies) are flat structs with optional fields, checked per
//! variant in `validate`: that keeps spans on every field, which serde's tagged enums lose.
//!
//! The format is documented field by field in `scenarios/README.md`.

pub use super::dist_spec::{DistSpec, DistTable};
use super::units::Dur;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub use super::units::Opt;
pub use fleet::{ArrivalSpec, BackoffSpec, FleetSpec, PointSpec, RetrySpec};

mod fleet;

/// The whole file.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Scenario name; names the output folder.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub name: Spanned<String>,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// The design question the scenario answers, in one sentence; reports open with it
    /// (and fall back to `description` without it).
    #[serde(default)]
    pub question: String,
    /// Default seed.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub seed: Opt<i64>,
    /// Simulated horizon.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub duration: Spanned<Dur>,
    /// Time-series bucket width.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub bucket: Opt<Dur>,
    /// Resolution of the server-arrival counts.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub arrival_resolution: Opt<Dur>,
    /// Unix seconds at t = 0.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub epoch: Opt<i64>,
    /// The API under test.
    #[serde(default)]
    pub server: ServerSpec,
    /// Network between clients and server.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Injected faults.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<FaultSpec>"))]
    pub faults: Vec<Spanned<FaultSpec>>,
    /// Client fleets by name.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "BTreeMap<String, FleetSpec>"))]
    pub fleet: BTreeMap<String, Spanned<FleetSpec>>,
    /// Replicas behind a balancer (`[deployment]`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<DeploymentSpec>"))]
    pub deployment: Option<Spanned<DeploymentSpec>>,
}

/// `[deployment]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeploymentSpec {
    /// Number of replicas.
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub replicas: Spanned<i64>,
    /// A balancer name (round_robin, random, least_outstanding, power_of_two, hash_key), or
    /// `{ weighted = [..] }`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<serde_json::Value>"))]
    pub balancer: Option<Spanned<toml::Value>>,
    /// Delay before the balancer's health checks notice a failed replica.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub health_check_delay: Opt<Dur>,
    /// Replica and store events (`[[deployment.events]]`).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<ReplicaEventSpec>"))]
    pub events: Vec<Spanned<ReplicaEventSpec>>,
}

/// One `[[deployment.events]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReplicaEventSpec {
    /// `fail`, `drain`, `store_outage`, `store_latency`, `store_partition`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: Spanned<String>,
    /// The replica (`fail`, `drain`, `store_partition`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub replica: Opt<i64>,
    /// When it starts.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub start: Spanned<Dur>,
    /// How long it lasts.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub duration: Spanned<Dur>,
    /// `store_latency`: the extra round trip.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub extra: Opt<Dur>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    /// Header dialect.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub dialect: Opt<String>,
    /// `Retry-After` format: `seconds` or `http-date`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub retry_after: Opt<String>,
    /// Limiter levels; each a table whose keys besides `scope`, `algorithm` and `status` are
    /// the algorithm's parameters (kept untyped here and checked by the limiter registry).
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Vec<super::schema_parts::LimiterLevel>")
    )]
    pub limiters: Vec<Spanned<LimiterTable>>,
    /// Backend capacity.
    #[cfg_attr(feature = "schema", schemars(with = "Option<BackendSpec>"))]
    pub backend: Option<Spanned<BackendSpec>>,
    /// Named upstreams (models), each with its own faults (`[[server.upstreams]]`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<UpstreamSpec>>"))]
    pub upstreams: Option<Vec<Spanned<UpstreamSpec>>>,
}

/// One `[[server.upstreams]]` table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UpstreamSpec {
    /// Name.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub name: Spanned<String>,
    /// Its own fault windows (`[[server.upstreams.faults]]`).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<FaultSpec>"))]
    pub faults: Vec<Spanned<FaultSpec>>,
}

/// `[fleet.<name>.failover]`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FailoverSpec {
    /// Statuses that count towards a fail-over.
    #[cfg_attr(feature = "schema", schemars(with = "Vec<i64>"))]
    pub on: Spanned<Vec<Spanned<i64>>>,
    /// Failures on one upstream before moving on (default 1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub after: Opt<i64>,
}

/// One `[[server.limiters]]` table, key by key.
pub type LimiterTable = BTreeMap<String, Spanned<toml::Value>>;

/// `[server.backend]`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BackendSpec {
    /// Concurrent workers.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub workers: Opt<i64>,
    /// Bounded FIFO length.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub queue: Opt<i64>,
    /// Longest wait in the queue before a 504.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub queue_timeout: Opt<Dur>,
    /// Deadline from admission, service included, before a 504 (service cancelled).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub deadline: Opt<Dur>,
    /// Service-time distribution.
    #[cfg_attr(feature = "schema", schemars(with = "Option<DistSpec>"))]
    pub service_time: Opt<DistSpec>,
}

/// `[network]`.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// One-way delay distribution.
    #[cfg_attr(feature = "schema", schemars(with = "Option<DistSpec>"))]
    pub delay: Opt<DistSpec>,
}

/// One `[[faults]]` table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// `error_rate`, `outage`, `latency_spike`, `capacity_drop`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: Spanned<String>,
    /// When it starts.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub start: Spanned<Dur>,
    /// How long it lasts.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub duration: Spanned<Dur>,
    /// `outage`, `error_rate`: the status returned.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub status: Opt<i64>,
    /// `error_rate`: the probability of an error.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub rate: Opt<f64>,
    /// `latency_spike`: extra service time.
    #[cfg_attr(feature = "schema", schemars(with = "Option<DistSpec>"))]
    pub extra: Opt<DistSpec>,
    /// `capacity_drop`: workers left.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub workers: Opt<i64>,
    /// With `[deployment]`: the one replica (0-based) whose backend the fault hits; every
    /// replica when absent.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub replica: Opt<i64>,
}

/// `[fleet.<name>.idempotency]`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IdempotencySpec {
    /// Probability that a retry reuses the key with a changed body.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub changed_body_probability: Opt<f64>,
}
