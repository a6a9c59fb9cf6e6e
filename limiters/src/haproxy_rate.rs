//! HAProxy's `http_req_rate(<period>)` stick-table counter and the `http-request deny if
//! { sc_http_req_rate(0) gt N }` rule on it: a sliding-window *estimate* over the current and
//! the previous period, with HAProxy's integer arithmetic.
//!
//! Source: HAProxy 2.6 (Debian's 2.6.12; github.com/haproxy/haproxy tag v2.6.0):
//! - `update_freq_ctr_period` (include/haproxy/freq_ctr.h lines 38-74): while
//!   `now_ms - curr_tick < period` the event is added to `curr_ctr`; otherwise the period
//!   rotates: `prev_ctr = curr_ctr`, `curr_ctr = inc`, `curr_tick += period`, and if that is
//!   still a whole period behind (`now_ms - curr_tick >= period`) `prev_ctr = 0` and
//!   `curr_tick = now_ms`; the stored tick has its lowest bit cleared (`curr_tick & ~1`,
//!   line 73: the bit is the rotation lock). Clock arithmetic is on 32-bit milliseconds
//!   (`global_now_ms`) and wraps.
//! - `freq_ctr_total(ctr, period, -1)` (src/freq_ctr.c lines 27-97):
//!   `remain = curr_tick + period - now_ms`; if negative, one period has passed:
//!   `remain += period`, `past = remain >= 0 ? curr : 0`, `curr = 0`; with no current events
//!   and `past <= 1` the total is `past * period` (the anti-flapping case); otherwise
//!   `past * remain + curr * period`. `read_freq_ctr_period` (freq_ctr.h lines 90-95) divides
//!   by `period`: the previous period's count weighted by the fraction of the window it still
//!   covers, plus the current count.
//! - `http-request track-sc0` counts the request (`update_freq_ctr_period(..., 1)`) when it
//!   starts tracking the entry (src/http_act.c lines 2028-2056), *before* any later
//!   `http-request deny` reads the rate: the request being judged is in the rate, and a denied
//!   request is counted too. [`Limiter::check`] therefore charges every request it sees,
//!   admitted or not.
//!
//! A new stick-table entry starts zeroed (`curr_tick = 0`). As every [`Limiter`], a `now`
//! earlier than one already seen is judged as the latest (HAProxy's own clock is monotonic).

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};

/// One stick-table entry's `http_req_rate(period)` and the rule denying above `limit`.
///
/// ```
/// use limiters::{HaproxyRate, Limiter, Nanos};
/// // http_req_rate(10s), deny if { sc_http_req_rate(0) gt 3 }
/// let mut r = HaproxyRate::new(10_000, 3).unwrap();
/// let t = Nanos::from_millis(1_000_000);
/// for _ in 0..3 {
///     assert!(r.check(t, 1).allowed);
/// }
/// assert!(!r.check(t, 1).allowed); // the 4th is counted, then the rate 4 > 3 denies it
/// // 15 s later: previous period (4 requests) weighted by 5/10, plus this one: 2 + 1 = 3
/// assert!(r.check(t + Nanos::from_secs(15), 1).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct HaproxyRate {
    period: u32,
    limit: u64,
    curr_tick: u32,
    curr: u32,
    prev: u32,
    before: (u32, u32, u32),
    latest: Nanos,
}

impl HaproxyRate {
    /// Registered name.
    pub const NAME: &'static str = "haproxy_http_req_rate";

    /// A counter over `period_ms` milliseconds and a rule that denies when the rate is above
    /// `limit` (`gt limit`).
    pub fn new(period_ms: u64, limit: u64) -> Result<HaproxyRate, LimiterError> {
        let period = u32::try_from(period_ms)
            .ok()
            .filter(|p| *p > 0 && *p < 1 << 30)
            .ok_or_else(|| {
                LimiterError::invalid("period", "must be at least 1ms and below 12 days")
            })?;
        Ok(HaproxyRate {
            period,
            limit,
            curr_tick: 0,
            curr: 0,
            prev: 0,
            before: (0, 0, 0),
            latest: Nanos::ZERO,
        })
    }

    fn now_ms(now: Nanos) -> u32 {
        (now.as_nanos() / 1_000_000) as u32
    }

