//! Samplers for [`Distribution`]s, prepared once per run (a lognormal's `mu` and `sigma` are
//! solved from its mean and p99 here, not on every draw).
//!
//! Draws come from `rand_distr`'s ziggurat samplers (`Exp1`, `StandardNormal`) on a
//! [`Stream`]; the float result is rounded to whole nanoseconds at once, so time itself stays
//! an integer.

use crate::model::Distribution;
use limiters::Nanos;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};

/// The 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// A prepared sampler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampler {
    /// Always this many nanoseconds.
    Const(u64),
    /// Exponential with this mean (ns).
    Exp(f64),
    /// `exp(mu + sigma * N(0,1))` (ns).
    LogNormal {
        /// Location.
        mu: f64,
        /// Scale.
        sigma: f64,
    },
    /// `high` with probability `p`, else `low`.
    Bimodal {
        /// Fast mode (ns).
        low: u64,
        /// Slow mode (ns).
        high: u64,
        /// Probability of the slow mode.
        p: f64,
    },
    /// `|mean + sd * N(0,1)|` (ns).
    NormalAbs {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound (ns).
        low: u64,
        /// Upper bound (ns).
        high: u64,
    },
}

/// `(mu, sigma)` of the lognormal with this mean and 99th percentile: from
/// `ln p99 = mu + z sigma` and `ln mean = mu + sigma^2 / 2`, the smaller root of
/// `sigma^2 / 2 - z sigma + ln(p99 / mean) = 0`. `None` when no lognormal fits.
pub fn lognormal_params(mean: f64, p99: f64) -> Option<(f64, f64)> {
    if mean <= 0.0 || p99 <= mean {
        return None;
    }
    let d = (p99 / mean).ln();
    let disc = Z99 * Z99 - 2.0 * d;
    if disc < 0.0 {
        return None;
    }
    let sigma = Z99 - disc.sqrt();
    Some((mean.ln() - sigma * sigma / 2.0, sigma))
}

impl Sampler {
    /// Prepare a sampler (the distribution must have passed validation; an unfittable lognormal
    /// degrades to its mean).
    pub fn new(d: &Distribution) -> Sampler {
        match *d {
            Distribution::Constant(v) => Sampler::Const(v.0),
            Distribution::Exponential { mean } => Sampler::Exp(mean.0 as f64),
            Distribution::Lognormal { mean, p99 } => {
                match lognormal_params(mean.0 as f64, p99.0 as f64) {
                    Some((mu, sigma)) => Sampler::LogNormal { mu, sigma },
                    None => Sampler::Const(mean.0),
                }
            }
            Distribution::Bimodal { low, high, p_high } => Sampler::Bimodal {
                low: low.0,
                high: high.0,
                p: p_high,
            },
            Distribution::NormalAbs { mean, sd } => Sampler::NormalAbs {
                mean: mean.0 as f64,
                sd: sd.0 as f64,
            },
            Distribution::Uniform { low, high } => Sampler::Uniform {
                low: low.0,
                high: high.0,
            },
        }
    }

    /// True when the distribution is a constant (a draw reads no random number).
    pub fn is_const(&self) -> bool {
        matches!(self, Sampler::Const(_))
    }

    /// True when every draw is zero (the engine then needs no event).
    pub fn is_zero(&self) -> bool {
        matches!(self, Sampler::Const(0))
    }

    /// One draw. A constant draws nothing from the stream (and is inlined at the call site:
    /// the network and service samplers of most scenarios are constants, drawn every attempt).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Nanos {
        match *self {
            Sampler::Const(v) => Nanos(v),
            _ => self.sample_dist(rng),
        }
    }

    /// One draw from the stream `rng()` builds, called only for a non-constant distribution
    /// (a per-attempt stream is hashed from the attempt's identity: constants skip that).
    #[inline]
    pub fn sample_from<S: Rng>(&self, rng: impl FnOnce() -> S) -> Nanos {
        match *self {
            Sampler::Const(v) => Nanos(v),
            _ => self.sample_dist(&mut rng()),
        }
    }

    /// One draw of a non-constant distribution.
    #[inline(never)]
    fn sample_dist<R: Rng + ?Sized>(&self, rng: &mut R) -> Nanos {
        let ns = match *self {
            Sampler::Const(v) => return Nanos(v),
            Sampler::Exp(mean) => {
                let e: f64 = rng.sample(Exp1);
                e * mean
            }
            Sampler::LogNormal { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (mu + sigma * z).exp()
            }
            Sampler::Bimodal { low, high, p } => {
                return Nanos(if rng.gen::<f64>() < p { high } else { low })
            }
            Sampler::NormalAbs { mean, sd } => {
                let z: f64 = rng.sample(StandardNormal);
                (mean + sd * z).abs()
            }
            Sampler::Uniform { low, high } => {
                return Nanos(if high > low {
                    rng.gen_range(low..high)
                } else {
                    low
                })
            }
        };
        Nanos(to_ns(ns))
    }
}

