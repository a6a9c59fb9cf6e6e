//! Backoff formulas that libraries ship, including their flaws, beside the textbook ones of
//! [`crate::retry::Backoff`]:
//!
//! - **Resilience4j** `IntervalFunction.ofExponentialRandomBackoff(initial, multiplier,
//!   randomizationFactor, maxInterval)` (resilience4j-core): the interval
//!   `initial * multiplier^(attempt-1)` (each step truncated to whole milliseconds) is
//!   randomised to `[i * (1 - f), i * (1 + f))` **and then** capped with `min(.., max)`. Once
//!   the exponential passes `max / (1 - f)`, every draw is above the cap and every client waits
//!   exactly `max`: jitter gone, clients resynchronised at the cap. Defaults: 500 ms, 1.5, 0.5.
//! - **Polly** `Backoff.DecorrelatedJitterBackoffV2(meanFirstDelay, retryCount)`
//!   (Polly.Contrib.WaitAndRetry): with `t = i + random()` for retry `i` (0-based),
//!   `next = 2^t * tanh(sqrt(pFactor * t))`, the delay is
//!   `(next - prev) * rpScalingFactor * meanFirstDelay` with `pFactor = 4.0` and
//!   `rpScalingFactor = 1 / 1.4`, in 100 ns ticks; `prev = next` afterwards. Retry `i` comes
//!   on average near `meanFirstDelay * 2^i` after the first failure; there is no cap.

use limiters::Nanos;
use rand::Rng;

/// Resilience4j's `ofExponentialRandomBackoff`, in integer milliseconds as it computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RandomizeThenCap {
    /// `initialIntervalMillis` (default 500).
    pub initial_ms: u64,
    /// `multiplier`, in thousandths (default 1500 = 1.5).
    pub multiplier_milli: u32,
    /// `randomizationFactor`, in thousandths (default 500 = 0.5; at most 1000).
    pub randomization_milli: u32,
    /// `maxIntervalMillis`.
    pub max_ms: u64,
}

impl Default for RandomizeThenCap {
    fn default() -> RandomizeThenCap {
        RandomizeThenCap {
            initial_ms: 500,
            multiplier_milli: 1500,
            randomization_milli: 500,
            max_ms: 30_000,
        }
    }
}

impl RandomizeThenCap {
    /// The un-randomised interval of `attempt` (1-based): `LongStream.iterate(initial,
    /// x -> (long) (x * multiplier))`, element `attempt - 1`.
    pub fn interval_ms(&self, attempt: u32) -> u64 {
        let m = f64::from(self.multiplier_milli) / 1000.0;
        let mut x = self.initial_ms;
        for _ in 1..attempt.max(1) {
            let next = (x as f64 * m) as u64;
            if next == x && m >= 1.0 || next >= u64::MAX / 4 {
                break;
            }
            x = next;
        }
        x
    }

    /// The wait before retry after attempt `attempt` (1-based): randomise, then cap.
    ///
    /// ```
    /// use sim::retry::RandomizeThenCap;
    /// use rand::SeedableRng;
    /// let r = RandomizeThenCap { max_ms: 2_000, ..RandomizeThenCap::default() };
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// // attempt 9: 500 * 1.5^8 = 12 814 ms, randomised to [6 407, 19 221): always capped.
    /// for _ in 0..100 { assert_eq!(r.delay(9, &mut rng).as_millis(), 2_000); }
    /// ```
    pub fn delay<R: Rng + ?Sized>(&self, attempt: u32, rng: &mut R) -> Nanos {
        let i = self.interval_ms(attempt) as f64;
        let f = f64::from(self.randomization_milli.min(1000)) / 1000.0;
        let delta = f * i;
        let (min, max) = (i - delta, i + delta);
        let randomized = (min + rng.gen::<f64>() * (max - min)) as u64;
        Nanos::from_millis(randomized.min(self.max_ms))
    }
}

/// `pFactor` of Polly's V2 formula.
pub const POLLY_P_FACTOR: f64 = 4.0;
/// `rpScalingFactor` of Polly's V2 formula.
pub const POLLY_RP_SCALING: f64 = 1.0 / 1.4;
/// .NET ticks are 100 ns.
const TICK_NS: u64 = 100;

/// `2^t * tanh(sqrt(pFactor * t))`.
fn polly_formula(t: f64) -> f64 {
    2f64.powf(t) * (POLLY_P_FACTOR * t).sqrt().tanh()
}

/// Polly's `DecorrelatedJitterBackoffV2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PollyV2 {
    /// `meanFirstDelay`.
    pub mean_first_delay: Nanos,
}

impl PollyV2 {
    /// The whole series of `retries` delays, as Polly enumerates it (`fastFirst = false`).
    ///
    /// ```
    /// use sim::retry::PollyV2;
    /// use limiters::Nanos;
    /// use rand::SeedableRng;
    /// let p = PollyV2 { mean_first_delay: Nanos::from_secs(1) };
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    /// let d = p.series(5, &mut rng);
    /// assert_eq!(d.len(), 5);
    /// assert!(d[0] < Nanos::from_millis(2_900)); // at most (2 * tanh(2)) / 1.4 s
    /// ```
    pub fn series<R: Rng + ?Sized>(&self, retries: u32, rng: &mut R) -> Vec<Nanos> {
        let mut prev = 0.0;
        (0..retries)
            .map(|i| {
                let (d, next) = self.step(i, prev, rng);
                prev = next;
                d
            })
            .collect()
    }

