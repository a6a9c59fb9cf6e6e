//! The circuit breaker of Brooker's retry simulator: retry only while the client's failures
//! stay at most a fixed fraction of the calls it started.
//!
//! Source: github.com/mbrooker/simulator_example, `retry_sim/retry_strategy.py`
//! (`CircuitBreakerRetryStrategy`, `CircuitBreakerRetryCall`), the code behind "Fixing retries
//! with token buckets and circuit breakers" (brooker.co.za, 2022-02-28), run there as
//! `CircuitBreakerRetryFactory(NRetriesFactory(3), 0.1)`, one per client. `start()` counts
//! every call started (first attempts, not retries); every failed attempt, retried or not,
//! counts a failure; a retry is refused when `failures / calls > max_rate` (strictly), and
//! otherwise left to the N-retries policy (here: the fleet's `max_attempts`). The counters
//! never reset or decay: the ratio is over the client's whole life, as in the code. First
//! attempts always pass (unlike the Resilience4j [`super::Breaker`], which refuses every call
//! while open). Use `scope = "client"` for the published setup.

use crate::client::gate::outcome::legacy_gate_methods;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use rand::RngCore;

/// The breaker's threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatioBreakerConfig {
    /// `max_rate` in thousandths (default 100 = 0.1, the published run).
    pub max_failure_ratio_milli: u32,
}

impl Default for RatioBreakerConfig {
    fn default() -> RatioBreakerConfig {
        RatioBreakerConfig {
            max_failure_ratio_milli: 100,
        }
    }
}

/// The breaker, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{RatioBreaker, RatioBreakerConfig};
/// use sim::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
/// use limiters::Nanos;
/// let mut b = RatioBreaker::new(RatioBreakerConfig::default());
/// let mut rng = rand::rngs::mock::StepRng::new(0, 1);
/// let (first, retry) = (GateCall::admit(Nanos::ZERO, 0, 0, 1), GateCall::admit(Nanos::ZERO, 0, 0, 2));
/// let done = GateCall::outcome(Nanos::ZERO, 0, 0, 1, Nanos::ZERO);
/// for _ in 0..9 { b.admit_call(&first, &mut rng); b.observe_call(&done, &AttemptResult::status(200)); }
/// b.admit_call(&first, &mut rng);
/// b.observe_call(&done, &AttemptResult::status(503));  // 1 failure in 10 calls: not > 0.1
/// assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
/// b.observe_call(&done, &AttemptResult::status(503));  // 2 in 10
/// assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Deny);
/// ```
#[derive(Clone, Debug)]
pub struct RatioBreaker {
    cfg: RatioBreakerConfig,
    calls: u64,
    failures: u64,
}

impl RatioBreaker {
    /// A breaker that has seen nothing.
    pub fn new(cfg: RatioBreakerConfig) -> RatioBreaker {
        RatioBreaker {
            cfg,
            calls: 0,
            failures: 0,
        }
    }
    /// Calls started and failed attempts so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.calls, self.failures)
    }
    /// `failures / calls > max_rate`, in integers (no call yet: any failure is over).
    fn over(&self) -> bool {
        self.failures * 1000 > u64::from(self.cfg.max_failure_ratio_milli) * self.calls
    }
}

impl ClientGate for RatioBreaker {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() {
            self.calls += 1;
            GateDecision::Allow
        } else if self.over() {
            GateDecision::Deny
        } else {
            GateDecision::Allow
        }
    }

    fn observe_call(&mut self, _call: &GateCall, result: &AttemptResult) {
        if !result.is_success() {
            self.failures += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use limiters::Nanos;

    #[test]
    fn ratio_counts_every_failed_attempt_against_calls_started() {
        let mut b = RatioBreaker::new(RatioBreakerConfig::default());
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let first = GateCall::admit(Nanos::ZERO, 0, 0, 1);
        let retry = GateCall::admit(Nanos::ZERO, 0, 0, 2);
        let done = GateCall::outcome(Nanos::ZERO, 0, 0, 2, Nanos::ZERO);
        for _ in 0..20 {
            b.admit_call(&first, &mut rng);
        }
        // Two failed retries of one call: 2 failures in 20 calls, 0.1 is not over 0.1.
        b.observe_call(&done, &AttemptResult::status(503));
        b.observe_call(&done, &AttemptResult::timeout());
        assert_eq!(b.counts(), (20, 2));
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
        // Retries admitted are not calls started: the ratio only grows with failures.
        b.observe_call(&done, &AttemptResult::status(503));
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Deny);
        // First attempts always pass, and recover the ratio.
        for _ in 0..10 {
            assert_eq!(b.admit_call(&first, &mut rng), GateDecision::Allow);
        }
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
    }
}
