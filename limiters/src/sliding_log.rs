//! Sliding window log: an exact rolling window. A request at `t` is admitted iff the cost of the
//! requests admitted in `(t - window, t]` plus its own cost is at most `limit`.
//!
//! Semantics: the "sliding log" of the rate-limiting literature (e.g. Figma's and Stripe's
//! engineering write-ups; seed 000's "rolling 60-second window" per API key). It is the exact
//! reference the approximations ([`crate::SlidingCounter`], [`crate::FixedWindow`]) are measured
//! against. Memory: one `(time, cost)` entry per admitted request still in the window, so at
//! most `limit` entries (every stored cost is at least 1); limits above 2^24 are refused (use the
//! sliding counter for those).

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};
use std::collections::VecDeque;

/// Largest `limit` accepted: the log holds up to `limit` entries of 16 bytes.
pub const MAX_LOG_LIMIT: u64 = 1 << 24;

/// An exact rolling-window limiter.
///
/// ```
/// use limiters::{Limiter, Nanos, SlidingLog};
/// let mut log = SlidingLog::new(2, Nanos::from_secs(60)).unwrap();
/// assert!(log.check(Nanos::from_secs(0), 1).allowed);
/// assert!(log.check(Nanos::from_secs(30), 1).allowed);
/// let d = log.check(Nanos::from_secs(59), 1);
/// assert_eq!(d.retry_after, Some(Nanos::from_secs(1))); // the request at 0s leaves at 60s
/// ```
#[derive(Clone, Debug)]
pub struct SlidingLog {
    limit: u64,
    window: u64,
    /// Admitted requests still (possibly) in the window, oldest first.
    log: VecDeque<(u64, u32)>,
    /// Sum of the costs in `log`.
    used: u64,
    last: Nanos,
}

impl SlidingLog {
    /// Registered name.
    pub const NAME: &'static str = "sliding_log";

    /// At most `limit` cost units in any rolling `window`.
    pub fn new(limit: u64, window: Nanos) -> Result<SlidingLog, LimiterError> {
        if limit == 0 {
            return Err(LimiterError::invalid("limit", "must be at least 1, got 0"));
        }
        if limit > MAX_LOG_LIMIT {
            return Err(LimiterError::invalid(
                "limit",
                format!(
                    "{limit} is above {MAX_LOG_LIMIT}: the log keeps one entry per request; \
                     use sliding_counter for limits this large"
                ),
            ));
        }
        if window.is_zero() {
            return Err(LimiterError::invalid("window", "must be longer than zero"));
        }
        Ok(SlidingLog {
            limit,
            window: window.as_nanos(),
            log: VecDeque::with_capacity(limit.min(1024) as usize),
            used: 0,
            last: Nanos::ZERO,
        })
    }

    /// Whether the entry admitted at `at` has left the window at `t`.
    #[inline]
    fn expired(&self, at: u64, t: u64) -> bool {
        at.saturating_add(self.window) <= t
    }

    /// Cost still in the window at `t`, and the index of the first live entry.
    fn live(&self, t: u64) -> (u64, usize) {
        let mut used = self.used;
        let mut first = 0;
        for &(at, cost) in &self.log {
            if !self.expired(at, t) {
                break;
            }
            used -= u64::from(cost);
            first += 1;
        }
        (used, first)
    }