    /// `update_freq_ctr_period(ctr, period, inc)` on a copy of the state.
    fn updated(&self, now: u32, inc: u32) -> (u32, u32, u32) {
        let (mut tick, mut curr, mut prev) = (self.curr_tick, self.curr, self.prev);
        if now.wrapping_sub(tick) < self.period {
            curr = curr.wrapping_add(inc);
            return (tick, curr, prev);
        }
        prev = curr;
        curr = inc;
        tick = tick.wrapping_add(self.period);
        if now.wrapping_sub(tick) >= self.period {
            prev = 0;
            tick = now;
        }
        (tick & !1, curr, prev)
    }

    /// `read_freq_ctr_period` of a state at `now`.
    fn read(&self, (tick, curr, prev): (u32, u32, u32), now: u32) -> u64 {
        let period = i64::from(self.period);
        let (mut past, mut curr) = (u64::from(prev), u64::from(curr));
        let mut remain = i64::from(tick.wrapping_add(self.period).wrapping_sub(now) as i32);
        if remain < 0 {
            remain += period;
            past = if remain >= 0 { curr } else { 0 };
            curr = 0;
        }
        let total = if curr == 0 && past <= 1 {
            past * period as u64
        } else {
            past * remain as u64 + curr * period as u64
        };
        total / period as u64
    }

    /// The rate `sc_http_req_rate` would read at `now` after `cost` more requests.
    pub fn rate_after(&self, now: Nanos, cost: u32) -> u64 {
        let now = Self::now_ms(now);
        self.read(self.updated(now, cost), now)
    }

    fn decide(&self, now: Nanos, cost: u32) -> Decision {
        if u64::from(cost) > self.limit {
            return Decision::never(self.limit);
        }
        let reset = Nanos::from_millis(2 * u64::from(self.period));
        // single requests that would pass now: each one after the first adds exactly one to
        // the current count (the anti-flapping case needs `curr == 0`)
        let left = self
            .limit
            .saturating_add(1)
            .saturating_sub(self.rate_after(now, 1));
        if cost == 0 {
            return Decision::allow(self.limit, left, reset);
        }
        let rate = self.rate_after(now, cost);
        if rate <= self.limit {
            return Decision::allow(self.limit, self.limit - rate, reset);
        }
        // the estimate only falls while no request comes: the first millisecond it is back
        // at the limit, found by bisection over two periods
        let (mut lo, mut hi) = (0u64, 2 * u64::from(self.period) + 1);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if self.rate_after(now + Nanos::from_millis(mid), cost) <= self.limit {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        // the denied requests are counted too: what passes after them
        let after = self
            .limit
            .saturating_add(1)
            .saturating_sub(self.rate_after(now, cost.saturating_add(1)));
        Decision::deny(self.limit, after.min(left), reset, Nanos::from_millis(hi))
    }
}

impl Limiter for HaproxyRate {
    /// Counts the request whatever the answer, as `track-sc0` does before `deny` reads.
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let now = now.max(self.latest);
        self.latest = now;
        let d = self.decide(now, cost);
        if d.is_never() {
            return d;
        }
        self.before = (self.curr_tick, self.curr, self.prev);
        (self.curr_tick, self.curr, self.prev) = self.updated(Self::now_ms(now), cost);
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now.max(self.latest), cost)
    }
    /// Back to the state before the check, then as a zero-cost check at `now` leaves it (the
    /// period may have rotated by then).
    fn undo(&mut self, now: Nanos, _cost: u32) {
        (self.curr_tick, self.curr, self.prev) = self.before;
        let now = Self::now_ms(now.max(self.latest));
        (self.curr_tick, self.curr, self.prev) = self.updated(now, 0);
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

/// The registry entry.
pub fn entry() -> Entry {
    Entry {
        name: HaproxyRate::NAME,
        summary: "HAProxy stick-table http_req_rate(period) with deny if rate gt limit: the \
                  previous period weighted by the remaining fraction plus the current one, \
                  denied requests counted too (freq_ctr.c, freq_ctr.h)",
        params: &[
            ParamDoc {
                name: "period",
                help: "the counter's period, such as \"10s\" (required)",
            },
            ParamDoc {
                name: "limit",
                help: "deny when the rate is greater than this, a whole number (required)",
            },
        ],
        factory: |p| {
            let period = p.positive_duration("period")?;
            if period.as_nanos() % 1_000_000 != 0 {
                return Err(LimiterError::invalid(
                    "period",
                    "HAProxy counts in whole milliseconds",
                ));
            }
            Ok(Box::new(HaproxyRate::new(
                period.as_nanos() / 1_000_000,
                p.u64("limit")?,
            )?))
        },
    }
}

#[cfg(test)]
#[path = "haproxy_rate_tests.rs"]
mod tests;
