//! The retry token bucket of Marc Brooker, "Fixing retries with token buckets and circuit
//! breakers" (brooker.co.za, 2022-02-28), the "adaptive retries" he recommends: every
//! successful call drops a fraction of a token (0.1 in the post) into a bucket of limited
//! size; a retry is made only if the bucket holds a whole token, and takes it. At low failure
//! rates it behaves like N retries; above the deposit ratio (10 %) like "0.1 retries per call".
//!
//! The code that produced the post's figures (github.com/mbrooker/simulator_example,
//! `retry_sim/retry_strategy.py`, `AdaptiveRetryStrategy`) follows a different rule: `start()`,
//! called once per call started (not per success, not per retry), deposits `bucket_fill_rate =
//! 0.1` into a bucket of `bucket_size = 5` that starts full, and `should_retry()` retries only
//! when `bucket > 1.0` (strictly). Both rules are offered, named after their source
//! ([`DepositRule`]), so either published curve can be reproduced: the post's rule, and the
//! code's with `capacity = 5`.
//!
//! Tokens are kept in thousandths, so the arithmetic is exact. The post leaves the size and
//! the starting balance open; the defaults here (10 tokens, starting full) are ours. It is a
//! per-client mechanism: give it `scope = "client"` to keep one bucket per client.

use crate::client::gate::outcome::legacy_gate_methods;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use rand::RngCore;

/// When tokens are deposited, and how many a retry needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DepositRule {
    /// The post ("Fixing retries with token buckets and circuit breakers", 2022): every
    /// successful call deposits; a retry needs at least `withdraw` tokens
    /// (`rule = "brooker_post"`).
    #[default]
    BrookerPost,
    /// The post's simulator code (`AdaptiveRetryStrategy`): every call started (first
    /// attempts only) deposits, whatever its outcome; a retry needs more than `withdraw`
    /// tokens (`bucket > 1.0`) (`rule = "brooker_code"`).
    BrookerCode,
}

impl DepositRule {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            DepositRule::BrookerPost => "brooker_post",
            DepositRule::BrookerCode => "brooker_code",
        }
    }
}

/// The bucket's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositBucketConfig {
    /// When tokens are deposited (the post's rule by default).
    pub rule: DepositRule,
    /// Size of the bucket, in thousandths of a token (default 10 000 = 10 tokens).
    pub capacity_milli: u32,
    /// What a success deposits, in thousandths (default 100 = 0.1 token).
    pub deposit_milli: u32,
    /// What a retry takes, in thousandths (default 1000 = 1 token).
    pub withdraw_milli: u32,
    /// The starting balance, in thousandths (default: full).
    pub initial_milli: u32,
}

impl Default for DepositBucketConfig {
    fn default() -> DepositBucketConfig {
        DepositBucketConfig {
            rule: DepositRule::BrookerPost,
            capacity_milli: 10_000,
            deposit_milli: 100,
            withdraw_milli: 1_000,
            initial_milli: 10_000,
        }
    }
}

/// The bucket, as a [`ClientGate`].
///
/// ```
/// use sim::client::gate::{DepositBucket, DepositBucketConfig};
/// let mut b = DepositBucket::new(DepositBucketConfig { initial_milli: 0, ..Default::default() });
/// assert!(!b.try_retry());
/// for _ in 0..10 { b.success(); }
/// assert!(b.try_retry());   // ten successes bought one retry
/// assert!(!b.try_retry());
/// ```
#[derive(Clone, Debug)]
pub struct DepositBucket {
    cfg: DepositBucketConfig,
    tokens_milli: u32,
}

