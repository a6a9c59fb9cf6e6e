//! Fixed window: at most `limit` cost units per window of length `period`, windows aligned to
//! period boundaries (shifted by `align`).
//!
//! Semantics: the fixed-window counter of most public APIs ("60 per minute", counters reset at
//! the top of each minute; seed 002's "60 per minute, burstable in the first second"). Because
//! windows are aligned, a client may spend the whole limit at the start of a window — and twice
//! the limit across a boundary (end of one window, start of the next): that is the documented
//! behaviour being modelled, not a bug. Windows start at `align + k * period` for integer `k`.

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};

/// A fixed-window counter.
///
/// ```
/// use limiters::{FixedWindow, Limiter, Nanos};
/// let mut fw = FixedWindow::new(2, Nanos::from_secs(60), Nanos::ZERO).unwrap();
/// assert!(fw.check(Nanos::from_secs(59), 2).allowed);
/// let d = fw.check(Nanos::from_secs(59), 1);
/// assert_eq!(d.retry_after, Some(Nanos::from_secs(1))); // the next window starts at 60s
/// assert!(fw.check(Nanos::from_secs(60), 2).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct FixedWindow {
    limit: u64,
    period: u64,
    /// `align % period`: a window starts whenever `now % period == align`.
    align: u64,
    /// End of the window `count` belongs to (0 before the first call).
    window_end: u64,
    count: u64,
    last: Nanos,
}

impl FixedWindow {
    /// Registered name.
    pub const NAME: &'static str = "fixed_window";

    /// `limit` per `period`, windows starting at `align + k * period`.
    pub fn new(limit: u64, period: Nanos, align: Nanos) -> Result<FixedWindow, LimiterError> {
        if limit == 0 {
            return Err(LimiterError::invalid("limit", "must be at least 1, got 0"));
        }
        if period.is_zero() {
            return Err(LimiterError::invalid("period", "must be longer than zero"));
        }
        Ok(FixedWindow {
            limit,
            period: period.as_nanos(),
            align: align.as_nanos() % period.as_nanos(),
            window_end: 0,
            count: 0,
            last: Nanos::ZERO,
        })
    }

    /// End of the window containing `t` (saturating at the end of time).
    #[inline]
    fn window_end_at(&self, t: u64) -> u64 {
        let r = t % self.period;
        let elapsed = if r >= self.align {
            r - self.align
        } else {
            r + (self.period - self.align)
        };
        t.saturating_add(self.period - elapsed)
    }

    /// (decision, window end, count, clamped now).
    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, u64, Nanos) {
        let now = now.max(self.last);
        let cost = u64::from(cost);
        let t = now.as_nanos();
        // `u64::MAX` is a saturated end: the last window never ends.
        let (end, count) = if t < self.window_end || self.window_end == u64::MAX {
            (self.window_end, self.count)
        } else {
            (self.window_end_at(t), 0)
        };
        if cost > self.limit {
            return (Decision::never(self.limit), end, count, now);
        }
        let until_end = Nanos(end - t);
        if count + cost <= self.limit {
            let used = count + cost;
            let reset = if used == 0 { Nanos::ZERO } else { until_end };
            let d = Decision::allow(self.limit, self.limit - used, reset);
            (d, end, used, now)
        } else {
            let d = Decision::deny(self.limit, self.limit - count, until_end, until_end);
            (d, end, count, now)
        }
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "fixed window: `limit` per `period`, counters reset at aligned boundaries \
                      (\"60 per minute, burstable in the first second\", seed 002)",
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
                    name: "align",
                    help: "offset of window starts from time 0, such as \"15s\" (default \"0s\")",
                },
            ],
            factory: |p| {
                Ok(Box::new(FixedWindow::new(
                    p.positive_u64("limit")?,
                    p.positive_duration("period")?,
                    p.duration_or("align", Nanos::ZERO)?,
                )?))
            },
        }
    }
}

