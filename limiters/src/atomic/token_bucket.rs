//! [`AtomicTokenBucket`]: a lock-free token bucket in the GCRA-equivalent form.
//!
//! The atomic word is the time at which the bucket will be full again; the level at `t` is
//! `burst - (full_at - t) / T` tokens. Taking `n` tokens pushes `full_at` forward by `n * T`,
//! allowed while `full_at - t` stays within `burst * T` — the token bucket of
//! [`crate::TokenBucket`], exactly, in one word.

use super::core::TatCore;
use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Rate};

/// A lock-free token bucket shared by reference between threads.
///
/// ```
/// use limiters::{AtomicTokenBucket, Nanos, Rate};
/// let tb = AtomicTokenBucket::new(Rate::per_second(4).unwrap(), 4).unwrap();
/// assert_eq!(tb.check(Nanos::ZERO, 3).remaining, 1);
/// assert_eq!(tb.check(Nanos::ZERO, 2).retry_after, Some(Nanos::from_millis(250)));
/// ```
#[derive(Debug)]
pub struct AtomicTokenBucket {
    core: TatCore,
}

impl AtomicTokenBucket {
    /// Registered name.
    pub const NAME: &'static str = "token_bucket_atomic";

    /// A full bucket of `burst` tokens refilled at `rate` (same rules as
    /// [`crate::TokenBucket::new`]).
    pub fn new(rate: Rate, burst: u64) -> Result<AtomicTokenBucket, LimiterError> {
        Ok(AtomicTokenBucket {
            core: TatCore::new(rate, burst)?,
        })
    }

    /// Take `cost` tokens at `now` if there are enough. Lock-free.
    #[inline]
    pub fn check(&self, now: Nanos, cost: u32) -> Decision {
        self.core.check(now, cost)
    }

    /// What `check` would answer, without taking tokens.
    pub fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.core.peek(now, cost)
    }

    /// The bucket size in tokens.
    pub fn burst(&self) -> u64 {
        self.core.params.burst()
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "lock-free token bucket: one atomic word (time the bucket is full), \
                      compare-exchange loop",
            params: &[
                ParamDoc {
                    name: "rate",
                    help: "refill rate such as \"10/s\" (required)",
                },
                ParamDoc {
                    name: "burst",
                    help: "bucket size in tokens, at least 1 (default: the rate's count)",
                },
            ],
            factory: |p| {
                let rate = p.rate("rate")?;
                let burst = crate::token_bucket::burst_param(p, rate)?;
                Ok(Box::new(AtomicTokenBucket::new(rate, burst)?))
            },
        }
    }
}

impl Limiter for AtomicTokenBucket {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.core.check(now, cost)
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.core.peek(now, cost)
    }
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.core.undo(cost)
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenBucket;

    #[test]
    fn matches_the_sequential_token_bucket() {
        let r: Rate = "7/s".parse().unwrap();
        let a = AtomicTokenBucket::new(r, 3).unwrap();
        let mut s = TokenBucket::new(r, 3).unwrap();
        let mut t = 0u64;
        for i in 0..500u64 {
            t += (i * 7919) % 300_000_000;
            let cost = (i % 4) as u32;
            assert_eq!(a.check(Nanos(t), cost), s.check(Nanos(t), cost), "step {i}");
        }
        assert_eq!(a.burst(), 3);
    }
}
