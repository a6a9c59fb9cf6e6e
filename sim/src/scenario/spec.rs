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

use super::units::{Dur, RateValue};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A spanned optional value: most fields are optional with a documented default.
pub type Opt<T> = Option<Spanned<T>>;

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
        schemars(with = "Vec<super::schema::LimiterLevel>")
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

/// A distribution of durations: either a duration string (a constant, `"5ms"`) or a table
/// such as `{ dist = "lognormal", mean = "50ms", p99 = "400ms" }`.
#[derive(Debug)]
pub enum DistSpec {
    /// A bare duration: always this value.
    Fixed(Dur),
    /// A table naming the distribution.
    Table(Box<DistTable>),
}

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<DistSpec, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

impl<'de> serde::de::Visitor<'de> for DistVisitor {
    type Value = DistSpec;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a duration such as \"5ms\" or a table such as { dist = \"exponential\", mean = \"5ms\" }")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DistSpec, E> {
        Dur::deserialize(serde::de::value::StrDeserializer::<E>::new(v)).map(DistSpec::Fixed)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DistSpec, E> {
        Dur::deserialize(serde::de::value::I64Deserializer::<E>::new(v)).map(DistSpec::Fixed)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DistSpec, A::Error> {
        DistTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(|t| DistSpec::Table(Box::new(t)))
    }
}

/// The table form of a distribution.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DistTable {
    /// `constant`, `exponential`, `lognormal`, `bimodal`, `normal_abs`, `uniform`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub dist: Spanned<String>,
    /// `constant`: the value.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub value: Opt<Dur>,
    /// `exponential`, `lognormal`, `normal_abs`: the mean.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub mean: Opt<Dur>,
    /// `lognormal`: the 99th percentile.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub p99: Opt<Dur>,
    /// `normal_abs`: the standard deviation.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub sd: Opt<Dur>,
    /// `bimodal`: the common, fast value; `uniform`: the lower bound.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub low: Opt<Dur>,
    /// `bimodal`: the rare, slow value; `uniform`: the upper bound (exclusive).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub high: Opt<Dur>,
    /// `bimodal`: probability of `high`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub p_high: Opt<f64>,
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

/// One `[fleet.<name>]` table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    /// Number of clients.
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub count: Spanned<i64>,
    /// `"per-client"` or a number of shared API keys.
    #[cfg_attr(feature = "schema", schemars(with = "Option<super::schema::Keys>"))]
    pub keys: Opt<toml::Value>,
    /// Tenants (orgs) the clients are spread over.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub tenants: Opt<i64>,
    /// Key names are `<key_prefix>-<n>`; fleets with the same prefix share keys.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub key_prefix: Opt<String>,
    /// Tenant names are `<tenant_prefix>-<n>`; fleets with the same prefix share tenants.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub tenant_prefix: Opt<String>,
    /// Arrival process.
    #[cfg_attr(feature = "schema", schemars(with = "ArrivalSpec"))]
    pub arrival: Spanned<ArrivalSpec>,
    /// Per-attempt timeout.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub timeout: Opt<Dur>,
    /// Per-logical-request deadline.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub deadline: Opt<Dur>,
    /// Cost units per request.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub cost: Opt<i64>,
    /// Whether requests carry an idempotency key.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub idempotent: Opt<bool>,
    /// Retry policy.
    #[cfg_attr(feature = "schema", schemars(with = "Option<RetrySpec>"))]
    pub retry: Option<Spanned<RetrySpec>>,
    /// Client-side resilience gates, in series (`[[fleet.<name>.gates]]`).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<Vec<super::gate_spec::GateTable>>")
    )]
    pub gates: Option<Vec<Spanned<super::gate_spec::GateTable>>>,
    /// Attempts carry the logical request's idempotency key.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub idempotency_key: Opt<bool>,
    /// How clients use their idempotency keys (`[fleet.<name>.idempotency]`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<IdempotencySpec>"))]
    pub idempotency: Option<Spanned<IdempotencySpec>>,
    /// Fail-over between the server's upstreams (`[fleet.<name>.failover]`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<FailoverSpec>"))]
    pub failover: Option<Spanned<FailoverSpec>>,
    /// How clients read rate-limit headers (`[fleet.<name>.headers]`).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<super::gate_spec::HeadersTable>")
    )]
    pub headers: Option<Spanned<super::gate_spec::HeadersTable>>,
    /// Hedged requests (`[fleet.<name>.hedge]`).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<super::gate_spec::HedgeTable>")
    )]
    pub hedge: Option<Spanned<super::gate_spec::HedgeTable>>,
    /// The fleet is a load-spike trigger: recovery is measured after its window.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub trigger: Opt<bool>,
}

