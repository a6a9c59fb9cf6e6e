//! Client resilience strategies used in practice, each a deterministic state machine over
//! [`limiters::Nanos`] time (randomness only from an RNG passed in), with its source and real
//! constants documented in its file:
//!
//! - retry budgets: the AWS SDK standard-mode quota ([`AwsRetryQuota`]), gRPC retry
//!   throttling ([`GrpcThrottle`]), Envoy's percentage budget ([`EnvoyBudget`]), Finagle's
//!   `RetryBudget` ([`FinagleBudget`]), Brooker's deposit bucket ([`DepositBucket`], the post's
//!   and his simulator's deposit rules);
//! - circuit breakers with Resilience4j's knobs ([`Breaker`]) and as in Brooker's retry
//!   simulator ([`RatioBreaker`]);
//! - client-side throttling: the SRE book's adaptive throttling ([`SreThrottle`]) and the AWS
//!   SDK adaptive mode's CUBIC rate limiter ([`AdaptiveRateLimiter`]);
//! - hedged requests ([`HedgeState`], a fleet's [`HedgeConfig`]), retries in layers
//!   ([`expected_bottom_calls`]), backoff formulas with their flaws ([`RandomizeThenCap`],
//!   [`PollyV2`]), header-driven clients ([`HeaderClient`]) and the server's idempotency
//!   store ([`IdempotencyStore`]).
//!
//! The fleet-wide ones implement [`crate::retry::ClientGate`]; [`GateSpec`] is their
//! configured form and [`catalog`] lists everything for `throttlelab list`.

mod aws_adaptive;
mod aws_quota;
mod breaker;
mod breaker_window;
mod catalog;
mod cubic;
mod deposit_bucket;
mod envoy_budget;
mod finagle_budget;
mod grpc_throttle;
mod header_client;
mod hedge_fleet;
mod hedging;
mod idem_server;
mod idempotency;
mod jitter_variants;
mod layers;
mod outcome;
mod ratio_breaker;
mod scope;
mod spec;
mod sre_throttle;
mod window;

pub use aws_adaptive::{
    AdaptiveConfig, AdaptiveRateLimiter, RateClocker, SdkTokenBucket, MIN_FILL_RATE, SMOOTHING,
};
pub use aws_quota::{aws_standard_policy, AwsQuotaConfig, AwsRetryQuota};
pub use breaker::{Breaker, BreakerConfig, BreakerState};
pub use breaker_window::{CallTotals, CallWindow, WindowKind};
pub use catalog::{catalog, scope_param, StrategyDoc, StrategyKind};
pub use cubic::{Cubic, CUBIC_BETA, CUBIC_SCALE};
pub use deposit_bucket::{DepositBucket, DepositBucketConfig, DepositRule};
pub use envoy_budget::{EnvoyBudget, EnvoyBudgetConfig};
pub use finagle_budget::{FinagleBudget, FinagleBudgetConfig};
pub use grpc_throttle::{GrpcThrottle, GrpcThrottleConfig};
pub use header_client::{HeaderClient, HeaderReading, HeaderSource};
pub use hedge_fleet::{
    HedgeConfig, HedgeDelay, HedgeRt, MAX_COPIES, REFRESH_EVERY, WARMUP_SAMPLES,
};
pub use hedging::{hedge_monte_carlo, HedgeAction, HedgeEstimate, HedgePolicy, HedgeState};
pub use idem_server::{body_changed, body_salt, IdemServer, IDEM_CAPACITY, IDEM_TTL};
pub use idempotency::{IdemKey, IdemLookup, IdempotencyStore};
pub use jitter_variants::{PollyV2, RandomizeThenCap, POLLY_P_FACTOR, POLLY_RP_SCALING};
pub use layers::{expected_bottom_calls, simulate_layers, top_failure_probability};
pub use outcome::{matches as outcome_matches, rejection_statuses, throttle_statuses};
pub use ratio_breaker::{RatioBreaker, RatioBreakerConfig};
pub use scope::{Chain, PerClient};
pub use spec::{build_gates, GateKind, GateScope, GateSpec};
pub use sre_throttle::{sre_reject_probability, SreThrottle, SreThrottleConfig};
pub use window::SlicedWindow;
