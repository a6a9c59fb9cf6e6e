//! A retry budget as a share of the requests in flight, as in Envoy's cluster circuit
//! breaker `retry_budget` (envoy.config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget):
//! concurrent retries may not exceed `budget_percent` (default 20 %) of the active requests,
//! and at least `min_retry_concurrency` (default 3) are always allowed:
//!
//! `max_retries = max(floor(budget_percent / 100 * active), min_retry_concurrency)`
//!
//! where `active` counts every attempt in flight (first attempts and retries), as Envoy's
//! active plus pending upstream requests do. A retry is admitted while the retries in flight
//! are fewer than `max_retries`. The attempt number of each outcome says whether a retry
//! ended; with the simple `observe` (attempt unknown) an outcome counts as a first attempt.

use crate::client::gate::outcome::legacy_gate_methods;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use rand::RngCore;

/// Envoy `RetryBudget`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvoyBudgetConfig {
    /// `budget_percent` (default 20).
    pub budget_percent: u32,
    /// `min_retry_concurrency` (default 3).
    pub min_retry_concurrency: u32,
}

impl Default for EnvoyBudgetConfig {
    fn default() -> EnvoyBudgetConfig {
        EnvoyBudgetConfig {
            budget_percent: 20,
            min_retry_concurrency: 3,
        }
    }
}

/// The budget, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{EnvoyBudget, EnvoyBudgetConfig};
/// let b = EnvoyBudget::new(EnvoyBudgetConfig::default());
/// assert_eq!(b.max_retries_for(10), 3);   // 20% of 10 = 2, the floor is 3
/// assert_eq!(b.max_retries_for(100), 20);
/// ```
#[derive(Clone, Debug)]
pub struct EnvoyBudget {
    cfg: EnvoyBudgetConfig,
    active: u64,
    active_retries: u64,
}

impl EnvoyBudget {
    /// An idle budget.
    pub fn new(cfg: EnvoyBudgetConfig) -> EnvoyBudget {
        EnvoyBudget {
            cfg,
            active: 0,
            active_retries: 0,
        }
    }
    /// Concurrent retries allowed with `active` attempts in flight.
    pub fn max_retries_for(&self, active: u64) -> u64 {
        (active * u64::from(self.cfg.budget_percent) / 100)
            .max(u64::from(self.cfg.min_retry_concurrency))
    }
    /// Attempts in flight.
    pub fn active(&self) -> u64 {
        self.active
    }
    /// Retries in flight.
    pub fn active_retries(&self) -> u64 {
        self.active_retries
    }
}

impl ClientGate for EnvoyBudget {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if call.is_retry() {
            if self.active_retries >= self.max_retries_for(self.active) {
                return GateDecision::Deny;
            }
            self.active_retries += 1;
        }
        self.active += 1;
        GateDecision::Allow
    }

    fn observe_call(&mut self, call: &GateCall, _result: &AttemptResult) {
        self.active = self.active.saturating_sub(1);
        if call.is_retry() {
            self.active_retries = self.active_retries.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use limiters::Nanos;
    use rand::rngs::mock::StepRng;

    #[test]
    fn twenty_percent_of_active_with_a_floor_of_three() {
        let mut b = EnvoyBudget::new(EnvoyBudgetConfig::default());
        let mut rng = StepRng::new(0, 1);
        let first = GateCall::admit(Nanos::ZERO, 0, 0, 1);
        let retry = GateCall::admit(Nanos::ZERO, 0, 0, 2);
        for _ in 0..10 {
            assert_eq!(b.admit_call(&first, &mut rng), GateDecision::Allow);
        }
        // 10 active: floor(2) < 3, so 3 retries.
        for _ in 0..3 {
            assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
        }
        // Now 13 active, 3 retries: max(floor(2.6), 3) = 3.
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Deny);
        for _ in 0..7 {
            b.admit_call(&first, &mut rng);
        }
        // 20 active: 20% = 4.
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
        assert_eq!((b.active(), b.active_retries()), (21, 4));
        let done = GateCall::outcome(Nanos::ZERO, 0, 0, 2, Nanos::ZERO);
        b.observe_call(&done, &AttemptResult::status(503));
        assert_eq!((b.active(), b.active_retries()), (20, 3));
    }
}
