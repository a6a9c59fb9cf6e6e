//! nginx's `limit_req`, arithmetic for arithmetic: the decisions of the real module, including
//! its rounding, rather than an idealised leaky bucket ([`crate::LeakyBucket`]).
//!
//! Source: nginx `src/http/modules/ngx_http_limit_req_module.c` (github.com/nginx/nginx at
//! 3f6f7824d4e2eb1ac37dec76683d525ac0ff521c; the same logic as Debian's nginx 1.22.1):
//! - the zone's rate is kept in requests per 1000 seconds: `ctx->rate = rate * 1000 / scale`
//!   with `scale` 1 for `r/s` and 60 for `r/m` (line 939), so `rate=7r/m` is 116 and not
//!   116.67 milli-requests per second;
//! - per key, `excess` in 1/1000 requests and `last`, nginx's millisecond clock
//!   (`ngx_current_msec`, lines 25-27);
//! - on a request (`ngx_http_limit_req_lookup`, lines 445-467): `ms = now - last`, a step back
//!   of more than 60 s counts as `ms = 1`, a smaller step back as `ms = 0`; then
//!   `excess = lr->excess - ctx->rate * ms / 1000 + 1000` (integer division, so a slow rate
//!   leaks nothing over 1 ms: `7r/m` needs 9 ms to leak one milli-request), clamped at 0;
//!   `excess > burst * 1000` rejects and changes nothing; otherwise the key keeps `excess`,
//!   and `last = now` only when `ms != 0`;
//! - a key seen for the first time is created with `excess = 0` (lines 512-524);
//! - an admitted request whose `excess` is above `delay * 1000` waits
//!   `(excess - delay * 1000) * 1000 / rate` ms (lines 547-552, 592-596): it is admitted
//!   later, not refused; `nodelay` sets `delay` to `NGX_MAX_INT_T_VALUE / 1000` (line 1021);
//! - requests in the same millisecond leak nothing between them, so without `burst` at most
//!   one request per key passes per millisecond whatever the rate (the 1-per-ms ceiling);
//! - the rejection status defaults to 503 (`limit_req_status`, lines 824-825).
//!
//! Time here is the caller's [`Nanos`], truncated to whole milliseconds, as nginx reads its
//! clock. Like every [`Limiter`], a `now` earlier than one already seen is judged as the latest
//! one (clock skew must not create capacity), so nginx's clamps of backward steps never apply;
//! [`NginxLimitReq::gateway_clock`] turns that off and applies nginx's own clamps instead, for
//! callers that replay nginx's timestamps.

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};

/// One key's `limit_req` state.
///
/// ```
/// use limiters::{Limiter, Nanos, NginxLimitReq};
/// // rate=2r/s burst=1: the first request passes, the second in the same ms is delayed
/// // (excess 1000 > delay 0: waits 1000 * 1000 / 2000 = 500 ms), the third is rejected.
/// let mut lr = NginxLimitReq::new("2r/s", 1, Some(0)).unwrap();
/// assert_eq!(lr.check(Nanos::ZERO, 1).delay, Nanos::ZERO);
/// assert_eq!(lr.check(Nanos::ZERO, 1).delay, Nanos::from_millis(500));
/// assert!(!lr.check(Nanos::ZERO, 1).allowed);
/// // 499 ms later 998 milli-requests have leaked: 1000 - 998 + 1000 = 1002 > 1000, rejected
/// assert!(!lr.check(Nanos::from_millis(499), 1).allowed);
/// assert!(lr.check(Nanos::from_millis(500), 1).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct NginxLimitReq {
    /// `ctx->rate`: requests per 1000 s.
    rate: i64,
    /// `limit->burst`: `burst * 1000`.
    burst: i64,
    /// `limit->delay`: `delay * 1000`.
    delay: i64,
    /// Requests admitted at once from idle (`burst + 1`).
    limit: u64,
    excess: i64,
    last: u64,
    seen: bool,
    /// The state before the last admitting check, for [`Limiter::undo`].
    before: (i64, u64, bool),
    /// Latest `now` seen (judging an earlier `now` as this one), unless `raw`.
    latest: Nanos,
    /// nginx's own clamps of backward clock steps instead of the latest-now rule.
    raw: bool,
}

