//! A fixed concurrency limit: at most `max` cost units in flight at once.
//!
//! Semantics follow a counting semaphore with try-acquire, as in NGINX `limit_conn` ("the
//! maximum allowed number of connections ... a connection is counted only if it has a request
//! being processed") and the fixed limit of Netflix concurrency-limits (`FixedLimit` behind a
//! `SimpleLimiter`): `check` admits while `in_flight + cost <= max` and counts the request in
//! flight; `release` (called when an admitted request completes, whatever its outcome) frees it.
//!
//! # What `retry_after` means here
//! A rate limit knows when capacity returns: it is a function of time. A concurrency limit does
//! not: a slot frees when some in-flight request *completes*, which depends on the backend, not
//! on the clock. There is no truthful time to report, so a denial carries a configured hint
//! (`retry_hint`, default `1s`): it is the server's advice ("come back in about this long"), as a
//! `Retry-After` header on a 503 from a saturated server would be, not a promise. Scenarios
//! should set it near the backend's typical service time. `reset_after` is zero when nothing is
//! in flight (full capacity) and the same hint otherwise.

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, Outcome, ParamDoc, Params};

/// In-flight cap (see the module docs).
///
/// ```
/// use limiters::{ConcurrencyLimit, Limiter, Nanos, Outcome};
/// let mut c = ConcurrencyLimit::new(2, Nanos::from_millis(100)).unwrap();
/// assert!(c.check(Nanos::ZERO, 1).allowed);
/// assert!(c.check(Nanos::ZERO, 1).allowed);
/// let d = c.check(Nanos::ZERO, 1);
/// assert_eq!(d.retry_after, Some(Nanos::from_millis(100)));
/// c.release(Nanos(5), 1, Outcome::success(Nanos(5)));
/// assert!(c.check(Nanos(5), 1).allowed);
/// assert!(c.check(Nanos(5), 3).is_never());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcurrencyLimit {
    max: u64,
    retry_hint: Nanos,
    in_flight: u64,
}

/// Default `retry_hint`.
pub const DEFAULT_RETRY_HINT: Nanos = Nanos::from_secs(1);

impl ConcurrencyLimit {
    /// A limit of `max` cost units in flight; `retry_hint` is what denials report as
    /// `retry_after`. `max = 0` and a zero hint are errors.
    pub fn new(max: u64, retry_hint: Nanos) -> Result<ConcurrencyLimit, LimiterError> {
        if max == 0 {
            return Err(LimiterError::invalid(
                "max",
                "must be at least 1 (a limit of 0 admits nothing)",
            ));
        }
        if retry_hint.is_zero() {
            return Err(LimiterError::invalid(
                "retry_hint",
                "must be longer than zero (a zero hint tells clients to retry at once)",
            ));
        }
        Ok(ConcurrencyLimit {
            max,
            retry_hint,
            in_flight: 0,
        })
    }

    /// Build from scenario parameters `max` (required) and `retry_hint` (default `1s`).
    pub fn from_params(p: &Params) -> Result<ConcurrencyLimit, LimiterError> {
        ConcurrencyLimit::new(
            p.positive_u64("max")?,
            p.duration_or("retry_hint", DEFAULT_RETRY_HINT)?,
        )
    }

    /// Cost units currently in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// The cap.
    pub fn max(&self) -> u64 {
        self.max
    }

    fn decide(&self, cost: u32) -> Decision {
        let cost = u64::from(cost);
        if cost > self.max {
            return Decision::never(self.max);
        }
        let free = self.max - self.in_flight.min(self.max);
        if cost <= free {
            let after = self.in_flight + cost;
            let reset = if after == 0 {
                Nanos::ZERO
            } else {
                self.retry_hint
            };
            Decision::allow(self.max, free - cost, reset)
        } else {
            Decision::deny(self.max, free, self.retry_hint, self.retry_hint)
        }
    }
}

