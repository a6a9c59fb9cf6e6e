//! Capped exponential backoff and its jitter variants, exactly as in Marc Brooker's AWS
//! Architecture Blog post "Exponential Backoff and Jitter" (2015):
//!
//! - no jitter:    `sleep = min(cap, base * 2^n)`
//! - full jitter:  `sleep = random_between(0, min(cap, base * 2^n))`
//! - equal jitter: `v = min(cap, base * 2^n); sleep = v/2 + random_between(0, v/2)`
//! - decorrelated: `sleep = min(cap, random_between(base, prev_sleep * 3))`, `prev_sleep`
//!   starting at `base`
//!
//! and one more, found in API documentation rather than the blog post:
//!
//! - proportional: `v = min(cap, base * 2^n); sleep = v + random_between(0, v * p / 100)`: seed
//!   002's `withRetry` (`const jitter = Math.random() * base * 0.2; sleep(base + jitter)`), a
//!   jitter that only ever lengthens the wait and spreads clients by at most `p` percent.
//!
//! where `n` counts retries from 0. Integer nanoseconds throughout; `random_between(a, b)` draws
//! uniformly from `[a, b)`.

use super::RetryState;
use limiters::Nanos;
use rand::Rng;

/// The jitter applied to an exponential backoff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Jitter {
    /// `min(cap, base * 2^n)`: every client that failed together retries together.
    None,
    /// Uniform on `[0, min(cap, base * 2^n))`.
    #[default]
    Full,
    /// Half the exponential value plus uniform on the other half.
    Equal,
    /// `min(cap, uniform[base, prev * 3))`.
    Decorrelated,
    /// `v + uniform[0, v * percent / 100)` with `v = min(cap, base * 2^n)` (`"+20%"` in
    /// scenario files). The cap bounds `v`, not the jittered sleep.
    Proportional(u32),
}

impl Jitter {
    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Jitter::None => "none",
            Jitter::Full => "full",
            Jitter::Equal => "equal",
            Jitter::Decorrelated => "decorrelated",
            Jitter::Proportional(_) => "proportional",
        }
    }
}

/// Capped exponential backoff with jitter.
///
/// ```
/// use sim::retry::{Backoff, Jitter, RetryState};
/// use limiters::Nanos;
/// use rand::SeedableRng;
/// let b = Backoff { base: Nanos::from_millis(100), cap: Nanos::from_secs(1), jitter: Jitter::None };
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let third_retry = RetryState { attempts: 3, prev_delay: Nanos::ZERO };
/// assert_eq!(b.delay(&third_retry, &mut rng), Nanos::from_millis(400));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Backoff {
    /// The first delay (retry 0).
    pub base: Nanos,
    /// The largest delay.
    pub cap: Nanos,
    /// The jitter variant.
    pub jitter: Jitter,
}

impl Default for Backoff {
    /// 100 ms base, 20 s cap, full jitter.
    fn default() -> Backoff {
        Backoff {
            base: Nanos::from_millis(100),
            cap: Nanos::from_secs(20),
            jitter: Jitter::Full,
        }
    }
}

/// `v + uniform[0, v * percent / 100)`: a proportional jitter that only lengthens `v`.
pub fn plus_percent<R: Rng + ?Sized>(rng: &mut R, v: Nanos, percent: u32) -> Nanos {
    if percent == 0 {
        // No spread, no draw (what `random_between` does with an empty interval), and no
        // 128-bit division on every retry.
        return v;
    }
    let spread = (u128::from(v.0) * u128::from(percent) / 100).min(u128::from(u64::MAX)) as u64;
    v + random_between(rng, Nanos::ZERO, Nanos(spread))
}

/// Uniform on `[low, high)` in integer nanoseconds; `low` when the interval is empty.
pub fn random_between<R: Rng + ?Sized>(rng: &mut R, low: Nanos, high: Nanos) -> Nanos {
    if high <= low {
        low
    } else {
        Nanos(rng.gen_range(low.0..high.0))
    }
}