/// nginx's `delay` for `nodelay`: `NGX_MAX_INT_T_VALUE / 1000` (64-bit `ngx_int_t`).
const NODELAY: i64 = i64::MAX / 1000;

/// `rate=` of `limit_req_zone` as nginx reads it: `N r/s` or `N r/m` (a bare `N` is per
/// second), into requests per 1000 s.
///
/// ```
/// assert_eq!(limiters::nginx_rate("10r/s"), Ok(10_000));
/// assert_eq!(limiters::nginx_rate("7r/m"), Ok(116));
/// assert!(limiters::nginx_rate("0r/s").is_err());
/// ```
pub fn nginx_rate(text: &str) -> Result<i64, LimiterError> {
    let (num, scale) = if let Some(n) = text.strip_suffix("r/s") {
        (n, 1)
    } else if let Some(n) = text.strip_suffix("r/m") {
        (n, 60)
    } else {
        (text, 1)
    };
    match num.parse::<i64>() {
        Ok(r) if r > 0 && r <= i64::MAX / 1000 => Ok(r * 1000 / scale),
        _ => Err(LimiterError::invalid(
            "rate",
            format!("`{text}` is not an nginx rate such as \"10r/s\" or \"30r/m\" (a whole number above 0)"),
        )),
    }
}

impl NginxLimitReq {
    /// Registered name.
    pub const NAME: &'static str = "nginx_limit_req";

    /// `rate` as written in nginx (`"10r/s"`, `"30r/m"`), `burst` requests, and `delay`
    /// requests served without waiting (`None`: `nodelay`).
    pub fn new(rate: &str, burst: u64, delay: Option<u64>) -> Result<NginxLimitReq, LimiterError> {
        let rate = nginx_rate(rate)?;
        if rate == 0 {
            return Err(LimiterError::invalid(
                "rate",
                "below 1 request per 1000 s once nginx rounds it (r/m rates under 1r/m)",
            ));
        }
        let burst = i64::try_from(burst)
            .ok()
            .filter(|b| *b <= NODELAY)
            .ok_or_else(|| LimiterError::invalid("burst", "too large"))?;
        let delay = match delay {
            None => NODELAY,
            Some(d) => i64::try_from(d)
                .ok()
                .filter(|d| *d <= NODELAY)
                .ok_or_else(|| LimiterError::invalid("delay", "too large"))?,
        };
        Ok(NginxLimitReq {
            rate,
            burst: burst * 1000,
            delay: delay * 1000,
            limit: burst as u64 + 1,
            excess: 0,
            last: 0,
            seen: false,
            before: (0, 0, false),
            latest: Nanos::ZERO,
            raw: false,
        })
    }

    /// Judge every `now` as given, with nginx's clamps of backward steps (a step back of up to
    /// 60 s leaks nothing, a longer one leaks 1 ms and restarts the clock there), as nginx
    /// does with its own clock. A step back can then create capacity, as in nginx.
    pub fn gateway_clock(mut self) -> NginxLimitReq {
        self.raw = true;
        self
    }

    /// The key's excess in 1/1000 requests, as nginx's `lr->excess`.
    pub fn excess(&self) -> i64 {
        self.excess
    }

