//! The backoff strategies of Brooker's published simulator, with its constants.
//!
//! Source: `src/backoff_simulator.py` in github.com/aws-samples/aws-arch-backoff-simulator, the
//! code behind "Exponential Backoff and Jitter" (AWS Architecture Blog, 2015). Its client keeps
//! `self.attempt = 0`, increments it on every failed write and *then* sleeps
//! `backoff(self.attempt)`, with `expo(n) = min(cap, 2^n * base)`: the first sleep is
//! `expo(1) = base x 2`, not `base`. Its decorrelated jitter does not use the counter
//! (`sleep = min(cap, uniform(base, sleep * 3))`, `sleep` starting at `base`).
//!
//! The lab's [`Backoff`] counts retries from 0 (`base * 2^0` first, the usual SDK
//! convention). `base * 2^(k+1) = (2 base) * 2^k`, so the published exponential, full and equal
//! jitter are the lab's formulas with the base doubled; decorrelated keeps `base`. Using the
//! lab's convention with `--base 5ms` put full and equal jitter 9-10 % over the published call
//! counts. The published defaults: base 5 ms, cap 2 s, network `|Normal(10 ms, 2 ms)|` per hop,
//! 100 runs per point, 10 to 190 clients.

use crate::retry::{Backoff, Jitter, RetryPolicy, StatusSet, Strategy};
use limiters::Nanos;
use thiserror::Error;

/// The published simulator's strategies, by the names `throttlelab occ` takes.
pub const STRATEGIES: [&str; 5] = ["none", "exponential", "full", "equal", "decorrelated"];

/// An unknown strategy name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown strategy `{0}`: none, exponential, full, equal, decorrelated")]
pub struct UnknownStrategy(pub String);

/// The retry policy of the published simulator's strategy `name` (`NoBackoff`, `ExpoBackoff`,
/// `ExpoBackoffFullJitter`, `ExpoBackoffEqualJitter`, `ExpoBackoffDecorr`) with `base` and
/// `cap`: unlimited attempts, 409 (a failed conditional write) retried.
///
/// ```
/// use sim::contention::brooker_policy;
/// use sim::retry::{AttemptResult, RetryDecision, RetryState};
/// use limiters::Nanos;
/// use rand::SeedableRng;
/// let p = brooker_policy("exponential", Nanos::from_millis(5), Nanos::from_secs(2)).unwrap();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut st = RetryState::first();
/// // backoff(1) = 2^1 * 5 ms: the published first sleep.
/// assert_eq!(p.decide(&mut st, &AttemptResult::status(409), &mut rng),
///            RetryDecision::Retry(Nanos::from_millis(10)));
/// ```
pub fn brooker_policy(name: &str, base: Nanos, cap: Nanos) -> Result<RetryPolicy, UnknownStrategy> {
    let exp = |base, jitter| Strategy::Exponential(Backoff { base, cap, jitter });
    let doubled = base.saturating_mul(2);
    let strategy = match name {
        "none" => Strategy::Immediate,
        "exponential" => exp(doubled, Jitter::None),
        "full" => exp(doubled, Jitter::Full),
        "equal" => exp(doubled, Jitter::Equal),
        "decorrelated" => exp(base, Jitter::Decorrelated),
        other => return Err(UnknownStrategy(other.to_string())),
    };
    let mut p = RetryPolicy::new(strategy, u32::MAX);
    p.retry_on = StatusSet::of(&[409]);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contention::{run_occ, Occ};
    use crate::model::Distribution;

    /// Two clients, 10 ms per hop: both read at 10 ms, both writes land at 30 ms, the second
    /// conflicts; its answer is back at 40 ms, it sleeps `base x 2 = 10 ms` (published), reads
    /// again (50 -> 70 ms) and writes (70 -> 90 ms).
    #[test]
    fn first_sleep_is_twice_the_base_as_published() {
        let retry =
            brooker_policy("exponential", Nanos::from_millis(5), Nanos::from_secs(2)).unwrap();
        let occ = Occ {
            clients: 2,
            delay: Distribution::Constant(Nanos::from_millis(10)),
            retry,
            horizon: Nanos::from_secs(60),
        };
        let r = run_occ(&occ, 1).unwrap();
        assert_eq!((r.writes, r.completed), (3, 2));
        assert!((r.completion_s - 0.090).abs() < 1e-9, "{}", r.completion_s);
    }

    #[test]
    fn full_and_equal_jitter_draw_under_the_published_exponential() {
        use crate::retry::{AttemptResult, RetryDecision, RetryState};
        use rand::SeedableRng;
        let (base, cap) = (Nanos::from_millis(5), Nanos::from_secs(2));
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for (name, low) in [("full", 0), ("equal", 10)] {
            let p = brooker_policy(name, base, cap).unwrap();
            for _ in 0..200 {
                let mut st = RetryState::first();
                let RetryDecision::Retry(d) =
                    p.decide(&mut st, &AttemptResult::status(409), &mut rng)
                else {
                    panic!("retries")
                };
                // expo(1) = 10 ms: full in [0, 10), equal in [5, 10) ms.
                assert!(d >= Nanos::from_millis(low / 2) && d < Nanos::from_millis(10));
            }
        }
        let p = brooker_policy("decorrelated", base, cap).unwrap();
        let mut st = RetryState::first();
        let RetryDecision::Retry(d) = p.decide(&mut st, &AttemptResult::status(409), &mut rng)
        else {
            panic!("retries")
        };
        assert!(
            d >= base && d < Nanos::from_millis(15),
            "uniform(base, base x 3)"
        );
        assert!(brooker_policy("fulll", base, cap).is_err());
    }
}
