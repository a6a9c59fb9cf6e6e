//! The AWS SDKs' "standard" retry mode: a token-bucket retry quota shared by a client, as in
//! botocore `botocore/retries/quota.py` and `standard.py` (`RetryQuotaChecker`, standard mode
//! version 2.0) and the AWS SDKs and Tools Reference Guide, "Retry behavior":
//!
//! - the quota starts full at 500 tokens (`INITIAL_CAPACITY`) and never exceeds it;
//! - a retry after a failure takes 5 tokens (`_RETRY_COST`), after a timeout 10
//!   (`_TIMEOUT_RETRY_REQUEST`); when the quota holds fewer, the retry is refused;
//! - a successful response refunds what its request's last retry took, or 1 token
//!   (`_NO_RETRY_INCREMENT`) if it succeeded at the first attempt;
//! - first attempts are never refused; 3 attempts in total (`DEFAULT_MAX_ATTEMPTS`) with
//!   backoff `random(0, 1) * min(2^(n-1), 20)` s for retry `n` (1-based), which is
//!   [`crate::retry::Jitter::Full`] with base 1 s and cap 20 s: see [`aws_standard_policy`].
//!
//! (Standard mode 2.1 charges 5 for a throttling error and 14 for others: set the costs.)
//! So with every retry failing, 100 retries empty a full quota; from then on only successes
//! refill it, one token each.

use crate::client::gate::outcome::legacy_gate_methods;
use crate::retry::{
    AttemptResult, Backoff, ClientGate, GateCall, GateDecision, Jitter, RetryPolicy, Strategy,
};
use limiters::Nanos;
use rand::RngCore;
use std::collections::HashMap;

/// The quota's parameters (botocore's constants by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsQuotaConfig {
    /// Capacity, and the initial balance (500).
    pub capacity: u32,
    /// Tokens a retry after an error response takes (5).
    pub retry_cost: u32,
    /// Tokens a retry after a timeout takes (10).
    pub timeout_cost: u32,
    /// Tokens a first-attempt success refunds (1).
    pub success_refund: u32,
}

impl Default for AwsQuotaConfig {
    fn default() -> AwsQuotaConfig {
        AwsQuotaConfig {
            capacity: 500,
            retry_cost: 5,
            timeout_cost: 10,
            success_refund: 1,
        }
    }
}

/// What the quota remembers about a request in flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Pending {
    last_was_timeout: bool,
    acquired: u32,
}

/// The retry quota, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{AwsRetryQuota, AwsQuotaConfig};
/// use sim::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
/// use limiters::Nanos;
/// let mut q = AwsRetryQuota::new(AwsQuotaConfig::default());
/// let mut rng = rand::rngs::mock::StepRng::new(0, 1);
/// let t = Nanos::ZERO;
/// q.observe_call(&GateCall::outcome(t, 0, 7, 1, t), &AttemptResult::status(503));
/// assert_eq!(q.admit_call(&GateCall::admit(t, 0, 7, 2), &mut rng), GateDecision::Allow);
/// assert_eq!(q.available(), 495);
/// ```
#[derive(Clone, Debug)]
pub struct AwsRetryQuota {
    cfg: AwsQuotaConfig,
    available: u32,
    pending: HashMap<u32, Pending>,
}

