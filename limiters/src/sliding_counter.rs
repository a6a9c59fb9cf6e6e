//! Sliding window counter: Cloudflare's two-counter approximation of a rolling window.
//!
//! Semantics: Cloudflare, "How we built rate limiting capable of scaling to millions of domains"
//! (2017). Time is cut into aligned windows of length `W`; we keep the cost admitted in the
//! current window (`cur`) and in the previous one (`prev`). At `e` nanoseconds into the current
//! window the rolling count is estimated as `prev * (W - e) / W + cur`, i.e. the previous window's
//! requests are assumed evenly spread. A request of cost `c` is admitted iff
//! `estimate + c <= limit`, evaluated exactly in integers (`prev*(W-e) + (cur+c)*W <= limit*W`).
//!
//! Error bound, against an exact rolling window of the same `W` and `limit`:
//! - every aligned window admits at most `limit` (the estimate is at least `cur`);
//! - any interval of length `W` meets at most two aligned windows, and if the last admission in
//!   it happened `e*` into the later window, it holds at most `limit + prev * e*/W` — always
//!   strictly less than `2 * limit`. The worst case (a full previous window bunched at its very
//!   end, then requests late in the current one) approaches `2 * limit`; with evenly spread
//!   traffic the estimate is exact. Cloudflare measured 0.003% of requests wrongly allowed or
//!   limited on real traffic.
//!
//! `retry_after` is exact with respect to the estimator: the first nanosecond at which the
//! estimate has decayed enough (in this window or the next), given no other arrivals.

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};

/// Cloudflare's sliding window counter.
///
/// ```
/// use limiters::{Limiter, Nanos, SlidingCounter};
/// let mut sc = SlidingCounter::new(10, Nanos::from_secs(60)).unwrap();
/// assert!(sc.check(Nanos::from_secs(50), 10).allowed);
/// // 15s into the next window the estimate is 10 * 45/60 = 7.5: 2 more fit, 3 do not
/// assert!(sc.peek(Nanos::from_secs(75), 2).allowed);
/// let d = sc.peek(Nanos::from_secs(75), 3);
/// assert_eq!(d.retry_after, Some(Nanos::from_secs(3))); // 10 * 42/60 = 7
/// ```
#[derive(Clone, Debug)]
pub struct SlidingCounter {
    limit: u64,
    window: u64,
    /// Index (`t / window`) of the current window.
    index: u64,
    cur: u64,
    prev: u64,
    last: Nanos,
}

/// `a / b` with a 64-bit division whenever `a` fits (the common case: a 128-bit division is a
/// slow library call); saturates at `u64::MAX`.
#[inline]
fn div(a: u128, b: u64) -> u64 {
    match u64::try_from(a) {
        Ok(a) => a / b,
        Err(_) => u64::try_from(a / u128::from(b)).unwrap_or(u64::MAX),
    }
}

/// Counters as seen at some `t`.
#[derive(Clone, Copy, Debug)]
struct View {
    index: u64,
    elapsed: u64,
    cur: u64,
    prev: u64,
}

impl SlidingCounter {
    /// Registered name.
    pub const NAME: &'static str = "sliding_counter";

    /// About `limit` cost units per rolling `window` (see the module docs for the bound).
    pub fn new(limit: u64, window: Nanos) -> Result<SlidingCounter, LimiterError> {
        if limit == 0 {
            return Err(LimiterError::invalid("limit", "must be at least 1, got 0"));
        }
        if window.is_zero() {
            return Err(LimiterError::invalid("window", "must be longer than zero"));
        }
        Ok(SlidingCounter {
            limit,
            window: window.as_nanos(),
            index: 0,
            cur: 0,
            prev: 0,
            last: Nanos::ZERO,
        })
    }

    #[inline]
    fn view(&self, t: u64) -> View {
        let index = t / self.window;
        let elapsed = t % self.window;
        let (cur, prev) = match index - self.index {
            0 => (self.cur, self.prev),
            1 => (0, self.cur),
            _ => (0, 0),
        };
        View {
            index,
            elapsed,
            cur,
            prev,
        }
    }

    /// `estimate * W`, exactly.
    fn scaled_estimate(&self, v: &View) -> u128 {
        let w = u128::from(self.window);
        u128::from(v.prev) * (w - u128::from(v.elapsed)) + u128::from(v.cur) * w
    }