/// A fleet's arrival process (per client).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ArrivalSpec {
    /// `poisson`, `constant`, `on_off`, `cron`, `diurnal`, `piecewise`, `closed`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub process: Spanned<String>,
    /// `poisson`, `constant`, `on_off`: rate per client.
    #[cfg_attr(feature = "schema", schemars(with = "Option<RateValue>"))]
    pub rate: Opt<RateValue>,
    /// `on_off`: length of a burst.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub on: Opt<Dur>,
    /// `on_off`: length of a pause.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub off: Opt<Dur>,
    /// `cron`, `diurnal`: the period (`"1m"` for top of the minute; `"1d"` for a day).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub period: Opt<Dur>,
    /// `cron`: clients fire at a uniform offset in `[0, offset)` after each tick.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub offset: Opt<Dur>,
    /// `diurnal`: the rate at t = 0 (the trough).
    #[cfg_attr(feature = "schema", schemars(with = "Option<RateValue>"))]
    pub low: Opt<RateValue>,
    /// `diurnal`: the rate at half the period (the peak).
    #[cfg_attr(feature = "schema", schemars(with = "Option<RateValue>"))]
    pub high: Opt<RateValue>,
    /// `piecewise`: `[{ from = "0s", rate = "5/s" }, { from = "1m", rate = "off" }]`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<PointSpec>>"))]
    pub points: Opt<Vec<Spanned<PointSpec>>>,
    /// `closed`: requests in flight per client.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub concurrency: Opt<i64>,
    /// `closed`: think time between a response and the next request.
    #[cfg_attr(feature = "schema", schemars(with = "Option<DistSpec>"))]
    pub think: Opt<DistSpec>,
}

/// One point of a piecewise-constant rate.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PointSpec {
    /// From when this rate holds.
    #[cfg_attr(feature = "schema", schemars(with = "Dur"))]
    pub from: Spanned<Dur>,
    /// The rate, or `"off"` for silence.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub rate: Spanned<String>,
}

/// `[fleet.<name>.retry]`: the keys of every policy in one flat table, checked per policy.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// `none`, `immediate`, `fixed`, `exponential`, `retry_after`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub policy: Spanned<String>,
    /// Attempts per logical request, the first included.
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub max_attempts: Opt<i64>,
    /// Status codes that are retried.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<i64>>"))]
    pub retry_on: Opt<Vec<Spanned<i64>>>,
    /// Whether a client-side attempt timeout is retried.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub retry_timeouts: Opt<bool>,
    /// `fixed`: the delay.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub delay: Opt<Dur>,
    /// `exponential`: the first delay.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub base: Opt<Dur>,
    /// `exponential`: the largest delay; `retry_after`: the longest wait accepted.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub cap: Opt<Dur>,
    /// `exponential`: `none`, `full`, `equal` or `decorrelated`; `retry_after`: a duration,
    /// the upper bound of a uniform extra wait.
    #[cfg_attr(feature = "schema", schemars(with = "Option<super::schema::Jitter>"))]
    pub jitter: Opt<toml::Value>,
    /// `retry_after`: use the rate-limit reset when `Retry-After` is absent.
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub use_reset: Opt<bool>,
    /// `retry_after`: the backoff used when the server gives no hint.
    #[cfg_attr(feature = "schema", schemars(with = "Option<BackoffSpec>"))]
    pub fallback: Option<Spanned<BackoffSpec>>,
    /// `randomize_then_cap`: growth per retry (1.5).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub multiplier: Opt<f64>,
    /// `randomize_then_cap`: uniform within +-factor of the interval (0.5).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub randomization_factor: Opt<f64>,
}

/// `fallback = { base = "100ms", cap = "20s", jitter = "full" }`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    /// The first delay.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub base: Opt<Dur>,
    /// The largest delay.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub cap: Opt<Dur>,
    /// `none`, `full`, `equal` or `decorrelated`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub jitter: Opt<String>,
}
