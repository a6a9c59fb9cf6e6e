//! Honouring the server's `Retry-After` (RFC 9110 §10.2.3): wait what the server said, plus an
//! optional uniform jitter so clients rejected together do not come back together, capped.
//! The jitter may also be a share of the server's value (`jitter_percent`: seed 002's
//! `base + Math.random() * base * 0.2`, where `base` is the `Retry-After` of a 429).
//! When the response carries no `Retry-After` (a timeout, a 5xx without it), fall back to
//! exponential backoff. Optionally, a rate-limit reset (`X-RateLimit-Reset`) stands in for a
//! missing `Retry-After`.

use super::{
    backoff::{plus_percent, random_between},
    AttemptResult, Backoff, RetryState,
};
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
    /// A further uniform jitter of `[0, jitter_percent %)` of the server's value; 0: none.
    pub jitter_percent: u32,
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
            jitter_percent: 0,
            cap: None,
            use_reset: false,
            fallback: Backoff::default(),
        }
    }
}

impl HonourRetryAfter {
    /// The wait before the next attempt.
    #[inline(always)]
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
            Some(h) => {
                plus_percent(rng, h, self.jitter_percent)
                    + random_between(rng, Nanos::ZERO, self.jitter)
            }
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
    fn percent_jitter_scales_with_the_hint() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let p = HonourRetryAfter {
            jitter_percent: 20,
            ..HonourRetryAfter::default()
        };
        let r = AttemptResult::status(429).with_retry_after(Nanos::from_secs(10));
        let ds: Vec<Nanos> = (0..500)
            .map(|_| p.delay(&RetryState::first(), &r, &mut rng))
            .collect();
        assert!(ds
            .iter()
            .all(|d| *d >= Nanos::from_secs(10) && *d < Nanos::from_secs(12)));
        assert!(ds.iter().any(|d| *d > Nanos::from_millis(11_800)));
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
