//! Honouring the server's `Retry-After` (RFC 9110 §10.2.3): wait what the server said, plus an
//! optional uniform jitter so clients rejected together do not come back together, capped.
//! When the response carries no `Retry-After` (a timeout, a 5xx without it), fall back to
//! exponential backoff. Optionally, a rate-limit reset (`X-RateLimit-Reset`) stands in for a
//! missing `Retry-After`.

use super::{backoff::random_between, AttemptResult, Backoff, RetryState};
use limiters::Nanos;
use rand::Rng;

/// The `retry_after` strategy.
///
/// ```
/// use sim::retry::{AttemptResult, HonourRetryAfter, RetryState};
/// use limiters::Nanos;
/// use rand::SeedableRng;
/// let p = HonourRetryAfter { jitter: Nanos::from_secs(1), ..HonourRetryAfter::default() };
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let r = AttemptResult::status(429).with_retry_after(Nanos::from_secs(1));
/// let d = p.delay(&RetryState::first(), &r, &mut rng);
/// assert!(d >= Nanos::from_secs(1) && d < Nanos::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HonourRetryAfter {
    /// Upper bound of a uniform jitter added to the server's value (`[0, jitter)`); zero waits
    /// exactly what the server said.
    pub jitter: Nanos,
    /// The longest wait accepted; a longer `Retry-After` is clamped to it. `None`: no cap.
    pub cap: Option<Nanos>,
    /// Use the rate-limit reset when `Retry-After` is absent.
    pub use_reset: bool,
    /// The backoff used when the server gave no hint.
    pub fallback: Backoff,
}

impl Default for HonourRetryAfter {
    fn default() -> HonourRetryAfter {
        HonourRetryAfter {
            jitter: Nanos::ZERO,
            cap: None,
            use_reset: false,
            fallback: Backoff::default(),
        }
    }
}

impl HonourRetryAfter {
    /// The wait before the next attempt.
    pub fn delay<R: Rng + ?Sized>(
        &self,
        state: &RetryState,
        result: &AttemptResult,
        rng: &mut R,
    ) -> Nanos {
        let hint = match (result.retry_after, self.use_reset) {
            (Some(ra), _) => Some(ra),
            (None, true) => result.reset_after,
            (None, false) => None,
        };
        let wait = match hint {
            Some(h) => h + random_between(rng, Nanos::ZERO, self.jitter),
            None => self.fallback.delay(state, rng),
        };
        match self.cap {
            Some(cap) => wait.min(cap),
            None => wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::Jitter;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn exact_without_jitter_and_capped() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let p = HonourRetryAfter {
            cap: Some(Nanos::from_secs(30)),
            ..HonourRetryAfter::default()
        };
        let r = AttemptResult::status(429).with_retry_after(Nanos::from_secs(7));
        assert_eq!(
            p.delay(&RetryState::first(), &r, &mut rng),
            Nanos::from_secs(7)
        );
        let r = AttemptResult::status(429).with_retry_after(Nanos::from_secs(60));
        assert_eq!(
            p.delay(&RetryState::first(), &r, &mut rng),
            Nanos::from_secs(30)
        );
    }

    #[test]
    fn falls_back_to_backoff_without_a_hint_and_can_use_reset() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut p = HonourRetryAfter {
            fallback: Backoff {
                base: Nanos::from_millis(250),
                cap: Nanos::from_secs(5),
                jitter: Jitter::None,
            },
            ..HonourRetryAfter::default()
        };
        let mut r = AttemptResult::status(503);
        r.reset_after = Some(Nanos::from_secs(3));
        let st = RetryState {
            attempts: 2,
            prev_delay: Nanos::ZERO,
        };
        assert_eq!(p.delay(&st, &r, &mut rng), Nanos::from_millis(500));
        p.use_reset = true;
        assert_eq!(p.delay(&st, &r, &mut rng), Nanos::from_secs(3));
    }
}
