//! Leaky bucket with NGINX `limit_req` semantics: a queue of up to `burst` excess requests
//! drained at `rate`; excess requests are admitted *with a delay*, beyond the queue rejected.
//!
//! Semantics: nginx `ngx_http_limit_req_module` (nginx.org docs; `limit_req zone=.. burst=..
//! [nodelay | delay=..]`). NGINX keeps per key an `excess` (in milli-requests) and the time of
//! the last request, and on each request computes
//! `excess = max(0, excess - rate * elapsed + 1)`; if `excess > burst` the request is rejected,
//! otherwise it is admitted and delayed until the excess above `delay` has drained:
//! `(excess - delay) / rate` (zero when `excess <= delay`; `nodelay` means `delay = infinity`).
//!
//! Here `excess` is kept in nanoseconds of drain time (one request = `T = rate.time_for(1)`),
//! so the leak is exact integer time rather than rounded milli-requests per millisecond. A request
//! of cost `c` counts as `c` requests arriving together (`excess + T - elapsed` clamped at zero,
//! then `+ (c - 1) * T`). Up to `burst + 1` requests are admitted at once from idle (the one
//! being served plus `burst` queued), which is what [`Decision::limit`] reports.

use crate::token_bucket::{capacity, emission_interval};
use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Rate};

/// A leaky bucket as NGINX `limit_req` implements it.
///
/// ```
/// use limiters::{LeakyBucket, Limiter, Nanos, Rate};
/// // rate=2r/s burst=2: the 2nd and 3rd request at once are queued 500ms and 1s; the 4th fails
/// let mut lb = LeakyBucket::new(Rate::per_second(2).unwrap(), 2, Some(0)).unwrap();
/// assert_eq!(lb.check(Nanos::ZERO, 1).delay, Nanos::ZERO);
/// assert_eq!(lb.check(Nanos::ZERO, 1).delay, Nanos::from_millis(500));
/// assert_eq!(lb.check(Nanos::ZERO, 1).delay, Nanos::from_secs(1));
/// assert!(!lb.check(Nanos::ZERO, 1).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct LeakyBucket {
    rate: Rate,
    interval: u64,
    burst: u64,
    /// `burst * T`: the most excess an admitted request may leave.
    max_excess: u64,
    /// `delay * T`, or `u64::MAX` for `nodelay`.
    free_excess: u64,
    excess: u64,
    /// Time of the last admitted request (NGINX's `lr->last`).
    last: Nanos,
    /// Latest `now` seen: an earlier `now` is judged as this one.
    latest: Nanos,
    /// False until the first request (NGINX creates the node with `excess = 0`).
    seen: bool,
}

impl LeakyBucket {
    /// Registered name.
    pub const NAME: &'static str = "leaky_bucket";

    /// `rate`, a queue of `burst` excess requests, and `delay` of them served without delay
    /// (`None` = `nodelay`: every admitted request is served at once).
    pub fn new(rate: Rate, burst: u64, delay: Option<u64>) -> Result<LeakyBucket, LimiterError> {
        let interval = emission_interval(rate, "rate")?;
        let max_excess = capacity(interval, burst, "burst")?;
        let free_excess = match delay {
            None => u64::MAX,
            Some(d) if d > burst => {
                return Err(LimiterError::invalid(
                    "delay",
                    format!("{d} exceeds burst {burst}; use nodelay = true to never delay"),
                ))
            }
            Some(d) => d * interval,
        };
        Ok(LeakyBucket {
            rate,
            interval,
            burst,
            max_excess,
            free_excess,
            excess: 0,
            last: Nanos::ZERO,
            latest: Nanos::ZERO,
            seen: false,
        })
    }

    /// The drain rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// (decision, new excess, new time of the last admission).
    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, Nanos) {
        let now = now.max(self.latest);
        let limit = self.burst + 1;
        let cost = u64::from(cost);
        if cost > limit {
            return (Decision::never(limit), self.excess, self.last);
        }
        let elapsed = now.as_nanos() - self.last.as_nanos();
        // The excess before this request, one request's worth above zero when busy.
        let level = if self.seen {
            (self.excess + self.interval).saturating_sub(elapsed)
        } else {
            0
        };
        if cost == 0 {
            let left = (self.max_excess + self.interval).saturating_sub(level) / self.interval;
            return (
                Decision::allow(limit, left, Nanos(level)),
                self.excess,
                self.last,
            );
        }
        let excess = level + (cost - 1) * self.interval;
        if excess <= self.max_excess {
            let delay = Nanos(excess.saturating_sub(self.free_excess));
            let remaining = (self.max_excess - excess) / self.interval;
            let reset = Nanos(excess + self.interval);
            (
                Decision::allow_after(delay, limit, remaining, reset),
                excess,
                now,
            )
        } else {
            let retry = Nanos(excess - self.max_excess);
            let remaining = (self.max_excess + self.interval).saturating_sub(level) / self.interval;
            let d = Decision::deny(limit, remaining, Nanos(level), retry);
            (d, self.excess, self.last)
        }
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "leaky bucket as NGINX limit_req: excess within `burst` admitted with a \
                      delay, beyond rejected; `delay`/`nodelay` (ngx_http_limit_req_module)",
            params: &[
                ParamDoc {
                    name: "rate",
                    help: "drain rate such as \"10/s\" (required)",
                },
                ParamDoc {
                    name: "burst",
                    help: "excess requests queued, 0 or more (default 0)",
                },
                ParamDoc {
                    name: "delay",
                    help: "excess requests served without delay, at most burst (default 0)",
                },
                ParamDoc {
                    name: "nodelay",
                    help: "true: serve every admitted request at once (default false)",
                },
            ],
            factory: |p| {
                Ok(Box::new(LeakyBucket::new(
                    p.rate("rate")?,
                    p.u64_or("burst", 0)?,
                    delay_param(p)?,
                )?))
            },
        }
    }
}