impl DepositBucket {
    /// A bucket at its initial balance (clamped to capacity).
    pub fn new(cfg: DepositBucketConfig) -> DepositBucket {
        DepositBucket {
            cfg,
            tokens_milli: cfg.initial_milli.min(cfg.capacity_milli),
        }
    }
    /// The balance, in thousandths.
    pub fn tokens_milli(&self) -> u32 {
        self.tokens_milli
    }
    /// Deposit one fraction, up to the capacity (a success under the post's rule, a call
    /// started under the code's).
    pub fn success(&mut self) {
        self.tokens_milli = self
            .tokens_milli
            .saturating_add(self.cfg.deposit_milli)
            .min(self.cfg.capacity_milli);
    }
    /// Take a whole retry token if there is one (more than one under the code's rule).
    pub fn try_retry(&mut self) -> bool {
        let enough = match self.cfg.rule {
            DepositRule::BrookerPost => self.tokens_milli >= self.cfg.withdraw_milli,
            DepositRule::BrookerCode => self.tokens_milli > self.cfg.withdraw_milli,
        };
        if !enough {
            return false;
        }
        self.tokens_milli -= self.cfg.withdraw_milli;
        true
    }
}

impl ClientGate for DepositBucket {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() {
            if self.cfg.rule == DepositRule::BrookerCode {
                self.success();
            }
            GateDecision::Allow
        } else if self.try_retry() {
            GateDecision::Allow
        } else {
            GateDecision::Deny
        }
    }

    fn observe_call(&mut self, _call: &GateCall, result: &AttemptResult) {
        if self.cfg.rule == DepositRule::BrookerPost && result.is_success() {
            self.success();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_bucket_allows_ten_retries_then_one_per_ten_successes() {
        let mut b = DepositBucket::new(DepositBucketConfig::default());
        for _ in 0..10 {
            assert!(b.try_retry());
        }
        assert!(!b.try_retry());
        for _ in 0..9 {
            b.success();
        }
        assert_eq!(b.tokens_milli(), 900);
        assert!(!b.try_retry());
        b.success();
        assert!(b.try_retry());
        for _ in 0..1000 {
            b.success();
        }
        assert_eq!(b.tokens_milli(), 10_000);
    }

    /// The code's rule: a first attempt deposits even when it fails, a success deposits
    /// nothing more, and exactly one token left does not buy a retry.
    #[test]
    fn code_rule_deposits_per_call_started_and_needs_more_than_one_token() {
        use crate::retry::{AttemptResult, ClientGate, GateCall};
        use limiters::Nanos;
        let cfg = DepositBucketConfig {
            rule: DepositRule::BrookerCode,
            capacity_milli: 5_000,
            initial_milli: 0,
            ..DepositBucketConfig::default()
        };
        let mut b = DepositBucket::new(cfg);
        let mut rng = rand::rngs::mock::StepRng::new(0, 1);
        let first = GateCall::admit(Nanos::ZERO, 0, 0, 1);
        let retry = GateCall::admit(Nanos::ZERO, 0, 0, 2);
        let done = GateCall::outcome(Nanos::ZERO, 0, 0, 1, Nanos::ZERO);
        for _ in 0..10 {
            assert_eq!(b.admit_call(&first, &mut rng), GateDecision::Allow);
            b.observe_call(&done, &AttemptResult::status(503));
        }
        b.observe_call(&done, &AttemptResult::status(200));
        assert_eq!(
            b.tokens_milli(),
            1_000,
            "ten calls started, failures included"
        );
        assert_eq!(
            b.admit_call(&retry, &mut rng),
            GateDecision::Deny,
            "1.0 is not > 1.0"
        );
        b.admit_call(&first, &mut rng);
        assert_eq!(b.admit_call(&retry, &mut rng), GateDecision::Allow);
        assert_eq!(b.tokens_milli(), 100);
        // The post's rule: failures deposit nothing, a success does, one token is enough.
        let mut p = DepositBucket::new(DepositBucketConfig {
            initial_milli: 900,
            ..DepositBucketConfig::default()
        });
        p.admit_call(&first, &mut rng);
        p.observe_call(&done, &AttemptResult::status(503));
        assert_eq!(p.tokens_milli(), 900);
        p.observe_call(&done, &AttemptResult::status(200));
        assert_eq!(p.admit_call(&retry, &mut rng), GateDecision::Allow);
    }
}
