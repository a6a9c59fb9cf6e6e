//! `[[fleet.<name>.gates]]` as written: one flat table per gate, `kind` choosing the strategy
//! (`sim::resilience`), the other keys checked per kind during validation (a key another kind
//! takes is an error). Documented in `scenarios/README.md`, "Gates".

use super::units::{Dur, Opt};
use serde::Deserialize;
use toml::Spanned;

/// One gate.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GateTable {
    /// `aws_standard`, `aws_adaptive`, `grpc_throttle`, `envoy_budget`, `finagle_budget`,
    /// `retry_bucket`, `circuit_breaker`, `ratio_breaker`, `sre_throttle`.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub kind: Spanned<String>,
    /// `fleet` (one shared state, the default) or `client` (one per client).
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub scope: Opt<String>,
    /// `aws_*`: quota tokens (500); `retry_bucket`: bucket size in tokens (10).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub capacity: Opt<f64>,
    /// `aws_*`: tokens a retry takes (5).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub retry_cost: Opt<i64>,
    /// `aws_*`: tokens a retry after a timeout takes (10).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub timeout_cost: Opt<i64>,
    /// `aws_*`: tokens a first-attempt success refunds (1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub success_refund: Opt<i64>,
    /// `aws_adaptive`: statuses that are throttles ([429]).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<i64>>"))]
    pub throttle_on: Opt<Vec<Spanned<i64>>>,
    /// `grpc_throttle`: `maxTokens` (10).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub max_tokens: Opt<i64>,
    /// `grpc_throttle`: `tokenRatio` (0.1; three decimals).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub token_ratio: Opt<f64>,
    /// `grpc_throttle`, `circuit_breaker`: statuses that are failures ([408, 425, 429, 5xx]).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<i64>>"))]
    pub failure_on: Opt<Vec<Spanned<i64>>>,
    /// `grpc_throttle`, `circuit_breaker`: timeouts are failures (true).
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub timeouts_fail: Opt<bool>,
    /// `envoy_budget`: `budget_percent` (20).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub budget_percent: Opt<i64>,
    /// `envoy_budget`: `min_retry_concurrency` (3).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub min_retry_concurrency: Opt<i64>,
    /// `finagle_budget`: deposits expire after this (10s).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub ttl: Opt<Dur>,
    /// `finagle_budget`: `minRetriesPerSec` (10).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub min_retries_per_sec: Opt<i64>,
    /// `finagle_budget`: `percentCanRetry` (0.2).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub percent_can_retry: Opt<f64>,
    /// `retry_bucket`: tokens a success deposits (0.1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub deposit: Opt<f64>,
    /// `retry_bucket`: tokens a retry takes (1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub withdraw: Opt<f64>,
    /// `retry_bucket`: starting balance (the capacity).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub initial: Opt<f64>,
    /// `retry_bucket`: `brooker_post` (a success deposits, the default) or `brooker_code` (a
    /// call started deposits; a retry needs more than `withdraw`).
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub rule: Opt<String>,
    /// `ratio_breaker`: retry only while failures / calls started stay at most this (0.1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub max_failure_ratio: Opt<f64>,
    /// `circuit_breaker`: `failureRateThreshold`, percent (50).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub failure_rate_threshold: Opt<i64>,
    /// `circuit_breaker`: `slowCallRateThreshold`, percent (100).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub slow_call_rate_threshold: Opt<i64>,
    /// `circuit_breaker`: `slowCallDurationThreshold` (60s).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub slow_call_duration: Opt<Dur>,
    /// `circuit_breaker`: `count` or `time` (count).
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub sliding_window_type: Opt<String>,
    /// `circuit_breaker`: calls (count) or seconds (time) (100).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub sliding_window_size: Opt<i64>,
    /// `circuit_breaker`: `minimumNumberOfCalls` (100).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub minimum_calls: Opt<i64>,
    /// `circuit_breaker`: `waitDurationInOpenState` (60s).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub wait_in_open: Opt<Dur>,
    /// `circuit_breaker`: `permittedNumberOfCallsInHalfOpenState` (10).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub half_open_calls: Opt<i64>,
    /// `circuit_breaker`: refuse only retries when open (false).
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub retries_only: Opt<bool>,
    /// `sre_throttle`: K (2.0).
    #[cfg_attr(feature = "schema", schemars(with = "Option<f64>"))]
    pub k: Opt<f64>,
    /// `sre_throttle`: the window, whole seconds (120s).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Dur>"))]
    pub window: Opt<Dur>,
    /// `sre_throttle`: statuses that mean "rejected" ([429, 503]).
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<i64>>"))]
    pub reject_on: Opt<Vec<Spanned<i64>>>,
    /// `sre_throttle`: timeouts count as rejected (true).
    #[cfg_attr(feature = "schema", schemars(with = "Option<bool>"))]
    pub timeouts_reject: Opt<bool>,
}

/// `[fleet.<name>.hedge]`: hedged requests (a copy sent when the first is slow; `throttlelab list`).
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HedgeTable {
    /// A duration (`"50ms"`, gRPC's `hedgingDelay`) or a percentile of the fleet's observed
    /// latency (`"p95"`, Dean and Barroso).
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub delay: Spanned<String>,
    /// Copies after the first per round, 1..=4 (1).
    #[cfg_attr(feature = "schema", schemars(with = "Option<i64>"))]
    pub max_hedges: Opt<i64>,
    /// Statuses that send the next copy at once (every 5xx); any other failure is fatal.
    #[cfg_attr(feature = "schema", schemars(with = "Option<Vec<i64>>"))]
    pub non_fatal: Opt<Vec<Spanned<i64>>>,
}

/// `[fleet.<name>.headers]`: how the fleet's clients read rate-limit headers.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HeadersTable {
    /// How to read `X-RateLimit-Reset`: `auto` (default), `delta`, `epoch`, `epoch-ms`.
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub reset: Opt<String>,
    /// The client's clock minus the server's: `"2s"` (ahead) or `"-2s"` (behind).
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub skew: Opt<String>,
    /// Which fields decide the wait: `retry_after`, `reset`, `any` (default).
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>"))]
    pub source: Opt<String>,
}