impl Limiter for ConcurrencyLimit {
    fn check(&mut self, _now: Nanos, cost: u32) -> Decision {
        let d = self.decide(cost);
        if d.allowed {
            self.in_flight += u64::from(cost);
        }
        d
    }

    fn peek(&self, _now: Nanos, cost: u32) -> Decision {
        self.decide(cost)
    }

    /// Frees `cost` units. A release without a matching admission (e.g. after a keyed store
    /// dropped this key's state) saturates at zero instead of creating capacity below zero.
    fn release(&mut self, _now: Nanos, cost: u32, _outcome: Outcome) {
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
    }

    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
    }

    fn name(&self) -> &'static str {
        "concurrency"
    }
}

const PARAMS: &[ParamDoc] = &[
    ParamDoc {
        name: "max",
        help: "cost units in flight at once (required, >= 1)",
    },
    ParamDoc {
        name: "retry_hint",
        help: "duration reported as retry_after on a denial (default 1s): completions, not time, free slots",
    },
];

/// Registry entry for `concurrency`.
pub fn entry() -> Entry {
    Entry {
        name: "concurrency",
        summary: "in-flight cap (semaphore try-acquire, as NGINX limit_conn): admits while in_flight + cost <= max, release frees",
        params: PARAMS,
        factory: |p| Ok(Box::new(ConcurrencyLimit::from_params(p)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_max_then_denies_with_hint() {
        let mut c = ConcurrencyLimit::new(3, Nanos::from_millis(250)).unwrap();
        let d = c.check(Nanos::ZERO, 2);
        assert!(d.allowed);
        assert_eq!((d.limit, d.remaining), (3, 1));
        assert!(c.check(Nanos::ZERO, 1).allowed);
        let d = c.check(Nanos::ZERO, 1);
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        assert_eq!(d.retry_after, Some(Nanos::from_millis(250)));
        assert_eq!(c.in_flight(), 3);
    }

    #[test]
    fn release_frees_exactly_the_cost() {
        let mut c = ConcurrencyLimit::new(3, DEFAULT_RETRY_HINT).unwrap();
        assert!(c.check(Nanos::ZERO, 3).allowed);
        c.release(Nanos(1), 2, Outcome::success(Nanos(1)));
        assert_eq!(c.in_flight(), 1);
        assert!(c.check(Nanos(1), 2).allowed);
        assert!(!c.check(Nanos(1), 1).allowed);
    }

    #[test]
    fn unmatched_release_does_not_create_capacity() {
        let mut c = ConcurrencyLimit::new(1, DEFAULT_RETRY_HINT).unwrap();
        c.release(Nanos::ZERO, 5, Outcome::success(Nanos::ZERO));
        assert!(c.check(Nanos::ZERO, 1).allowed);
        assert!(!c.check(Nanos::ZERO, 1).allowed);
    }

    #[test]
    fn peek_does_not_charge() {
        let mut c = ConcurrencyLimit::new(1, DEFAULT_RETRY_HINT).unwrap();
        assert!(c.peek(Nanos::ZERO, 1).allowed);
        assert!(c.peek(Nanos::ZERO, 1).allowed);
        assert!(c.check(Nanos::ZERO, 1).allowed);
        assert!(!c.peek(Nanos::ZERO, 1).allowed);
    }

    #[test]
    fn bad_params_name_the_parameter() {
        assert_eq!(
            ConcurrencyLimit::new(0, DEFAULT_RETRY_HINT)
                .unwrap_err()
                .param(),
            Some("max")
        );
        assert_eq!(
            ConcurrencyLimit::new(1, Nanos::ZERO).unwrap_err().param(),
            Some("retry_hint")
        );
        let p = Params::new().with("max", 4i64).with("retry_hint", "soon");
        assert_eq!(
            ConcurrencyLimit::from_params(&p).unwrap_err().param(),
            Some("retry_hint")
        );
        let c = ConcurrencyLimit::from_params(&Params::new().with("max", 4i64)).unwrap();
        assert_eq!(c.retry_hint, DEFAULT_RETRY_HINT);
    }
}
