//! Adding your own algorithm, end to end: implement [`Limiter`], describe it in an [`Entry`]
//! whose factory reads [`Params`], register it, and build it by name like any built-in
//! (`cargo run -p limiters --example custom_limiter`; its tests run with `cargo test -p limiters`).
//!
//! The algorithm, `expiring_counter`: the rate limiter of the Redis documentation (`INCR`
//! command, "Pattern: Rate limiter 2"): a counter created by a key's first request and expiring
//! `period` later (`INCR key`, and `EXPIRE key period` when the value is 1). Unlike
//! [`limiters::FixedWindow`], windows are not aligned to the clock: each starts with the first
//! request after the previous one expired. A request of cost `c` is admitted iff the counter
//! plus `c` stays within `limit` (`INCRBY`); a denied request does not count. Cost-0 requests
//! are queries: they charge nothing and start no window (where `INCRBY key 0` would create a key
//! that never expires).
//!
//! Its decisions keep the [`Decision`] contract the conformance suite checks for the built-ins:
//! `retry_after` is exact (the key expires then, and the same request passes), `remaining` is
//! exactly what passes at this instant, and a `now` earlier than one already seen is judged as
//! the latest.

use limiters::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Params, Registry};

/// A counter that expires `period` after the request that created it.
#[derive(Clone, Debug)]
pub struct ExpiringCounter {
    limit: u64,
    period: Nanos,
    /// When the current counter expires (`None`: no counter, as a missing Redis key).
    expires: Option<Nanos>,
    count: u64,
    latest: Nanos,
}

impl ExpiringCounter {
    /// Registered name.
    pub const NAME: &'static str = "expiring_counter";

    /// `limit` cost units per window of `period` opened by a first request.
    pub fn new(limit: u64, period: Nanos) -> Result<Self, LimiterError> {
        if limit == 0 {
            return Err(LimiterError::invalid("limit", "must be at least 1, got 0"));
        }
        if period.is_zero() {
            return Err(LimiterError::invalid("period", "must be longer than zero"));
        }
        Ok(ExpiringCounter {
            limit,
            period,
            expires: None,
            count: 0,
            latest: Nanos::ZERO,
        })
    }

    /// The registry entry: name, one-line semantics with its source, parameters, factory.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "counter opened by the first request, expiring `period` later \
                      (Redis INCR docs, \"Pattern: Rate limiter 2\")",
            params: &[
                ParamDoc {
                    name: "limit",
                    help: "cost units per window, at least 1 (required)",
                },
                ParamDoc {
                    name: "period",
                    help: "time from a window's first request to its expiry, such as \"1m\" (required)",
                },
            ],
            factory: |p: &Params| {
                Ok(Box::new(ExpiringCounter::new(
                    p.positive_u64("limit")?,
                    p.positive_duration("period")?,
                )?))
            },
        }
    }

    /// The decision at `now` and the state it leaves: (decision, expiry, count).
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, Option<Nanos>, u64) {
        let cost = u64::from(cost);
        // the key as it is at `now`: gone once expired
        let (expires, count) = match self.expires {
            Some(at) if at > now => (Some(at), self.count),
            _ => (None, 0),
        };
        if cost > self.limit {
            return (Decision::never(self.limit), expires, count);
        }
        if count + cost <= self.limit {
            let expires = match expires {
                None if cost > 0 => Some(now + self.period),
                other => other,
            };
            let reset = expires.map_or(Nanos::ZERO, |at| at - now);
            let d = Decision::allow(self.limit, self.limit - count - cost, reset);
            return (d, expires, count + cost);
        }
        // denied only while a counter exists: it passes when the key expires
        let wait = expires.map_or(Nanos::ZERO, |at| at - now);
        let d = Decision::deny(self.limit, self.limit - count, wait, wait);
        (d, expires, count)
    }
}

impl Limiter for ExpiringCounter {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.latest = self.latest.max(now);
        let (d, expires, count) = self.decide(self.latest, cost);
        self.expires = expires;
        self.count = count;
        d
    }

    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(self.latest.max(now), cost).0
    }

    fn name(&self) -> &'static str {
        Self::NAME
    }
}

/// The built-in algorithms plus this one: what a program hands to the simulator.
pub fn registry() -> Registry {
    let mut registry = Registry::builtin();
    registry.register(ExpiringCounter::entry());
    registry
}

fn main() -> Result<(), LimiterError> {
    let params = Params::new().with("limit", 3i64).with("period", "1s");
    let mut limiter = registry().build("expiring_counter", &params)?;
    println!("expiring_counter limit=3 period=1s, a client trying every 250ms from 0.5s:");
    for k in 2..12u64 {
        let now = Nanos::from_millis(250 * k);
        let d = limiter.check(now, 1);
        match d.retry_after {
            None if d.allowed => {
                println!("  {:>6}  admitted, {} left", now.to_string(), d.remaining)
            }
            Some(wait) => println!("  {:>6}  denied, retry after {wait}", now.to_string()),
            None => println!("  {:>6}  never", now.to_string()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Nanos {
        Nanos::from_millis(v)
    }

    fn built() -> Box<dyn Limiter> {
        let p = Params::new().with("limit", 3i64).with("period", "1s");
        registry().build("expiring_counter", &p).unwrap()
    }

    #[test]
    fn registered_by_name_and_built_from_params() {
        let registry = registry();
        assert!(registry.names().any(|n| n == "expiring_counter"));
        assert!(
            registry.names().any(|n| n == "gcra"),
            "built-ins are still there"
        );
        let mut l = built();
        assert_eq!(l.name(), "expiring_counter");
        // the window opens at the first request (500ms), not at a clock boundary
        assert_eq!(l.check(ms(500), 1).reset_after, ms(1000));
        assert_eq!(l.check(ms(900), 2).remaining, 0);
        let d = l.check(ms(1200), 1);
        assert_eq!((d.allowed, d.retry_after), (false, Some(ms(300))));
        assert!(!l.peek(ms(1500) - Nanos(1), 1).allowed, "1ns early");
        assert!(l.peek(ms(1500), 1).allowed, "exactly at retry_after");
        // the next window opens with the next request, wherever it falls
        assert_eq!(l.check(ms(1700), 3).reset_after, ms(1000));
    }

    #[test]
    fn remaining_is_exact_and_denials_do_not_count() {
        let mut l = built();
        assert_eq!(l.check(ms(0), 1).remaining, 2);
        assert!(!l.check(ms(0), 3).allowed);
        assert!(l.check(ms(0), 1).allowed && l.check(ms(0), 1).allowed);
        assert!(!l.check(ms(0), 1).allowed);
    }

    #[test]
    fn queries_never_skew_and_bad_params() {
        let mut l = built();
        assert!(l.check(ms(0), 0).allowed);
        assert_eq!(
            l.peek(ms(0), 0).reset_after,
            Nanos::ZERO,
            "a query opens no window"
        );
        assert!(l.check(ms(0), 4).is_never());
        assert!(l.check(ms(5000), 3).allowed);
        assert!(!l.check(ms(0), 1).allowed, "an earlier now is judged at 5s");
        let reg = registry();
        let zero = Params::new().with("limit", 0i64).with("period", "1s");
        assert_eq!(
            reg.build("expiring_counter", &zero).err().unwrap().param(),
            Some("limit")
        );
        let typo = Params::new().with("limit", 1i64).with("perod", "1s");
        let e = reg.build("expiring_counter", &typo).err().unwrap();
        assert!(e.to_string().contains("perod"), "{e}");
    }
}