    /// One step: retry `i` (0-based) after a formula value `prev`; `(delay, next)`.
    pub fn step<R: Rng + ?Sized>(&self, i: u32, prev: f64, rng: &mut R) -> (Nanos, f64) {
        let t = f64::from(i) + rng.gen::<f64>();
        let next = polly_formula(t);
        let ticks_first = (self.mean_first_delay.as_nanos() / TICK_NS) as f64;
        let ticks = ((next - prev) * POLLY_RP_SCALING * ticks_first).max(0.0) as u64;
        (Nanos(ticks.saturating_mul(TICK_NS)), next)
    }

    /// The delay before retry `i` (0-based) given the sum of the delays before it, from which
    /// `prev` is recovered (`prev = sum / (rpScalingFactor * meanFirstDelay)`, exact up to the
    /// truncation of each delay to whole ticks): the form a [`crate::retry::RetryState`] can
    /// carry.
    pub fn delay_after<R: Rng + ?Sized>(&self, i: u32, sum_so_far: Nanos, rng: &mut R) -> Nanos {
        let ticks_first = (self.mean_first_delay.as_nanos() / TICK_NS) as f64;
        let prev = if ticks_first > 0.0 {
            (sum_so_far.as_nanos() / TICK_NS) as f64 / (POLLY_RP_SCALING * ticks_first)
        } else {
            0.0
        };
        self.step(i, prev, rng).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;
    use rand::SeedableRng;

    #[test]
    fn r4j_intervals_truncate_per_step_and_jitter_collapses_at_the_cap() {
        let r = RandomizeThenCap::default();
        let got: Vec<u64> = (1..=5).map(|a| r.interval_ms(a)).collect();
        assert_eq!(got, vec![500, 750, 1125, 1687, 2530]);
        // random() = 0 gives the bottom of the range, (1 - 0.5) * interval.
        let mut zero = StepRng::new(0, 0);
        assert_eq!(r.delay(3, &mut zero), Nanos::from_micros(562_000));
        let capped = RandomizeThenCap { max_ms: 1_000, ..r };
        // attempt 4: [843.5, 2530.5): a share of draws below the cap, the rest exactly at it.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let at_cap = (0..10_000)
            .filter(|_| capped.delay(4, &mut rng) == Nanos::from_secs(1))
            .count();
        // P(draw >= 1000) = (2530.5 - 1000) / 1687 = 0.907.
        assert!((at_cap as f64 / 10_000.0 - 0.907).abs() < 0.015, "{at_cap}");
    }

    #[test]
    fn polly_v2_first_values_for_known_draws() {
        let p = PollyV2 {
            mean_first_delay: Nanos::from_secs(1),
        };
        // A mock RNG whose gen::<f64>() is 0.5 every time: t = i + 0.5.
        struct Half;
        impl rand::RngCore for Half {
            fn next_u32(&mut self) -> u32 {
                0
            }
            fn next_u64(&mut self) -> u64 {
                1 << 63 // (x >> 11) * 2^-53 = 0.5
            }
            fn fill_bytes(&mut self, d: &mut [u8]) {
                d.fill(0)
            }
            fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand::Error> {
                d.fill(0);
                Ok(())
            }
        }
        let d = p.series(3, &mut Half);
        let f = |t: f64| 2f64.powf(t) * (4.0 * t).sqrt().tanh();
        let ticks = |x: f64| Nanos(((x / 1.4 * 1e7) as u64) * 100);
        assert_eq!(d[0], ticks(f(0.5)));
        assert_eq!(d[1], ticks(f(1.5) - f(0.5)));
        assert_eq!(d[2], ticks(f(2.5) - f(1.5)));
        // f(0.5) = sqrt(2) * tanh(sqrt(2)) = 1.41421 * 0.88838 = 1.25636; / 1.4 = 0.8974 s.
        assert_eq!(d[0].as_millis(), 897);
        // The cumulative form agrees to within a tick per step.
        let mut sum = Nanos::ZERO;
        for (i, want) in d.iter().enumerate() {
            let got = p.delay_after(i as u32, sum, &mut Half);
            assert!(got.as_nanos().abs_diff(want.as_nanos()) <= 200 * (i as u64 + 1));
            sum += got;
        }
    }

    #[test]
    fn polly_v2_seeded_series_is_reproducible_and_near_doubling() {
        let p = PollyV2 {
            mean_first_delay: Nanos::from_millis(100),
        };
        let a = p.series(6, &mut rand_chacha::ChaCha8Rng::seed_from_u64(42));
        let b = p.series(6, &mut rand_chacha::ChaCha8Rng::seed_from_u64(42));
        assert_eq!(a, b);
        // Polly's promise: retry i happens, on average, near meanFirstDelay * 2^i after the
        // first failure (cumulative: E[2^U] / 1.4 = 1.4427 / 1.4, once tanh is near 1).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let mut sums = [0u64; 5];
        for _ in 0..n {
            let mut at = 0;
            for (s, d) in sums.iter_mut().zip(p.series(5, &mut rng)) {
                at += d.as_nanos();
                *s += at;
            }
        }
        for (i, s) in sums.iter().enumerate().skip(2) {
            let mean_ms = *s as f64 / n as f64 / 1e6;
            let want = 100.0 * 2f64.powi(i as i32);
            assert!(
                (mean_ms / want - 1.0).abs() < 0.1,
                "retry {i}: {mean_ms} vs {want}"
            );
        }
    }
}
