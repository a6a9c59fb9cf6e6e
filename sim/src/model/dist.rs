//! Distributions of durations (service time, network delay, think time), as configured.
//!
//! The model keeps the parameters a user wrote (mean and p99 for a lognormal, not mu and sigma);
//! [`crate::engine::sample`] turns them into samplers once, at the start of a run. Durations are
//! integer nanoseconds; only the sampler's intermediate draws are floats.

use limiters::Nanos;

/// A non-negative duration distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always the same value.
    Constant(Nanos),
    /// Exponential with the given mean (memoryless: M/M/c service, Poisson think time).
    Exponential {
        /// Mean.
        mean: Nanos,
    },
    /// Lognormal fitted to a mean and a 99th percentile (the way latencies are usually quoted).
    /// Requires `mean < p99 <= ~14.9 * mean` (beyond that no lognormal has that mean and p99).
    Lognormal {
        /// Mean.
        mean: Nanos,
        /// 99th percentile.
        p99: Nanos,
    },
    /// Two constant modes: `high` with probability `p_high`, else `low` (cache hit or miss).
    Bimodal {
        /// The common, fast value.
        low: Nanos,
        /// The rare, slow value.
        high: Nanos,
        /// Probability of `high`, in [0, 1].
        p_high: f64,
    },
    /// `|N(mean, sd)|`: a normal folded at zero (network jitter around a mean).
    NormalAbs {
        /// Mean of the underlying normal.
        mean: Nanos,
        /// Standard deviation of the underlying normal.
        sd: Nanos,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Inclusive lower bound.
        low: Nanos,
        /// Exclusive upper bound (equal to `low` means constant).
        high: Nanos,
    },
}

impl Distribution {
    /// Zero, always: no delay.
    pub const ZERO: Distribution = Distribution::Constant(Nanos::ZERO);

    /// True when every sample is zero (lets the engine skip scheduling an event).
    pub fn is_zero(&self) -> bool {
        matches!(self, Distribution::Constant(v) if v.is_zero())
    }

    /// The distribution's mean, as configured (for reports and sanity checks).
    pub fn mean(&self) -> Nanos {
        match *self {
            Distribution::Constant(v) => v,
            Distribution::Exponential { mean } | Distribution::Lognormal { mean, .. } => mean,
            Distribution::Bimodal { low, high, p_high } => {
                Nanos((low.0 as f64 * (1.0 - p_high) + high.0 as f64 * p_high) as u64)
            }
            Distribution::NormalAbs { mean, .. } => mean,
            Distribution::Uniform { low, high } => Nanos(low.0 / 2 + high.0 / 2),
        }
    }
}

impl Default for Distribution {
    fn default() -> Self {
        Distribution::ZERO
    }
}
