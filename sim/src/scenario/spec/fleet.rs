//! A `[fleet.<name>]` table as written: its clients, arrival process (with the points of a
//! trace), retry policy and fallback backoff. Gates, headers and hedging tables are in
//! [`crate::scenario::gate_spec`].

use super::{DistSpec, FailoverSpec, IdempotencySpec, Opt};
use crate::scenario::units::{Dur, RateValue};
use serde::Deserialize;
use toml::Spanned;

/// One `[fleet.<name>]` table.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    /// Number of clients.
    #[cfg_attr(feature = "schema", schemars(with = "i64"))]
    pub count: Spanned<i64>,
    /// `"per-client"` or a number of shared API keys.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::scenario::schema_parts::Keys>")
    )]
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
        schemars(with = "Option<Vec<crate::scenario::gate_spec::GateTable>>")
    )]
    pub gates: Option<Vec<Spanned<crate::scenario::gate_spec::GateTable>>>,
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
        schemars(with = "Option<crate::scenario::gate_spec::HeadersTable>")
    )]
    pub headers: Option<Spanned<crate::scenario::gate_spec::HeadersTable>>,
    /// Hedged requests (`[fleet.<name>.hedge]`).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::scenario::gate_spec::HedgeTable>")
    )]
    pub hedge: Option<Spanned<crate::scenario::gate_spec::HedgeTable>>,
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
    #[cfg_attr(
        feature = "schema",
        schemars(with = "Option<crate::scenario::schema_parts::Jitter>")
    )]
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