impl Backoff {
    /// `min(cap, base * 2^n)` for retry number `n` (0-based), without overflow.
    pub fn exponential(&self, n: u32) -> Nanos {
        let factor = 1u64.checked_shl(n.min(63)).unwrap_or(u64::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before the next attempt, given the state after `state.attempts` attempts
    /// (so the retry number is `attempts - 1`).
    pub fn delay<R: Rng + ?Sized>(&self, state: &RetryState, rng: &mut R) -> Nanos {
        let n = state.attempts.saturating_sub(1);
        match self.jitter {
            Jitter::None => self.exponential(n),
            Jitter::Full => random_between(rng, Nanos::ZERO, self.exponential(n)),
            Jitter::Equal => {
                let v = self.exponential(n);
                let half = Nanos(v.0 / 2);
                half + random_between(rng, Nanos::ZERO, Nanos(v.0 - half.0))
            }
            Jitter::Decorrelated => {
                let prev = if state.prev_delay.is_zero() {
                    self.base
                } else {
                    state.prev_delay
                };
                random_between(rng, self.base, prev.saturating_mul(3)).min(self.cap)
            }
            Jitter::Proportional(p) => plus_percent(rng, self.exponential(n), p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn st(attempts: u32, prev_ms: u64) -> RetryState {
        RetryState {
            attempts,
            prev_delay: Nanos::from_millis(prev_ms),
        }
    }

    #[test]
    fn exponential_doubles_then_caps_without_overflow() {
        let b = Backoff {
            base: Nanos::from_millis(100),
            cap: Nanos::from_secs(1),
            jitter: Jitter::None,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let got: Vec<u64> = (1..=6)
            .map(|a| b.delay(&st(a, 0), &mut rng).as_millis())
            .collect();
        assert_eq!(got, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.exponential(1000), Nanos::from_secs(1));
    }

    #[test]
    fn jitter_bounds_hold() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mk = |jitter| Backoff {
            base: Nanos::from_millis(100),
            cap: Nanos::from_secs(10),
            jitter,
        };
        for _ in 0..2000 {
            let full = mk(Jitter::Full).delay(&st(3, 0), &mut rng);
            assert!(full < Nanos::from_millis(400));
            let eq = mk(Jitter::Equal).delay(&st(3, 0), &mut rng);
            assert!(eq >= Nanos::from_millis(200) && eq < Nanos::from_millis(400));
            let dec = mk(Jitter::Decorrelated).delay(&st(3, 2000), &mut rng);
            assert!(dec >= Nanos::from_millis(100) && dec < Nanos::from_millis(6000));
            let capped = mk(Jitter::Decorrelated).delay(&st(9, 9000), &mut rng);
            assert!(capped <= Nanos::from_secs(10));
        }
    }

    #[test]
    fn decorrelated_starts_from_base() {
        let b = Backoff {
            base: Nanos::from_millis(100),
            cap: Nanos::from_secs(10),
            jitter: Jitter::Decorrelated,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..500 {
            let d = b.delay(&st(1, 0), &mut rng);
            assert!(d >= Nanos::from_millis(100) && d < Nanos::from_millis(300));
        }
    }

    #[test]
    fn proportional_jitter_is_seed_002s_with_retry() {
        // 250 ms * 2^i plus up to 20 %: i = 0..4 -> [250, 300), [500, 600), ..., [4000, 4800).
        let b = Backoff {
            base: Nanos::from_millis(250),
            cap: Nanos::from_secs(3600),
            jitter: Jitter::Proportional(20),
        };
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for i in 0..5u32 {
            let v = 250u64 << i;
            let (mut lo, mut hi) = (u64::MAX, 0);
            for _ in 0..2000 {
                let d = b.delay(&st(i + 1, 0), &mut rng).as_millis();
                lo = lo.min(d);
                hi = hi.max(d);
            }
            assert!(lo >= v && hi < v + v / 5, "retry {i}: [{lo}, {hi}]");
            assert!(
                lo < v + v / 50 && hi > v + v / 5 - v / 50,
                "spread: [{lo}, {hi}]"
            );
        }
    }

    #[test]
    fn full_jitter_mean_is_half_the_exponential() {
        let b = Backoff {
            base: Nanos::from_millis(100),
            cap: Nanos::from_secs(10),
            jitter: Jitter::Full,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000u64;
        let sum: u64 = (0..n).map(|_| b.delay(&st(2, 0), &mut rng).0).sum();
        let mean_ms = sum as f64 / n as f64 / 1e6;
        assert!((mean_ms - 100.0).abs() < 2.0, "mean {mean_ms}");
    }
}
