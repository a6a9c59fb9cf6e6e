//! [`RetryPolicy`]: immutable configuration (strategy, attempt limit, retried statuses) whose
//! [`RetryPolicy::decide`] takes the per-logical-request [`RetryState`] and an RNG passed in.
//!
//! The same code serves the simulator (a seeded per-client stream) and live mode (any
//! `rand::Rng`): there is no second implementation. Dispatch is a `match` on a plain enum, so a
//! request in flight costs a 16-byte state, never a `Box<dyn>`.

use super::{
    AttemptResult, Backoff, GiveUpReason, HonourRetryAfter, RetryDecision, RetryState, StatusSet,
};
use limiters::Nanos;
use rand::Rng;

/// How long to wait between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Never retry.
    None,
    /// Retry at once.
    Immediate,
    /// Retry after the same delay every time (synchronised: clients that failed together come
    /// back together).
    Fixed {
        /// The delay.
        delay: Nanos,
    },
    /// Capped exponential backoff with jitter.
    Exponential(Backoff),
    /// Wait what the server's `Retry-After` says (plus jitter, capped), else back off.
    RetryAfter(HonourRetryAfter),
    /// Resilience4j `IntervalFunction.ofExponentialRandomBackoff`: randomise, then cap (so
    /// clients resynchronise at the cap).
    RandomizeThenCap(crate::retry::RandomizeThenCap),
    /// Polly `Backoff.DecorrelatedJitterBackoffV2`. The state's `prev_delay` holds the sum of
    /// the delays so far, from which the formula's previous value is recovered.
    PollyV2(crate::retry::PollyV2),
}

impl Strategy {
    /// The name as written in scenario files (`policy = "..."`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Strategy::None => "none",
            Strategy::Immediate => "immediate",
            Strategy::Fixed { .. } => "fixed",
            Strategy::Exponential(_) => "exponential",
            Strategy::RetryAfter(_) => "retry_after",
            Strategy::RandomizeThenCap(_) => "randomize_then_cap",
            Strategy::PollyV2(_) => "polly_v2",
        }
    }
}

/// A complete retry policy.
///
/// ```
/// use sim::retry::{AttemptResult, GiveUpReason, RetryDecision, RetryPolicy, RetryState, Strategy};
/// use limiters::Nanos;
/// use rand::SeedableRng;
/// let p = RetryPolicy::new(Strategy::Fixed { delay: Nanos::from_secs(1) }, 2);
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let mut st = RetryState::first();
/// assert_eq!(p.decide(&mut st, &AttemptResult::status(503), &mut rng),
///            RetryDecision::Retry(Nanos::from_secs(1)));
/// st.attempts += 1;
/// assert_eq!(p.decide(&mut st, &AttemptResult::status(503), &mut rng),
///            RetryDecision::GiveUp(GiveUpReason::MaxAttempts));
/// assert_eq!(p.decide(&mut RetryState::first(), &AttemptResult::status(400), &mut rng),
///            RetryDecision::GiveUp(GiveUpReason::NotRetryable));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// The delay strategy.
    pub strategy: Strategy,
    /// Total attempts allowed, the first included (`max_attempts = 4` is "3 retries").
    pub max_attempts: u32,
    /// Statuses that are retried.
    pub retry_on: StatusSet,
    /// Whether a client-side attempt timeout is retried.
    pub retry_timeouts: bool,
}

impl RetryPolicy {
    /// A policy with the default retried statuses (408, 425, 429, 5xx) and timeouts retried.
    pub fn new(strategy: Strategy, max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            strategy,
            max_attempts,
            retry_on: StatusSet::default(),
            retry_timeouts: true,
        }
    }

    /// One attempt, never a retry.
    pub fn none() -> RetryPolicy {
        RetryPolicy::new(Strategy::None, 1)
    }

    /// Whether this outcome is of a kind the policy retries at all.
    pub fn retries(&self, result: &AttemptResult) -> bool {
        match result.status {
            Some(s) => self.retry_on.contains(s),
            None => self.retry_timeouts,
        }
    }

    /// Decide after a failed attempt. `state.attempts` counts the attempts sent so far; on
    /// `Retry` the state records the delay (the caller increments `attempts` when it sends).
    ///
    /// Always inlined (the simulator calls it from one place, once per failed attempt): the
    /// call's register saves go away, and so does the work on hints the strategy ignores.
    #[inline(always)]
    pub fn decide<R: Rng + ?Sized>(
        &self,
        state: &mut RetryState,
        result: &AttemptResult,
        rng: &mut R,
    ) -> RetryDecision {
        if !self.retries(result) {
            return RetryDecision::GiveUp(GiveUpReason::NotRetryable);
        }
        if matches!(self.strategy, Strategy::None) || state.attempts >= self.max_attempts {
            return RetryDecision::GiveUp(GiveUpReason::MaxAttempts);
        }
        let delay = match &self.strategy {
            Strategy::None | Strategy::Immediate => Nanos::ZERO,
            Strategy::Fixed { delay } => *delay,
            Strategy::Exponential(b) => b.delay(state, rng),
            Strategy::RetryAfter(h) => h.delay(state, result, rng),
            Strategy::RandomizeThenCap(r) => r.delay(state.attempts, rng),
            Strategy::PollyV2(p) => {
                p.delay_after(state.attempts.saturating_sub(1), state.prev_delay, rng)
            }
        };
        state.prev_delay = match self.strategy {
            Strategy::PollyV2(_) => state.prev_delay + delay,
            _ => delay,
        };
        RetryDecision::Retry(delay)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn immediate_retries_at_zero_until_the_limit() {
        let p = RetryPolicy::new(Strategy::Immediate, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut st = RetryState::first();
        let r = AttemptResult::status(429);
        assert_eq!(
            p.decide(&mut st, &r, &mut rng),
            RetryDecision::Retry(Nanos::ZERO)
        );
        st.attempts = 3;
        assert_eq!(
            p.decide(&mut st, &r, &mut rng),
            RetryDecision::GiveUp(GiveUpReason::MaxAttempts)
        );
    }

    #[test]
    fn none_never_retries_and_timeouts_follow_the_flag() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let r = AttemptResult::status(503);
        assert_eq!(
            RetryPolicy::none().decide(&mut RetryState::first(), &r, &mut rng),
            RetryDecision::GiveUp(GiveUpReason::MaxAttempts)
        );
        let mut p = RetryPolicy::new(Strategy::Immediate, 5);
        p.retry_timeouts = false;
        assert_eq!(
            p.decide(
                &mut RetryState::first(),
                &AttemptResult::timeout(),
                &mut rng
            ),
            RetryDecision::GiveUp(GiveUpReason::NotRetryable)
        );
    }

    #[test]
    fn decide_records_the_previous_delay() {
        let p = RetryPolicy::new(
            Strategy::Fixed {
                delay: Nanos::from_millis(70),
            },
            5,
        );
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut st = RetryState::first();
        p.decide(&mut st, &AttemptResult::timeout(), &mut rng);
        assert_eq!(st.prev_delay, Nanos::from_millis(70));
    }
}