impl Limiter for LeakyBucket {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, excess, last) = self.decide(now, cost);
        if d.allowed && cost > 0 {
            self.seen = true;
        }
        self.excess = excess;
        self.last = last;
        self.latest = self.latest.max(now);
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check left `excess = level + (cost - 1) T` at `last = now`, where `level` is what
    /// the bucket held at `now` before it. Give back a state holding `level` at `now` and
    /// draining as the old one would: `excess + T - (t - last) = level - (t - now)`.
    fn undo(&mut self, now: Nanos, cost: u32) {
        if cost == 0 {
            return;
        }
        let now = now.max(self.latest);
        let level = self
            .excess
            .saturating_sub((u64::from(cost) - 1).saturating_mul(self.interval));
        if level == 0 {
            // Drained (or never used): NGINX's fresh node.
            self.seen = false;
            self.excess = 0;
        } else if level >= self.interval {
            self.excess = level - self.interval;
            self.last = now;
        } else {
            self.excess = 0;
            self.last = Nanos(now.as_nanos() - (self.interval - level));
        }
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

/// nginx's `delay=N` / `nodelay` as scenario parameters: `Some(delay)` requests served at once
/// (default 0), `None` for `nodelay = true` (never delayed); both given is an error.
pub(crate) fn delay_param(p: &crate::Params) -> Result<Option<u64>, LimiterError> {
    let nodelay = p.bool_or("nodelay", false)?;
    if nodelay && p.get("delay").is_some() {
        return Err(LimiterError::invalid(
            "delay",
            "give either delay or nodelay = true, not both",
        ));
    }
    Ok(if nodelay {
        None
    } else {
        Some(p.u64_or("delay", 0)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn ms(v: u64) -> Nanos {
        Nanos::from_millis(v)
    }
    fn lb(rate: &str, burst: u64, delay: Option<u64>) -> LeakyBucket {
        LeakyBucket::new(rate.parse().unwrap(), burst, delay).unwrap()
    }

    #[test]
    fn burst_zero_is_one_request_per_interval() {
        let mut b = lb("10/s", 0, Some(0));
        assert!(b.check(ms(0), 1).allowed);
        let d = b.check(ms(40), 1);
        assert_eq!(d.retry_after, Some(ms(60)));
        assert!(!b.peek(ms(100) - Nanos(1), 1).allowed);
        assert!(b.check(ms(100), 1).allowed);
        assert_eq!(b.check(ms(100), 1).limit, 1);
    }

    #[test]
    fn excess_is_delayed_then_rejected_like_nginx() {
        let mut b = lb("10/s", 3, Some(0));
        let delays: Vec<_> = (0..4).map(|_| b.check(ms(0), 1).delay).collect();
        assert_eq!(delays, vec![ms(0), ms(100), ms(200), ms(300)]);
        let d = b.check(ms(50), 1);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Some(ms(50)));
        let d = b.check(ms(100), 1);
        assert_eq!((d.allowed, d.delay, d.remaining), (true, ms(300), 0));
        assert_eq!(d.reset_after, ms(400));
    }

    #[test]
    fn delay_and_nodelay() {
        let mut b = lb("10/s", 4, Some(2));
        let delays: Vec<_> = (0..5).map(|_| b.check(ms(0), 1).delay).collect();
        assert_eq!(delays, vec![ms(0), ms(0), ms(0), ms(100), ms(200)]);
        let mut n = lb("10/s", 4, None);
        assert!((0..5).all(|_| n.check(ms(0), 1).delay.is_zero()));
        assert!(!n.check(ms(0), 1).allowed);
    }

    #[test]
    fn weighted_never_backwards_idle() {
        let mut b = lb("10/s", 2, None);
        assert!(b.check(ms(0), 4).is_never());
        assert!(b.check(ms(500), 3).allowed);
        assert!(!b.check(ms(0), 1).allowed, "judged at 500ms");
        let d = b.peek(Nanos::from_secs(10), 0);
        assert_eq!((d.remaining, d.reset_after), (3, Nanos::ZERO));
        assert!(b.check(Nanos::from_secs(10), 3).allowed);
    }

    #[test]
    fn factory_validates() {
        let base = Params::new().with("rate", "10/s").with("burst", 2i64);
        assert!((LeakyBucket::entry().factory)(&base).is_ok());
        let both = base.clone().with("delay", 1i64).with("nodelay", true);
        assert_eq!(
            (LeakyBucket::entry().factory)(&both).err().unwrap().param(),
            Some("delay")
        );
        let over = base.clone().with("delay", 3i64);
        assert_eq!(
            (LeakyBucket::entry().factory)(&over).err().unwrap().param(),
            Some("delay")
        );
        let nd = base.with("nodelay", "yes");
        assert_eq!(
            (LeakyBucket::entry().factory)(&nd).err().unwrap().param(),
            Some("nodelay")
        );
    }
}
