//! Token bucket: a bucket of `burst` tokens refilled at `rate`; a request of cost `n` takes `n`
//! tokens or is refused.
//!
//! Semantics: the classic token bucket (Turner 1986; the shaper of RFC 2697/2698 and of most
//! public APIs that advertise "N per second with a burst of B", such as seed 004's per-second
//! bucket). Refill is lazy: the level is brought up to date on each call from the time elapsed.
//!
//! Why fixed point: tokens are kept in *token-nanoseconds*, one token being the emission interval
//! `T = rate.time_for(1)` nanoseconds (the period divided by the count, rounded up so the rate is
//! never exceeded). Refill is then "one unit per nanosecond": integer-exact, no drift, no float.
//! [`crate::Gcra`] uses the same `T`, which is what makes the two decide identically.

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Params, Rate};

mod verdict;
pub use verdict::TokenBucketVerdict;

/// The emission interval `T` (nanoseconds per token) of `rate`, validated.
///
/// `T` is `rate.time_for(1)`: rounded up, so the limiter never exceeds the configured rate. A
/// rate so fine that this rounding would slow it by more than 0.1% (more than about a million
/// events per second that do not divide a second evenly) is refused rather than silently altered.
pub(crate) fn emission_interval(rate: Rate, param: &str) -> Result<u64, LimiterError> {
    if rate.count == 0 || rate.period.is_zero() {
        return Err(LimiterError::invalid(
            param,
            "a rate needs a count and a period above zero",
        ));
    }
    let t = rate.time_for(1).as_nanos();
    let err = t as u128 * rate.count as u128 - rate.period.as_nanos() as u128;
    if err * 1000 > rate.period.as_nanos() as u128 {
        return Err(LimiterError::invalid(
            param,
            format!(
                "{rate} is too fine for nanosecond resolution (one event every {t}ns would be \
                 more than 0.1% slower); use a coarser rate"
            ),
        ));
    }
    Ok(t)
}

/// `n` emission intervals, or an error naming `param` when that overflows 584 years.
pub(crate) fn capacity(interval: u64, n: u64, param: &str) -> Result<u64, LimiterError> {
    interval
        .checked_mul(n)
        .filter(|c| *c <= u64::MAX / 2)
        .ok_or_else(|| LimiterError::invalid(param, format!("{n} is too large for this rate")))
}

/// Whole intervals in `room` (`room / interval`), without the division when there is less than
/// one: what a denial of a cost-1 request reports as `remaining` (always 0), so the deny path
/// does not pay a 64-bit division (see `BENCHMARKS.md`, deny path).
#[inline(always)]
pub(crate) fn whole_intervals(room: u64, interval: u64) -> u64 {
    if room < interval {
        0
    } else {
        room / interval
    }
}

/// A burst from the parameters, or the rate's count when absent (as governor's `Quota` does).
pub(crate) fn burst_param(p: &Params, rate: Rate) -> Result<u64, LimiterError> {
    if p.get("burst").is_none() {
        return Ok(rate.count);
    }
    p.positive_u64("burst")
}

/// A token bucket with lazy refill, exact in integer nanoseconds.
///
/// ```
/// use limiters::{Limiter, Nanos, Rate, TokenBucket};
/// let mut tb = TokenBucket::new(Rate::per_second(10).unwrap(), 3).unwrap();
/// let t = Nanos::ZERO;
/// assert!(tb.check(t, 1).allowed && tb.check(t, 1).allowed && tb.check(t, 1).allowed);
/// let d = tb.check(t, 1);
/// assert!(!d.allowed);
/// assert_eq!(d.retry_after, Some(Nanos::from_millis(100))); // one token per 100ms
/// assert!(tb.check(Nanos::from_millis(100), 1).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate: Rate,
    interval: u64,
    burst: u64,
    capacity: u64,
    tokens: u64,
    last: Nanos,
}

impl TokenBucket {
    /// Registered name.
    pub const NAME: &'static str = "token_bucket";

    /// A full bucket of `burst` tokens refilled at `rate`.
    pub fn new(rate: Rate, burst: u64) -> Result<TokenBucket, LimiterError> {
        let interval = emission_interval(rate, "rate")?;
        if burst == 0 {
            return Err(LimiterError::invalid("burst", "must be at least 1, got 0"));
        }
        let capacity = capacity(interval, burst, "burst")?;
        Ok(TokenBucket {
            rate,
            interval,
            burst,
            capacity,
            tokens: capacity,
            last: Nanos::ZERO,
        })
    }

    /// The refill rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// The bucket size in tokens.
    pub fn burst(&self) -> u64 {
        self.burst
    }

    /// The decision at `now` and the state it leaves: (decision, tokens, clamped now).
    /// [`TokenBucket::admit`] decides the same without the figures (`judge` in `verdict.rs`):
    /// written twice because going through the verdict cost `check` about 0.5 ns
    /// (BENCHMARKS.md); `tests/verdicts.rs` checks that the two agree on every step.
    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, Nanos) {
        let now = now.max(self.last);
        let cost = u64::from(cost);
        let elapsed = now.as_nanos() - self.last.as_nanos();
        let tokens = self.tokens.saturating_add(elapsed).min(self.capacity);
        if cost > self.burst {
            return (Decision::never(self.burst), tokens, now);
        }
        let need = cost * self.interval;
        if tokens >= need {
            let left = tokens - need;
            let d = Decision::allow(
                self.burst,
                left / self.interval,
                Nanos(self.capacity - left),
            );
            (d, left, now)
        } else {
            let d = Decision::deny(
                self.burst,
                whole_intervals(tokens, self.interval),
                Nanos(self.capacity - tokens),
                Nanos(need - tokens),
            );
            (d, tokens, now)
        }
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "token bucket: `burst` tokens refilled at `rate`, lazy integer refill \
                      (classic token bucket, RFC 2697 style)",
            params: &[
                ParamDoc {
                    name: "rate",
                    help: "refill rate such as \"10/s\" (required)",
                },
                ParamDoc {
                    name: "burst",
                    help: "bucket size in tokens, at least 1 (default: the rate's count)",
                },
            ],
            factory: |p| {
                let rate = p.rate("rate")?;
                Ok(Box::new(TokenBucket::new(rate, burst_param(p, rate)?)?))
            },
        }
    }
}

impl Limiter for TokenBucket {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, tokens, now) = self.decide(now, cost);
        self.tokens = tokens;
        self.last = now;
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check refilled the bucket to `now` and took `cost`: put it back. A bucket refilled
    /// to `now` refills from there exactly as the untouched one would.
    fn undo(&mut self, _now: Nanos, cost: u32) {
        let need = u64::from(cost).saturating_mul(self.interval);
        self.tokens = self.tokens.saturating_add(need).min(self.capacity);
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests;