    /// Smallest `e` in `0..=W` with `prev * (W - e) <= room * W`, where `room` is what the
    /// estimate may be; `e == W` means "at the start of the following window".
    fn decay_point(&self, prev: u64, room: u64) -> u64 {
        if prev == 0 {
            return 0;
        }
        let w = u128::from(self.window);
        let keep = u128::from(div(u128::from(room) * w, prev)).min(w);
        (w - keep) as u64
    }

    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, View) {
        let t = now.max(self.last).as_nanos();
        let v = self.view(t);
        let cost = u64::from(cost);
        if cost > self.limit {
            return (Decision::never(self.limit), v);
        }
        let w = u128::from(self.window);
        let est = self.scaled_estimate(&v);
        let cap = u128::from(self.limit) * w;
        let to_end = self.window - v.elapsed;
        if est + u128::from(cost) * w <= cap {
            let after = est + u128::from(cost) * w;
            let remaining = div(cap - after, self.window);
            let reset = if v.cur + cost > 0 {
                to_end.saturating_add(self.window)
            } else if v.prev > 0 {
                to_end
            } else {
                0
            };
            return (Decision::allow(self.limit, remaining, Nanos(reset)), v);
        }
        let remaining = div(cap.saturating_sub(est), self.window);
        // In this window, the estimate only decays through `prev`.
        let retry = if v.cur + cost <= self.limit {
            let e = self.decay_point(v.prev, self.limit - v.cur - cost);
            if e < self.window {
                Some(e - v.elapsed)
            } else {
                None
            }
        } else {
            None
        };
        // Otherwise in the next window, where `cur` becomes the decaying `prev`.
        let retry = retry
            .unwrap_or_else(|| to_end.saturating_add(self.decay_point(v.cur, self.limit - cost)));
        let reset = if v.cur > 0 {
            to_end.saturating_add(self.window)
        } else {
            to_end
        };
        (
            Decision::deny(self.limit, remaining, Nanos(reset), Nanos(retry)),
            v,
        )
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "sliding window counter: prev*(W-e)/W + cur <= limit, may admit up to \
                      2x limit in a rolling window (Cloudflare, 2017)",
            params: &[
                ParamDoc {
                    name: "limit",
                    help: "cost units per rolling window, at least 1 (required)",
                },
                ParamDoc {
                    name: "window",
                    help: "window length such as \"1m\" (required)",
                },
            ],
            factory: |p| {
                Ok(Box::new(SlidingCounter::new(
                    p.positive_u64("limit")?,
                    p.positive_duration("window")?,
                )?))
            },
        }
    }
}

impl Limiter for SlidingCounter {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let now = now.max(self.last);
        let (d, v) = self.decide(now, cost);
        self.last = now;
        self.index = v.index;
        self.prev = v.prev;
        self.cur = v.cur + if d.allowed { u64::from(cost) } else { 0 };
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check rolled the windows to `now` and counted `cost` in the current one: take it
    /// out (the roll is what any later call would do anyway).
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.cur = self.cur.saturating_sub(u64::from(cost));
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: u64) -> Nanos {
        Nanos::from_secs(v)
    }

    #[test]
    fn weighted_estimate_by_hand() {
        // Cloudflare's example: 50 limit/min, 42 in the previous minute, 18 in this one, 15s in:
        // 42 * 45/60 + 18 = 49.5 -> one more fits? 49.5 + 1 = 50.5 > 50: no.
        let mut sc = SlidingCounter::new(50, s(60)).unwrap();
        for _ in 0..42 {
            assert!(sc.check(s(30), 1).allowed);
        }
        for _ in 0..18 {
            assert!(sc.check(s(75), 1).allowed);
        }
        let d = sc.check(s(75), 1);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        // needs 42*(60-e)/60 <= 31 -> e >= 60 - 44.28.. = 15.714..s -> at 60+60-44.285714285s
        let retry = d.retry_after.unwrap();
        assert!(!sc.peek(s(75) + retry - Nanos(1), 1).allowed);
        assert!(sc.peek(s(75) + retry, 1).allowed);
        assert_eq!(s(75) + retry, Nanos(75_714_285_715));
    }

    #[test]
    fn retry_rolls_into_the_next_window() {
        let mut sc = SlidingCounter::new(4, s(10)).unwrap();
        assert!(sc.check(s(5), 4).allowed);
        let d = sc.check(s(6), 2);
        // next window: 4*(10-e)/10 + 2 <= 4 -> e >= 5 -> at 15s
        assert_eq!(d.retry_after, Some(s(9)));
        assert_eq!(d.reset_after, s(14));
        assert!(!sc.peek(s(15) - Nanos(1), 2).allowed);
        assert!(sc.peek(s(15), 2).allowed);
        // a full-limit request waits for the window after next
        assert_eq!(sc.peek(s(6), 4).retry_after, Some(s(14)));
        assert!(sc.peek(s(20), 4).allowed);
        assert!(!sc.peek(s(20) - Nanos(1), 4).allowed);
    }

    #[test]
    fn never_backwards_idle() {
        let mut sc = SlidingCounter::new(2, s(10)).unwrap();
        assert!(sc.check(s(0), 3).is_never());
        assert!(sc.check(s(25), 2).allowed);
        assert!(!sc.check(s(3), 1).allowed, "judged at 25s");
        let d = sc.peek(s(100), 0);
        assert_eq!((d.remaining, d.reset_after), (2, Nanos::ZERO));
    }

    #[test]
    fn parameters_validate() {
        assert_eq!(
            SlidingCounter::new(0, s(1)).unwrap_err().param(),
            Some("limit")
        );
        assert_eq!(
            SlidingCounter::new(1, Nanos::ZERO).unwrap_err().param(),
            Some("window")
        );
    }
}
