//! Client gates: what a client asks before it sends a retry (or a hedge, or at all), each a
//! deterministic state machine over [`limiters::Nanos`] time (randomness only from an RNG passed
//! in), with its source and real constants documented in its file. They sit between the
//! client's decision to send and the send itself, on the way of one request:
//!
//! - [`budget`]: retry budgets — the AWS SDK standard-mode quota, gRPC retry throttling,
//!   Envoy's percentage budget, Finagle's `RetryBudget`, Brooker's deposit bucket;
//! - [`breaker`]: circuit breakers with Resilience4j's knobs and as in Brooker's simulator;
//! - [`throttle`]: client-side throttling — the SRE book's adaptive throttling and the AWS SDK
//!   adaptive mode's CUBIC rate limiter.
//!
//! They implement [`crate::retry::ClientGate`]; [`GateSpec`] is their configured form
//! (`[[fleet.<name>.gates]]`) and [`scope`] says where a gate's state lives (per fleet, per
//! client, in series).

pub mod breaker;
pub mod budget;
pub(crate) mod outcome;
mod scope;
mod spec;
pub mod throttle;
mod window;

pub use breaker::{
    Breaker, BreakerConfig, BreakerState, CallTotals, CallWindow, RatioBreaker, RatioBreakerConfig,
    WindowKind,
};
pub use budget::{
    aws_standard_policy, AwsQuotaConfig, AwsRetryQuota, DepositBucket, DepositBucketConfig,
    DepositRule, EnvoyBudget, EnvoyBudgetConfig, FinagleBudget, FinagleBudgetConfig, GrpcThrottle,
    GrpcThrottleConfig,
};
pub use outcome::{matches as outcome_matches, rejection_statuses, throttle_statuses};
pub use scope::{Chain, PerClient};
pub use spec::{build_gates, GateKind, GateScope, GateSpec};
pub use throttle::{
    sre_reject_probability, AdaptiveConfig, AdaptiveRateLimiter, Cubic, RateClocker,
    SdkTokenBucket, SreThrottle, SreThrottleConfig, CUBIC_BETA, CUBIC_SCALE, MIN_FILL_RATE,
    SMOOTHING,
};
pub use window::SlicedWindow;
