//! The retry token bucket of Marc Brooker, "Fixing retries with token buckets and circuit
//! breakers" (brooker.co.za, 2022-02-28), the "adaptive retries" he recommends: every
//! successful call drops a fraction of a token (0.1 in the post) into a bucket of limited
//! size; a retry is made only if the bucket holds a whole token, and takes it. At low failure
//! rates it behaves like N retries; above the deposit ratio (10 %) like "0.1 retries per call".
//!
//! Tokens are kept in thousandths, so the arithmetic is exact. The post leaves the size and
//! the starting balance open; the defaults here (10 tokens, starting full) are ours. It is a
//! per-client mechanism: give it `scope = "client"` to keep one bucket per client.

use super::outcome::legacy_gate_methods;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use rand::RngCore;

/// The bucket's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositBucketConfig {
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
/// use sim::resilience::{DepositBucket, DepositBucketConfig};
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
    /// A successful call deposits its fraction, up to the capacity.
    pub fn success(&mut self) {
        self.tokens_milli = self
            .tokens_milli
            .saturating_add(self.cfg.deposit_milli)
            .min(self.cfg.capacity_milli);
    }
    /// Take a whole retry token if there is one.
    pub fn try_retry(&mut self) -> bool {
        if self.tokens_milli < self.cfg.withdraw_milli {
            return false;
        }
        self.tokens_milli -= self.cfg.withdraw_milli;
        true
    }
}

impl ClientGate for DepositBucket {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        if !call.is_retry() || self.try_retry() {
            GateDecision::Allow
        } else {
            GateDecision::Deny
        }
    }

    fn observe_call(&mut self, _call: &GateCall, result: &AttemptResult) {
        if result.is_success() {
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
}
