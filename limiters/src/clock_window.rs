//! Clock window: a fixed window aligned to the Unix clock — window `k` holds every instant whose
//! Unix time `u` has `u / period == k` — wherever the scenario starts.
//!
//! Semantics: the counters of API gateways that key a fixed window by the wall clock:
//! - envoyproxy/ratelimit: `src/limiter/cache_key.go`, `GenerateCacheKey` appends
//!   `(now / divider) * divider` to the key, `now` being Unix seconds and `divider` the unit in
//!   seconds (`src/utils/utilities.go`, `UnitToDivider`: second 1, minute 60, hour 3600, day
//!   86400, week 604800, month 2592000 = 30 days, year 31536000 = 365 days: fixed lengths, not
//!   calendar months);
//! - Kong's `rate-limiting` plugin for second, minute, hour and day
//!   (`kong/tools/timestamp.lua`, `get_timestamps`: the UTC second, minute, hour and day starts,
//!   all multiples of their length in Unix time).
//!
//! The simulator's time 0 is the scenario's `epoch` (Unix seconds), so the first window is
//! usually partial: with `period = "1m"` and a scenario starting at 12:00:45, the first window
//! ends 15 s in. That partial first window is the behaviour being modelled (a client starting
//! mid-minute gets the whole minute's limit for the rest of that minute, then a fresh one).
//! Decisions are those of [`crate::FixedWindow`], which this builds with the matching `align`.

use crate::{Decision, Entry, FixedWindow, Limiter, LimiterError, Nanos, ParamDoc};

/// A fixed window on the Unix clock.
///
/// ```
/// use limiters::{ClockWindow, Limiter, Nanos};
/// // 2 per minute; the scenario starts at 00:00:45 UTC
/// let mut w = ClockWindow::new(2, Nanos::from_secs(60), 45).unwrap();
/// assert!(w.check(Nanos::ZERO, 2).allowed);
/// let d = w.check(Nanos::from_secs(1), 1);
/// assert_eq!(d.retry_after, Some(Nanos::from_secs(14))); // the minute turns 15 s in
/// assert!(w.check(Nanos::from_secs(15), 2).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct ClockWindow {
    inner: FixedWindow,
}

impl ClockWindow {
    /// Registered name.
    pub const NAME: &'static str = "clock_window";

    /// `limit` per `period`, windows starting at Unix multiples of `period`, the scenario
    /// starting at Unix second `epoch`.
    pub fn new(limit: u64, period: Nanos, epoch: u64) -> Result<ClockWindow, LimiterError> {
        if period.is_zero() {
            return Err(LimiterError::invalid("period", "must be longer than zero"));
        }
        let p = u128::from(period.as_nanos());
        let start = u128::from(epoch) * u128::from(Nanos::PER_SEC);
        // windows start where (start + t) % p == 0, i.e. t % p == (p - start % p) % p
        let align = ((p - start % p) % p) as u64;
        Ok(ClockWindow {
            inner: FixedWindow::new(limit, period, Nanos(align))?,
        })
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "fixed window aligned to the Unix clock (window = unix_time / period), \
                      as envoyproxy/ratelimit's cache key and Kong's rate-limiting periods",
            params: &[
                ParamDoc {
                    name: "limit",
                    help: "cost units per window, at least 1 (required)",
                },
                ParamDoc {
                    name: "period",
                    help: "window length such as \"1m\" (required)",
                },
                ParamDoc {
                    name: "epoch",
                    help: "Unix seconds at scenario start; default: the scenario's `epoch`",
                },
            ],
            factory: |p| {
                Ok(Box::new(ClockWindow::new(
                    p.positive_u64("limit")?,
                    p.positive_duration("period")?,
                    p.u64_or("epoch", 0)?,
                )?))
            },
        }
    }
}

impl Limiter for ClockWindow {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.inner.check(now, cost)
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.inner.peek(now, cost)
    }
    fn undo(&mut self, now: Nanos, cost: u32) {
        self.inner.undo(now, cost)
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn s(v: u64) -> Nanos {
        Nanos::from_secs(v)
    }

    #[test]
    fn ratelimit_month_is_thirty_days_of_unix_time() {
        // 2024-07-01T00:00:00Z = 1719792000 = 19905 * 86400; a 30-day window index changes
        // where unix / 2592000 does: 1719792000 / 2592000 = 663.5..., next at 664 * 2592000.
        let epoch = 1_719_792_000;
        let w = ClockWindow::new(5, s(2_592_000), epoch).unwrap();
        let next = 664 * 2_592_000 - epoch;
        assert_eq!(w.peek(Nanos::ZERO, 1).reset_after, s(next));
    }

    #[test]
    fn aligned_epoch_means_aligned_windows_and_params_check() {
        let mut w = ClockWindow::new(1, s(60), 120).unwrap();
        assert!(w.check(s(59), 1).allowed);
        assert!(w.check(s(60), 1).allowed);
        let p = Params::new().with("limit", 0i64).with("period", "1s");
        let e = (ClockWindow::entry().factory)(&p).err().unwrap();
        assert_eq!(e.param(), Some("limit"));
        let p = Params::new()
            .with("limit", 1i64)
            .with("period", "1h")
            .with("epoch", 1800i64);
        let l = (ClockWindow::entry().factory)(&p).unwrap();
        assert_eq!(l.peek(Nanos::ZERO, 1).reset_after, s(1800));
    }
}