/// A float nanosecond count rounded to an integer (half away from zero, as [`f64::round`]),
/// saturating (NaN -> 0).
///
/// `f64::round` is a libm call on baseline x86-64 (no SSE4.1 `roundsd`); this is the same
/// result from a truncating conversion: for `0 < v < 2^64` the integer part `i` converts back
/// exactly, so `v - i` is the exact fraction.
#[inline]
pub fn to_ns(v: f64) -> u64 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        let i = v as u64;
        // Added, not branched on: the fraction of a random draw is as often above a half as
        // below, a branch on it mispredicts half the time.
        i + u64::from(v - i as f64 >= 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_ns_rounds_as_f64_round() {
        let mut rng = crate::engine::Stream::from_seed(3);
        let edge = [
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            4503599627370497.0,
            9007199254740993.0,
            1e19,
            (u64::MAX - 4095) as f64,
            123.5,
            1e-300,
        ];
        let mut values: Vec<f64> = edge.to_vec();
        values.extend((0..100_000).map(|_| rng.gen::<f64>() * 1e10));
        values.extend((0..100_000).map(|_| f64::from(rng.gen_range(0..4000u32)) / 4.0));
        for v in values {
            assert_eq!(to_ns(v), v.round() as u64, "{v:e}");
        }
    }
    use crate::engine::Stream;

    fn mean_of(s: &Sampler, n: u32) -> f64 {
        let mut rng = Stream::from_seed(5);
        (0..n).map(|_| s.sample(&mut rng).0 as f64).sum::<f64>() / f64::from(n)
    }

    #[test]
    fn lognormal_fit_reproduces_mean_and_p99() {
        let s = Sampler::new(&Distribution::Lognormal {
            mean: Nanos::from_millis(50),
            p99: Nanos::from_millis(400),
        });
        let mut rng = Stream::from_seed(1);
        let mut v: Vec<u64> = (0..200_000).map(|_| s.sample(&mut rng).0).collect();
        let mean = v.iter().sum::<u64>() as f64 / v.len() as f64;
        v.sort_unstable();
        let p99 = v[v.len() * 99 / 100] as f64;
        assert!((mean / 50e6 - 1.0).abs() < 0.03, "mean {mean}");
        assert!((p99 / 400e6 - 1.0).abs() < 0.05, "p99 {p99}");
    }

    #[test]
    fn impossible_lognormal_has_no_fit() {
        assert!(lognormal_params(1.0, 20.0).is_none());
        assert!(lognormal_params(1.0, 0.5).is_none());
    }

    #[test]
    fn means_match_configuration() {
        let e = Sampler::new(&Distribution::Exponential {
            mean: Nanos::from_millis(10),
        });
        assert!((mean_of(&e, 100_000) / 10e6 - 1.0).abs() < 0.02);
        let b = Sampler::new(&Distribution::Bimodal {
            low: Nanos::from_millis(1),
            high: Nanos::from_millis(101),
            p_high: 0.1,
        });
        assert!((mean_of(&b, 100_000) / 11e6 - 1.0).abs() < 0.05);
        let u = Sampler::new(&Distribution::Uniform {
            low: Nanos(100),
            high: Nanos(300),
        });
        assert!((mean_of(&u, 100_000) - 200.0).abs() < 2.0);
        assert_eq!(Sampler::new(&Distribution::ZERO), Sampler::Const(0));
    }
}