/// Put a `fixed_window` level's windows on the calendar clock: its parameters with `align`
/// rewritten so that, when the limiter's time 0 is the Unix instant `zero_unix_ns`, windows start
/// at `align + k * period` of *Unix time* (`align` as given, default 0): a minute window starts
/// at the top of each wall-clock minute wherever time 0 falls, as in the Redis store (which
/// reads Redis `TIME`). Parameters without a valid `period` are returned unchanged (building
/// the limiter reports them).
///
/// ```
/// use limiters::{fixed_window::on_unix_clock, Limiter, Nanos, Params, Registry};
/// let p = Params::new().with("limit", 1i64).with("period", "60s");
/// // time 0 is 12:00:45 UTC: the next window starts 15 s later, at 12:01:00
/// let zero = (1_767_268_800 + 45) * 1_000_000_000u128;
/// let l = Registry::builtin().build("fixed_window", &on_unix_clock(&p, zero)).unwrap();
/// assert_eq!(l.peek(Nanos::ZERO, 1).reset_after, Nanos::from_secs(15));
/// ```
pub fn on_unix_clock(params: &crate::Params, zero_unix_ns: u128) -> crate::Params {
    let (Ok(period), Ok(align)) = (
        params.positive_duration("period"),
        params.duration_or("align", Nanos::ZERO),
    ) else {
        return params.clone();
    };
    let period = u128::from(period.as_nanos());
    let shift = (u128::from(align.as_nanos()) % period + period - zero_unix_ns % period) % period;
    let mut out = params.clone();
    out.insert("align", format!("{shift}ns"));
    out
}

impl Limiter for FixedWindow {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, end, count, now) = self.decide(now, cost);
        self.window_end = end;
        self.count = count;
        self.last = now;
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check moved to `now`'s window and counted `cost` in it: take it out.
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.count = self.count.saturating_sub(u64::from(cost));
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
    fn limit_per_aligned_window() {
        let mut fw = FixedWindow::new(3, s(60), Nanos::ZERO).unwrap();
        for i in 0..3 {
            let d = fw.check(s(10), 1);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i);
            assert_eq!(d.reset_after, s(50));
        }
        let d = fw.check(s(30), 1);
        assert_eq!(d.retry_after, Some(s(30)));
        assert!(!fw.peek(s(60) - Nanos(1), 1).allowed);
        assert!(fw.peek(s(60), 1).allowed);
    }

    #[test]
    fn boundary_allows_twice_the_limit_back_to_back() {
        let mut fw = FixedWindow::new(2, s(60), Nanos::ZERO).unwrap();
        assert!(fw.check(s(59), 2).allowed);
        assert!(fw.check(s(60), 2).allowed);
        assert!(!fw.check(s(61), 1).allowed);
    }

    #[test]
    fn align_shifts_the_boundaries() {
        let mut fw = FixedWindow::new(1, s(60), s(15)).unwrap();
        assert!(fw.check(s(0), 1).allowed); // window [-45s, 15s)
        let d = fw.check(s(1), 1);
        assert_eq!(d.retry_after, Some(s(14)));
        assert!(fw.check(s(15), 1).allowed);
        assert_eq!(fw.peek(s(20), 1).retry_after, Some(s(55)));
        // align larger than the period wraps
        let fw2 = FixedWindow::new(1, s(60), s(75)).unwrap();
        assert_eq!(fw2.peek(s(0), 1).reset_after, s(15));
    }

    #[test]
    fn weighted_never_backwards_idle() {
        let mut fw = FixedWindow::new(5, s(1), Nanos::ZERO).unwrap();
        assert!(fw.check(s(0), 6).is_never());
        assert!(fw.check(s(0), 4).allowed);
        let d = fw.check(s(0), 2);
        assert_eq!((d.allowed, d.remaining), (false, 1));
        assert!(fw.check(s(5), 5).allowed);
        assert!(!fw.check(s(1), 1).allowed, "an earlier now counts as 5s");
        let d = fw.peek(s(100), 0);
        assert_eq!((d.remaining, d.reset_after), (5, Nanos::ZERO));
    }

    #[test]
    fn parameters_validate() {
        assert_eq!(
            FixedWindow::new(0, s(1), Nanos::ZERO).unwrap_err().param(),
            Some("limit")
        );
        assert_eq!(
            FixedWindow::new(1, Nanos::ZERO, Nanos::ZERO)
                .unwrap_err()
                .param(),
            Some("period")
        );
        let p = Params::new().with("limit", 60i64).with("period", "1m");
        let l = (FixedWindow::entry().factory)(&p).unwrap();
        assert_eq!(l.peek(s(1), 1).reset_after, s(59));
        let bad = (FixedWindow::entry().factory)(&p.clone().with("align", "soon"));
        assert_eq!(bad.err().unwrap().param(), Some("align"));
    }

    #[test]
    fn end_of_time_saturates() {
        let mut fw = FixedWindow::new(1, s(60), Nanos::ZERO).unwrap();
        assert!(fw.check(Nanos::MAX, 1).allowed);
        assert!(!fw.check(Nanos::MAX, 1).allowed);
    }
}
