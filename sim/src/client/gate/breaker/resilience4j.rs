//! A client-side circuit breaker with Resilience4j's semantics and defaults
//! (resilience4j-circuitbreaker `CircuitBreakerConfig`, `CircuitBreakerStateMachine`):
//!
//! - CLOSED: calls pass and are recorded in a sliding window (count-based, the last
//!   `slidingWindowSize = 100` calls, or time-based, the last N seconds). Once the window holds
//!   at least `minimumNumberOfCalls = 100` calls (for a count window, at most the window size),
//!   the breaker opens when the failure rate is `>= failureRateThreshold = 50` % or the
//!   slow-call rate (calls lasting `>= slowCallDurationThreshold = 60 s`) is
//!   `>= slowCallRateThreshold = 100` %.
//! - OPEN: calls are refused for `waitDurationInOpenState = 60 s`; the first call after it moves
//!   the breaker to HALF_OPEN (Resilience4j's default, without the automatic transition timer).
//! - HALF_OPEN: `permittedNumberOfCallsInHalfOpenState = 10` probes pass, further calls are
//!   refused; when all probes have completed, the same thresholds over them decide OPEN again
//!   or CLOSED (with an empty window).
//!
//! Which outcomes are failures is configurable (default: 408, 425, 429, 5xx and timeouts;
//! other responses count as successes). `retries_only` makes it the variant Brooker discusses
//! in "Fixing retries with token buckets and circuit breakers" (2022): an open breaker refuses
//! retries but lets first attempts through. `maxWaitDurationInHalfOpenState` (default 0,
//! wait forever) is not modelled.

use super::window::{CallTotals, CallWindow, WindowKind};
use crate::client::gate::outcome::{legacy_gate_methods, matches};
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision, StatusSet};
use limiters::Nanos;
use rand::RngCore;

/// Resilience4j `CircuitBreakerConfig` knobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// `failureRateThreshold`, percent (50).
    pub failure_rate_threshold: u32,
    /// `slowCallRateThreshold`, percent (100).
    pub slow_call_rate_threshold: u32,
    /// `slowCallDurationThreshold` (60 s).
    pub slow_call_duration: Nanos,
    /// `slidingWindowType` and `slidingWindowSize` (count-based, 100).
    pub window: WindowKind,
    /// `minimumNumberOfCalls` (100).
    pub minimum_calls: u32,
    /// `waitDurationInOpenState` (60 s).
    pub wait_in_open: Nanos,
    /// `permittedNumberOfCallsInHalfOpenState` (10).
    pub half_open_calls: u32,
    /// Statuses recorded as failures (default 408, 425, 429, 5xx).
    pub failure_on: StatusSet,
    /// Whether timeouts are failures (default true).
    pub timeouts_fail: bool,
    /// Refuse only retries when open (default false: refuse every call).
    pub retries_only: bool,
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig {
            failure_rate_threshold: 50,
            slow_call_rate_threshold: 100,
            slow_call_duration: Nanos::from_secs(60),
            window: WindowKind::Count(100),
            minimum_calls: 100,
            wait_in_open: Nanos::from_secs(60),
            half_open_calls: 10,
            failure_on: StatusSet::default(),
            timeouts_fail: true,
            retries_only: false,
        }
    }
}

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls pass.
    Closed,
    /// Calls are refused until `until`.
    Open {
        /// When the wait ends.
        until: Nanos,
    },
    /// Probing.
    HalfOpen {
        /// Probes admitted so far.
        admitted: u32,
        /// Outcomes of probes so far.
        totals: CallTotals,
    },
}

/// The breaker, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{Breaker, BreakerConfig, BreakerState, WindowKind};
/// use sim::retry::{AttemptResult, ClientGate, GateCall};
/// use limiters::Nanos;
/// let cfg = BreakerConfig { window: WindowKind::Count(4), minimum_calls: 4, ..BreakerConfig::default() };
/// let mut b = Breaker::new(cfg);
/// let call = GateCall::outcome(Nanos::ZERO, 0, 0, 1, Nanos::ZERO);
/// for s in [200, 503, 200, 503] { b.observe_call(&call, &AttemptResult::status(s)); }
/// assert_eq!(b.state(), BreakerState::Open { until: Nanos::from_secs(60) }); // 50% >= 50%
/// ```
#[derive(Clone, Debug)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: BreakerState,
    window: CallWindow,
    transitions: u32,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(cfg: BreakerConfig) -> Breaker {
        Breaker {
            cfg,
            state: BreakerState::Closed,
            window: CallWindow::new(cfg.window),
            transitions: 0,
        }
    }
    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }
    /// State changes so far.
    pub fn transitions(&self) -> u32 {
        self.transitions
    }

    fn minimum_calls(&self) -> u64 {
        match self.cfg.window {
            WindowKind::Count(n) => u64::from(self.cfg.minimum_calls.min(n)),
            WindowKind::Time(_) => u64::from(self.cfg.minimum_calls),
        }
    }

    fn trips(&self, t: &CallTotals) -> bool {
        t.failure_rate_at_least(self.cfg.failure_rate_threshold)
            || t.slow_rate_at_least(self.cfg.slow_call_rate_threshold)
    }

    fn to(&mut self, s: BreakerState) {
        self.state = s;
        self.transitions += 1;
    }

    fn open(&mut self, now: Nanos) {
        self.to(BreakerState::Open {
            until: now + self.cfg.wait_in_open,
        });
    }

    /// May a call pass at `now`? Moves OPEN to HALF_OPEN once the wait is over.
    pub fn try_acquire(&mut self, now: Nanos) -> bool {
        if let BreakerState::Open { until } = self.state {
            if now < until {
                return false;
            }
            self.to(BreakerState::HalfOpen {
                admitted: 0,
                totals: CallTotals::default(),
            });
        }
        match &mut self.state {
            BreakerState::Closed => true,
            BreakerState::HalfOpen { admitted, .. } => {
                if *admitted < self.cfg.half_open_calls {
                    *admitted += 1;
                    true
                } else {
                    false
                }
            }
            BreakerState::Open { .. } => false,
        }
    }

    /// Record a call's outcome.
    pub fn record(&mut self, now: Nanos, failed: bool, slow: bool) {
        match &mut self.state {
            BreakerState::Closed => {
                let t = self.window.record(now, failed, slow);
                if t.calls >= self.minimum_calls() && self.trips(&t) {
                    self.open(now);
                }
            }
            BreakerState::HalfOpen { totals, .. } => {
                totals.calls += 1;
                totals.failures += u64::from(failed);
                totals.slow += u64::from(slow);
                let t = *totals;
                if t.calls >= u64::from(self.cfg.half_open_calls) {
                    if self.trips(&t) {
                        self.open(now);
                    } else {
                        self.window = CallWindow::new(self.cfg.window);
                        self.to(BreakerState::Closed);
                    }
                }
            }
            // A call admitted before the breaker opened: its outcome changes nothing.
            BreakerState::Open { .. } => {}
        }
    }
}

impl ClientGate for Breaker {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if self.cfg.retries_only && !call.is_retry() {
            return GateDecision::Allow;
        }
        if self.try_acquire(call.now) {
            GateDecision::Allow
        } else {
            GateDecision::Deny
        }
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        let failed = matches(result, &self.cfg.failure_on, self.cfg.timeouts_fail);
        let slow = call.latency() >= self.cfg.slow_call_duration;
        self.record(call.now, failed, slow);
    }
}

#[cfg(test)]
mod tests;
