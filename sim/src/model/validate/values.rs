//! The checks of single values a scenario carries (durations, rates, statuses, probabilities,
//! distributions, arrival processes), each naming the offending field by its scenario-file
//! path. [`super`] walks a whole scenario with them.

use super::ModelError;
use crate::model::{Arrival, Distribution};
use limiters::{Nanos, Rate};

pub(super) fn positive(field: &str, v: Nanos) -> Result<(), ModelError> {
    if v.is_zero() {
        return Err(ModelError::invalid(field, "must be longer than zero"));
    }
    Ok(())
}

pub(super) fn rate(field: &str, r: &Rate) -> Result<(), ModelError> {
    if r.count == 0 || r.period.is_zero() {
        return Err(ModelError::invalid(
            field,
            "a rate needs a non-zero count and period",
        ));
    }
    Ok(())
}

/// An arrival rate: besides [`rate`], at most one arrival per nanosecond per client. Gaps are
/// whole nanoseconds, so a faster rate draws gaps of zero and simulated time never advances
/// (the run would loop at one instant, growing its queue until memory runs out).
pub(super) fn arrival_rate(field: &str, r: &Rate) -> Result<(), ModelError> {
    rate(field, r)?;
    arrival_rate_ok(r).map_err(|why| ModelError::invalid(field, why))
}

/// [`arrival_rate`]'s speed check alone, for the scenario parser (which has the value's span).
pub(crate) fn arrival_rate_ok(r: &Rate) -> Result<(), &'static str> {
    if r.count > r.period.0 {
        return Err(TOO_FAST);
    }
    Ok(())
}

/// Why [`arrival_rate`] refuses a rate.
pub(crate) const TOO_FAST: &str = "more than one arrival per nanosecond per client: simulated \
     time is counted in whole nanoseconds and could not advance; use more clients at a lower rate";

/// Why a closed-loop fleet without think time or network delay is refused.
pub(crate) const CLOSED_STALLS: &str = "a closed-loop fleet needs a `think` time or a \
     `network.delay` with a mean above zero: a rejected request is answered at once, so the \
     next one would start at the same instant and simulated time could never advance";

/// True when a closed-loop fleet could loop at one instant forever: nothing on the way of a
/// rejected request (answered by a limiter or a fault without reaching the backend) takes time.
pub(crate) fn closed_stalls(arrival: &Arrival, network: &Distribution) -> bool {
    matches!(arrival, Arrival::Closed { think, .. } if think.mean().is_zero() && network.mean().is_zero())
}

pub(super) fn status(field: &str, s: u16) -> Result<(), ModelError> {
    if !(100..600).contains(&s) {
        return Err(ModelError::invalid(
            field,
            format!("{s} is not an HTTP status (100..=599)"),
        ));
    }
    Ok(())
}

pub(super) fn probability(field: &str, p: f64) -> Result<(), ModelError> {
    if !(0.0..=1.0).contains(&p) {
        return Err(ModelError::invalid(
            field,
            format!("{p} is not a probability in [0, 1]"),
        ));
    }
    Ok(())
}

/// Largest p99/mean ratio a lognormal can have: `exp(z^2 / 2)` with `z = 2.3263` (the 99th
/// percentile of the standard normal).
pub(crate) const LOGNORMAL_MAX_RATIO: f64 = 14.94;

/// Check a distribution.
pub(crate) fn distribution(field: &str, d: &Distribution) -> Result<(), ModelError> {
    match *d {
        Distribution::Constant(_) | Distribution::NormalAbs { .. } => Ok(()),
        Distribution::Exponential { mean } => positive(&format!("{field}.mean"), mean),
        Distribution::Lognormal { mean, p99 } => {
            positive(&format!("{field}.mean"), mean)?;
            if p99 <= mean {
                return Err(ModelError::invalid(
                    format!("{field}.p99"),
                    "must be above the mean",
                ));
            }
            if p99.0 as f64 / mean.0 as f64 > LOGNORMAL_MAX_RATIO {
                return Err(ModelError::invalid(
                    format!("{field}.p99"),
                    format!("no lognormal has p99 above {LOGNORMAL_MAX_RATIO} x its mean"),
                ));
            }
            Ok(())
        }
        Distribution::Bimodal { p_high, .. } => probability(&format!("{field}.p_high"), p_high),
        Distribution::Uniform { low, high } => {
            if high < low {
                return Err(ModelError::invalid(
                    format!("{field}.high"),
                    "must not be below `low`",
                ));
            }
            Ok(())
        }
    }
}

pub(super) fn arrival(field: &str, a: &Arrival) -> Result<(), ModelError> {
    match a {
        Arrival::Poisson { rate: r } | Arrival::Constant { rate: r } => {
            arrival_rate(&format!("{field}.rate"), r)
        }
        Arrival::OnOff {
            rate: r,
            on,
            off: _,
        } => {
            arrival_rate(&format!("{field}.rate"), r)?;
            positive(&format!("{field}.on"), *on)
        }
        Arrival::Cron { period, offset } => {
            positive(&format!("{field}.period"), *period)?;
            if offset > period {
                return Err(ModelError::invalid(
                    format!("{field}.offset"),
                    "must not exceed the period",
                ));
            }
            Ok(())
        }
        Arrival::Diurnal { low, high, period } => {
            arrival_rate(&format!("{field}.low"), low)?;
            arrival_rate(&format!("{field}.high"), high)?;
            positive(&format!("{field}.period"), *period)?;
            if high.per_sec() < low.per_sec() {
                return Err(ModelError::invalid(
                    format!("{field}.high"),
                    "must not be below `low`",
                ));
            }
            Ok(())
        }
        Arrival::Piecewise { points } => {
            if points.is_empty() {
                return Err(ModelError::invalid(
                    format!("{field}.points"),
                    "needs at least one point",
                ));
            }
            for (i, (from, r)) in points.iter().enumerate() {
                if let Some(r) = r {
                    arrival_rate(&format!("{field}.points[{i}]"), r)?;
                }
                if i > 0 && *from <= points[i - 1].0 {
                    return Err(ModelError::invalid(
                        format!("{field}.points[{i}]"),
                        "points must be in strictly increasing time order",
                    ));
                }
            }
            Ok(())
        }
        Arrival::Closed { concurrency, think } => {
            if *concurrency == 0 {
                return Err(ModelError::invalid(
                    format!("{field}.concurrency"),
                    "must be at least 1",
                ));
            }
            distribution(&format!("{field}.think"), think)
        }
        Arrival::Trace(_) => Ok(()),
    }
}