    /// (decision, new excess, new last) for `cost` requests arriving together at `now`.
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, i64, u64) {
        let now = if self.raw { now } else { now.max(self.latest) };
        let now_ms = now.as_nanos() / 1_000_000;
        let keep = (self.excess, self.last);
        if cost == 0 {
            let d = Decision::allow(self.limit, self.left(now_ms), self.drain(self.excess));
            return (d, keep.0, keep.1);
        }
        if u64::from(cost) > self.limit {
            return (Decision::never(self.limit), keep.0, keep.1);
        }
        let (mut excess, mut last) = if self.seen {
            // lines 445-460
            let mut ms = now_ms.wrapping_sub(self.last) as i64;
            if ms < -60_000 {
                ms = 1;
            } else if ms < 0 {
                ms = 0;
            }
            let e = (self.excess - self.rate.saturating_mul(ms) / 1000 + 1000).max(0);
            (e, if ms != 0 { now_ms } else { self.last })
        } else {
            // a new node: excess 0, last = now (lines 512-524)
            (0, now_ms)
        };
        // further requests of the same cost arrive in the same millisecond: ms = 0
        for _ in 1..cost {
            excess += 1000;
        }
        if excess > self.burst {
            let retry = self.retry_after(excess);
            let d = Decision::deny(
                self.limit,
                self.left(now_ms),
                self.drain(self.excess),
                retry,
            );
            return (d, keep.0, keep.1);
        }
        if !self.seen {
            last = now_ms;
        }
        let delay = if excess <= self.delay {
            Nanos::ZERO
        } else {
            Nanos::from_millis(((excess - self.delay) * 1000 / self.rate) as u64)
        };
        let d = self.status(excess, |l, r, reset| {
            Decision::allow_after(delay, l, r, reset)
        });
        (d, excess, last)
    }

    /// How many single requests would pass at `now_ms`: the first finds `level`, each next
    /// one (same millisecond) 1000 more.
    fn left(&self, now_ms: u64) -> u64 {
        let level = if self.seen {
            let ms = (now_ms.wrapping_sub(self.last) as i64).max(0);
            (self.excess - self.rate.saturating_mul(ms) / 1000 + 1000).max(0)
        } else {
            0
        };
        if level > self.burst {
            0
        } else {
            ((self.burst - level) / 1000 + 1) as u64
        }
    }

    /// An admission's limit, remaining and reset for a key left at `excess`.
    fn status(&self, excess: i64, make: impl Fn(u64, u64, Nanos) -> Decision) -> Decision {
        let remaining = ((self.burst - excess).max(0) / 1000) as u64;
        make(self.limit, remaining, self.drain(excess))
    }

    /// Time for `excess` to leak away.
    fn drain(&self, excess: i64) -> Nanos {
        Nanos::from_millis(ceil_div(excess.max(0) * 1000, self.rate) as u64)
    }

    /// Time until a request that found `excess` (this request included) would pass: the
    /// leak `rate * ms / 1000` must reach `excess - burst`.
    fn retry_after(&self, excess: i64) -> Nanos {
        Nanos::from_millis(ceil_div((excess - self.burst) * 1000, self.rate).max(1) as u64)
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

impl Limiter for NginxLimitReq {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, excess, last) = self.decide(now, cost);
        self.latest = self.latest.max(now);
        if d.allowed && cost > 0 {
            self.before = (self.excess, self.last, self.seen);
            self.excess = excess;
            self.last = last;
            self.seen = true;
        }
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    fn undo(&mut self, _now: Nanos, cost: u32) {
        if cost > 0 {
            (self.excess, self.last, self.seen) = self.before;
        }
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

/// The registry entry.
pub fn entry() -> Entry {
    Entry {
        name: NginxLimitReq::NAME,
        summary: "nginx limit_req exactly: excess in 1/1000 requests on a millisecond clock, \
                  integer leak rate*ms/1000, burst, delay/nodelay (ngx_http_limit_req_module.c)",
        params: &[
            ParamDoc {
                name: "rate",
                help: "nginx rate such as \"10r/s\" or \"30r/m\" (required)",
            },
            ParamDoc {
                name: "burst",
                help: "excess requests admitted, 0 or more (default 0)",
            },
            ParamDoc {
                name: "delay",
                help: "excess requests served without waiting, at most burst (default 0)",
            },
            ParamDoc {
                name: "nodelay",
                help: "true: never delay an admitted request (default false)",
            },
        ],
        factory: |p| {
            Ok(Box::new(NginxLimitReq::new(
                p.str("rate")?,
                p.u64_or("burst", 0)?,
                crate::leaky_bucket::delay_param(p)?,
            )?))
        },
    }
}

#[cfg(test)]
#[path = "nginx_limit_req_tests.rs"]
mod tests;
