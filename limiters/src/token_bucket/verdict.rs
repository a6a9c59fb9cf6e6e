//! The token bucket's answer with its figures computed on demand: [`TokenBucketVerdict`]
//! (issue #19; the GCRA's is `crate::GcraVerdict`, and the reasons are the same). Unlike the
//! GCRA's, `check` keeps its own copy of the formula (through the verdict it measured about
//! 0.5 ns slower, BENCHMARKS.md); `tests/verdicts.rs` checks that `admit` and then
//! [`TokenBucketVerdict::decision`] give `check`'s decision and state on every step.

use super::{whole_intervals, TokenBucket};
use crate::{Decision, Nanos};

/// What one token-bucket check decided, with the figures of its [`Decision`] left to compute.
///
/// ```
/// use limiters::{Limiter, Nanos, Rate, TokenBucket};
/// let mut fast = TokenBucket::new(Rate::per_second(10).unwrap(), 3).unwrap();
/// let mut full = fast.clone();
/// for _ in 0..4 {
///     let v = fast.admit(Nanos::ZERO, 1);
///     assert_eq!(v.decision(&fast), full.check(Nanos::ZERO, 1));
/// }
/// assert!(!fast.admit(Nanos::ZERO, 1).allowed());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBucketVerdict {
    allowed: bool,
    cost: u32,
    /// The level (token-nanoseconds) after the refill, before the take.
    tokens: u64,
}

impl TokenBucketVerdict {
    /// Whether the request was admitted (and charged).
    #[inline(always)]
    pub fn allowed(&self) -> bool {
        self.allowed
    }

    /// The full decision, exactly what `check` returns for the same check; `bucket` is the
    /// limiter that gave the verdict (only its shape is read, which a check never changes).
    #[inline]
    pub fn decision(&self, bucket: &TokenBucket) -> Decision {
        let b = bucket;
        let cost = u64::from(self.cost);
        if cost > b.burst {
            return Decision::never(b.burst);
        }
        let need = cost * b.interval;
        if self.allowed {
            let left = self.tokens - need;
            Decision::allow(b.burst, left / b.interval, Nanos(b.capacity - left))
        } else {
            Decision::deny(
                b.burst,
                whole_intervals(self.tokens, b.interval),
                Nanos(b.capacity - self.tokens),
                Nanos(need - self.tokens),
            )
        }
    }
}

impl TokenBucket {
    /// The verdict at `now` and the state it leaves: (verdict, tokens, clamped now).
    #[inline]
    pub(super) fn judge(&self, now: Nanos, cost: u32) -> (TokenBucketVerdict, u64, Nanos) {
        let now = now.max(self.last);
        let elapsed = now.as_nanos() - self.last.as_nanos();
        let tokens = self.tokens.saturating_add(elapsed).min(self.capacity);
        // a cost above the burst needs more than the capacity: never admitted here
        let need = u64::from(cost).saturating_mul(self.interval);
        let allowed = tokens >= need;
        let v = TokenBucketVerdict {
            allowed,
            cost,
            tokens,
        };
        (v, if allowed { tokens - need } else { tokens }, now)
    }

    /// [`crate::Limiter::check`] without the decision's figures, for hot paths that need only
    /// admitted-or-not: the state changes exactly as with `check`, and
    /// [`TokenBucketVerdict::decision`] gives `check`'s decision when it is wanted.
    #[inline]
    pub fn admit(&mut self, now: Nanos, cost: u32) -> TokenBucketVerdict {
        let (v, tokens, now) = self.judge(now, cost);
        self.tokens = tokens;
        self.last = now;
        v
    }
}
