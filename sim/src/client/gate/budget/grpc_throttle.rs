//! gRPC retry throttling, per gRFC A6 "gRPC Retry Design", section "Throttling Retry
//! Attempts and Hedged RPCs":
//!
//! - the client keeps `token_count`, initially `maxTokens` (0 < maxTokens <= 1000);
//! - every failed RPC (a status the retry policy treats as retryable) decrements it by 1,
//!   every successful RPC increments it by `tokenRatio`; it stays within `[0, maxTokens]`;
//! - while `token_count <= maxTokens / 2`, retries are not attempted and hedged RPCs are not
//!   sent (first attempts always are).
//!
//! `tokenRatio` has three decimal places in gRPC's service config; the count is kept here in
//! thousandths of a token, so the arithmetic is exact.

use crate::client::gate::outcome::{legacy_gate_methods, matches};
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision, StatusSet};
use rand::RngCore;

/// `retryThrottling` of a gRPC service config.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrpcThrottleConfig {
    /// `maxTokens`, in whole tokens (1..=1000).
    pub max_tokens: u32,
    /// `tokenRatio`, in thousandths (e.g. 100 = 0.1).
    pub token_ratio_milli: u32,
    /// Statuses that count as failures (default: 408, 425, 429, 5xx).
    pub failure_on: StatusSet,
    /// Whether a client-side timeout counts as a failure (gRPC `DEADLINE_EXCEEDED`; default true).
    pub timeouts_fail: bool,
}

impl Default for GrpcThrottleConfig {
    /// `{"maxTokens": 10, "tokenRatio": 0.1}`, the example of gRFC A6.
    fn default() -> GrpcThrottleConfig {
        GrpcThrottleConfig {
            max_tokens: 10,
            token_ratio_milli: 100,
            failure_on: StatusSet::default(),
            timeouts_fail: true,
        }
    }
}

/// The throttle, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{GrpcThrottle, GrpcThrottleConfig};
/// let mut t = GrpcThrottle::new(GrpcThrottleConfig::default());
/// for _ in 0..5 { t.failure(); }
/// assert_eq!(t.tokens_milli(), 5_000);
/// assert!(!t.retries_allowed()); // 5 <= 10 / 2
/// t.success();
/// assert!(t.retries_allowed()); // 5.1 > 5
/// ```
#[derive(Clone, Debug)]
pub struct GrpcThrottle {
    cfg: GrpcThrottleConfig,
    tokens_milli: u64,
}

impl GrpcThrottle {
    /// A full throttle.
    pub fn new(cfg: GrpcThrottleConfig) -> GrpcThrottle {
        GrpcThrottle {
            cfg,
            tokens_milli: u64::from(cfg.max_tokens) * 1000,
        }
    }
    /// `token_count`, in thousandths.
    pub fn tokens_milli(&self) -> u64 {
        self.tokens_milli
    }
    fn max_milli(&self) -> u64 {
        u64::from(self.cfg.max_tokens) * 1000
    }
    /// `token_count > maxTokens / 2`.
    pub fn retries_allowed(&self) -> bool {
        self.tokens_milli * 2 > self.max_milli()
    }
    /// A failed RPC: one token less.
    pub fn failure(&mut self) {
        self.tokens_milli = self.tokens_milli.saturating_sub(1000);
    }
    /// A successful RPC: `tokenRatio` more, up to `maxTokens`.
    pub fn success(&mut self) {
        self.tokens_milli =
            (self.tokens_milli + u64::from(self.cfg.token_ratio_milli)).min(self.max_milli());
    }
}

impl ClientGate for GrpcThrottle {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() || self.retries_allowed() {
            GateDecision::Allow
        } else {
            GateDecision::Deny
        }
    }

    fn observe_call(&mut self, _call: &GateCall, result: &AttemptResult) {
        if result.is_success() {
            self.success();
        } else if matches(result, &self.cfg.failure_on, self.cfg.timeouts_fail) {
            self.failure();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use limiters::Nanos;
    use rand::rngs::mock::StepRng;

    #[test]
    fn tokens_after_k_failures_and_the_threshold() {
        let cfg = GrpcThrottleConfig {
            max_tokens: 100,
            token_ratio_milli: 500,
            ..GrpcThrottleConfig::default()
        };
        let mut t = GrpcThrottle::new(cfg);
        let mut rng = StepRng::new(0, 1);
        let retry = GateCall::admit(Nanos::ZERO, 0, 0, 2);
        let done = GateCall::outcome(Nanos::ZERO, 0, 0, 1, Nanos::ZERO);
        for k in 1..=49 {
            t.observe_call(&done, &AttemptResult::status(503));
            assert_eq!(t.tokens_milli(), (100 - k) * 1000);
            assert_eq!(t.admit_call(&retry, &mut rng), GateDecision::Allow);
        }
        t.observe_call(&done, &AttemptResult::timeout());
        assert_eq!(t.tokens_milli(), 50_000);
        assert_eq!(t.admit_call(&retry, &mut rng), GateDecision::Deny);
        assert_eq!(
            t.admit_call(&GateCall::admit(Nanos::ZERO, 0, 0, 1), &mut rng),
            GateDecision::Allow
        );
        // A 400 is neither a success nor a retryable failure.
        t.observe_call(&done, &AttemptResult::status(400));
        assert_eq!(t.tokens_milli(), 50_000);
        t.observe_call(&done, &AttemptResult::status(200));
        assert_eq!(t.tokens_milli(), 50_500);
        assert_eq!(t.admit_call(&retry, &mut rng), GateDecision::Allow);
    }

    #[test]
    fn the_count_stays_within_zero_and_max() {
        let mut t = GrpcThrottle::new(GrpcThrottleConfig::default());
        for _ in 0..50 {
            t.failure();
        }
        assert_eq!(t.tokens_milli(), 0);
        for _ in 0..500 {
            t.success();
        }
        assert_eq!(t.tokens_milli(), 10_000);
    }
}