impl AwsRetryQuota {
    /// A full quota.
    pub fn new(cfg: AwsQuotaConfig) -> AwsRetryQuota {
        AwsRetryQuota {
            cfg,
            available: cfg.capacity,
            pending: HashMap::new(),
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }

    /// Take `amount` if available (botocore `RetryQuota.acquire`).
    pub fn acquire(&mut self, amount: u32) -> bool {
        if amount > self.available {
            return false;
        }
        self.available -= amount;
        true
    }

    /// Give back up to `amount`, never above capacity (`RetryQuota.release`).
    pub fn release(&mut self, amount: u32) {
        self.available = self.available.saturating_add(amount).min(self.cfg.capacity);
    }
}

impl ClientGate for AwsRetryQuota {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() {
            // A new request in this slot: forget what a previous occupant left.
            self.pending.remove(&call.request);
            return GateDecision::Allow;
        }
        let p = self.pending.get(&call.request).copied().unwrap_or_default();
        let cost = if p.last_was_timeout {
            self.cfg.timeout_cost
        } else {
            self.cfg.retry_cost
        };
        if !self.acquire(cost) {
            return GateDecision::Deny;
        }
        if call.request != GateCall::UNKNOWN {
            self.pending.insert(
                call.request,
                Pending {
                    acquired: cost,
                    ..p
                },
            );
        }
        GateDecision::Allow
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        if result.is_success() {
            let refund = match self.pending.remove(&call.request) {
                Some(p) if p.acquired > 0 => p.acquired,
                _ => self.cfg.success_refund,
            };
            self.release(refund);
        } else if call.request != GateCall::UNKNOWN {
            self.pending
                .entry(call.request)
                .or_default()
                .last_was_timeout = result.status.is_none();
        }
    }
}

/// The AWS SDK standard-mode retry policy: 3 attempts, full jitter with base 1 s and cap 20 s
/// (`random(0,1) * min(2^(n-1), 20)` seconds before retry `n`). Pair it with
/// [`AwsRetryQuota`] as the fleet's gate.
///
/// ```
/// let p = sim::client::gate::aws_standard_policy();
/// assert_eq!(p.max_attempts, 3);
/// ```
pub fn aws_standard_policy() -> RetryPolicy {
    RetryPolicy::new(
        Strategy::Exponential(Backoff {
            base: Nanos::from_secs(1),
            cap: Nanos::from_secs(20),
            jitter: Jitter::Full,
        }),
        3,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;

    fn fail(q: &mut AwsRetryQuota, req: u32, attempt: u32, status: Option<u16>) {
        let r = match status {
            Some(s) => AttemptResult::status(s),
            None => AttemptResult::timeout(),
        };
        q.observe_call(
            &GateCall::outcome(Nanos::ZERO, 0, req, attempt, Nanos::ZERO),
            &r,
        );
    }

    fn retry(q: &mut AwsRetryQuota, req: u32, attempt: u32) -> GateDecision {
        let mut rng = StepRng::new(0, 1);
        q.admit_call(&GateCall::admit(Nanos::ZERO, 0, req, attempt), &mut rng)
    }

    #[test]
    fn hundred_throttled_retries_empty_the_quota() {
        let mut q = AwsRetryQuota::new(AwsQuotaConfig::default());
        for i in 0..100 {
            fail(&mut q, i, 1, Some(429));
            assert_eq!(retry(&mut q, i, 2), GateDecision::Allow, "retry {i}");
        }
        assert_eq!(q.available(), 0);
        fail(&mut q, 100, 1, Some(429));
        assert_eq!(retry(&mut q, 100, 2), GateDecision::Deny);
        // First attempts are never refused.
        assert_eq!(retry(&mut q, 101, 1), GateDecision::Allow);
    }

    #[test]
    fn timeouts_cost_ten_and_success_refunds_what_was_taken() {
        let mut q = AwsRetryQuota::new(AwsQuotaConfig::default());
        fail(&mut q, 1, 1, None);
        assert_eq!(retry(&mut q, 1, 2), GateDecision::Allow);
        assert_eq!(q.available(), 490);
        fail(&mut q, 2, 1, Some(500));
        assert_eq!(retry(&mut q, 2, 2), GateDecision::Allow);
        assert_eq!(q.available(), 485);
        let ok = AttemptResult::status(200);
        q.observe_call(&GateCall::outcome(Nanos::ZERO, 0, 1, 2, Nanos::ZERO), &ok);
        assert_eq!(q.available(), 495);
        // A first-attempt success refunds 1.
        q.observe_call(&GateCall::outcome(Nanos::ZERO, 0, 3, 1, Nanos::ZERO), &ok);
        assert_eq!(q.available(), 496);
        // Never above capacity.
        for i in 10..20 {
            q.observe_call(&GateCall::outcome(Nanos::ZERO, 0, i, 1, Nanos::ZERO), &ok);
        }
        assert_eq!(q.available(), 500);
    }
}