    /// The decision at `now` (already clamped) without changing anything.
    fn decide(&self, t: u64, cost: u64) -> Decision {
        if cost > self.limit {
            return Decision::never(self.limit);
        }
        let (used, first) = self.live(t);
        let newest = self.log.back().map(|&(at, _)| at);
        if used + cost <= self.limit {
            let reset = match (cost, newest) {
                (0, Some(at)) if used > 0 => at.saturating_add(self.window) - t,
                (0, _) => 0,
                _ => self.window,
            };
            return Decision::allow(self.limit, self.limit - used - cost, Nanos(reset));
        }
        // Oldest entries leave first: find the one whose departure frees enough.
        let mut freed = 0;
        let mut retry = 0;
        for &(at, c) in self.log.iter().skip(first) {
            freed += u64::from(c);
            if used - freed + cost <= self.limit {
                retry = at.saturating_add(self.window) - t;
                break;
            }
        }
        let reset = newest.map_or(0, |at| at.saturating_add(self.window) - t);
        Decision::deny(self.limit, self.limit - used, Nanos(reset), Nanos(retry))
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "sliding window log: exact rolling window, one timestamp per admitted \
                      request (seed 000's rolling 60-second window)",
            params: &[
                ParamDoc {
                    name: "limit",
                    help: "cost units in any rolling window, 1..=16777216 (required)",
                },
                ParamDoc {
                    name: "window",
                    help: "window length such as \"60s\" (required)",
                },
            ],
            factory: |p| {
                Ok(Box::new(SlidingLog::new(
                    p.positive_u64("limit")?,
                    p.positive_duration("window")?,
                )?))
            },
        }
    }
}

impl Limiter for SlidingLog {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let now = now.max(self.last);
        self.last = now;
        let t = now.as_nanos();
        while let Some(&(at, c)) = self.log.front() {
            if !self.expired(at, t) {
                break;
            }
            self.used -= u64::from(c);
            self.log.pop_front();
        }
        let d = self.decide(t, u64::from(cost));
        if d.allowed && cost > 0 {
            self.log.push_back((t, cost));
            self.used += u64::from(cost);
        }
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now.max(self.last).as_nanos(), u64::from(cost))
    }
    /// The check logged `(now, cost)` last: remove that entry (the expired ones it dropped
    /// would be dropped by any later call).
    fn undo(&mut self, _now: Nanos, cost: u32) {
        if cost == 0 {
            return;
        }
        if let Some(&(at, c)) = self.log.back() {
            if c == cost && at == self.last.as_nanos() {
                self.log.pop_back();
                self.used -= u64::from(c);
            }
        }
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
    fn exact_rolling_window() {
        let mut l = SlidingLog::new(3, s(60)).unwrap();
        assert!(l.check(s(0), 1).allowed);
        assert!(l.check(s(20), 1).allowed);
        let d = l.check(s(40), 1);
        assert_eq!((d.remaining, d.reset_after), (0, s(60)));
        let d = l.check(s(50), 1);
        assert_eq!(d.retry_after, Some(s(10)));
        assert_eq!(d.reset_after, s(50));
        assert!(!l.peek(s(60) - Nanos(1), 1).allowed);
        assert!(l.check(s(60), 1).allowed);
        assert!(!l.check(s(79), 1).allowed);
        assert!(l.check(s(80), 1).allowed);
    }

    #[test]
    fn weighted_retry_waits_for_enough_departures() {
        let mut l = SlidingLog::new(5, s(10)).unwrap();
        l.check(s(0), 1);
        l.check(s(1), 1);
        l.check(s(2), 3);
        let d = l.check(s(3), 2);
        assert_eq!(
            d.retry_after,
            Some(s(8)),
            "needs the entries at 0s and 1s gone"
        );
        assert!(!l.peek(s(11) - Nanos(1), 2).allowed);
        assert!(l.peek(s(11), 2).allowed);
        assert!(l.check(s(3), 6).is_never());
    }

    #[test]
    fn backwards_and_idle() {
        let mut l = SlidingLog::new(1, s(10)).unwrap();
        assert!(l.check(s(100), 1).allowed);
        assert!(!l.check(s(0), 1).allowed);
        let d = l.peek(s(1000), 0);
        assert_eq!(
            (d.allowed, d.remaining, d.reset_after),
            (true, 1, Nanos::ZERO)
        );
        assert!(l.check(s(1000), 1).allowed);
        assert_eq!(l.log.len(), 1, "expired entries are dropped");
    }

    #[test]
    fn parameters_validate() {
        assert_eq!(SlidingLog::new(0, s(1)).unwrap_err().param(), Some("limit"));
        assert_eq!(
            SlidingLog::new(MAX_LOG_LIMIT + 1, s(1))
                .unwrap_err()
                .param(),
            Some("limit")
        );
        assert_eq!(
            SlidingLog::new(1, Nanos::ZERO).unwrap_err().param(),
            Some("window")
        );
    }
}
