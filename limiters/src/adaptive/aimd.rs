//! Loss-based adaptive concurrency limit: additive increase, multiplicative decrease.
//!
//! Follows Netflix concurrency-limits `AIMDLimit._update(startTime, rtt, inflight, didDrop)`
//! (concurrency-limits-core, `com.netflix.concurrency.limits.limit.AIMDLimit`):
//!
//! ```text
//! if didDrop || rtt > timeout:      limit = (int)(limit * backoffRatio)
//! else if inflight * 2 >= limit:    limit = limit + 1
//! limit = min(maxLimit, max(minLimit, limit))
//! ```
//!
//! with the library's defaults: initial 20, min 20, max 200, backoff ratio 0.9 (allowed range
//! `[0.5, 1.0)`), timeout 5s. The increase only happens while the limit is actually in use
//! (at least half of it in flight), so an idle service does not grow an unearned limit.
//!
//! Mapping of [`OutcomeKind`]: `Success` is a sample without drop; `Failure`, `Timeout` and
//! `Dropped` are drops (the library's `onDropped`). A success slower than `timeout` counts as a
//! drop, as in the Java code.
//!
//! One difference, forced by the [`Limiter`] interface: the Java library passes the in-flight
//! count observed when the request *started*; `release` does not identify the request, so this
//! uses the count in flight when it *completes* (including itself). Under steady load the two
//! agree; after a burst drains they differ by the requests that completed in between.
//!
//! The backoff ratio is held as parts per million and the limit as an integer, so the floor in
//! `(int)(limit * backoffRatio)` is exact and platform-independent.

use super::{concurrency_decision, to_ppm};
use crate::concurrency::DEFAULT_RETRY_HINT;
use crate::{
    Decision, Entry, Limiter, LimiterError, Nanos, Outcome, OutcomeKind, ParamDoc, Params,
};

/// AIMD adaptive concurrency limit (see the module docs).
///
/// ```
/// use limiters::adaptive::Aimd;
/// use limiters::{Limiter, Nanos, Outcome, OutcomeKind};
/// let mut a = Aimd::new(10, 1, 100, 0.9, Nanos::from_secs(5), Nanos::from_secs(1)).unwrap();
/// for _ in 0..5 { assert!(a.check(Nanos::ZERO, 1).allowed); }
/// a.release(Nanos(1), 1, Outcome::success(Nanos(1))); // 5 in flight: 5*2 >= 10, so +1
/// assert_eq!(a.limit(), 11);
/// a.release(Nanos(2), 1, Outcome { kind: OutcomeKind::Timeout, latency: Nanos(2) });
/// assert_eq!(a.limit(), 9); // floor(11 * 0.9)
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aimd {
    limit: u64,
    min_limit: u64,
    max_limit: u64,
    backoff_ppm: u64,
    timeout: Nanos,
    retry_hint: Nanos,
    in_flight: u64,
}

impl Aimd {
    /// Validate and build. `min_limit >= 1`, `min_limit <= initial_limit <= max_limit`,
    /// `backoff_ratio` in `[0.5, 1.0)` (as the Java builder checks), `timeout > 0`,
    /// `retry_hint > 0`.
    pub fn new(
        initial_limit: u64,
        min_limit: u64,
        max_limit: u64,
        backoff_ratio: f64,
        timeout: Nanos,
        retry_hint: Nanos,
    ) -> Result<Aimd, LimiterError> {
        if min_limit == 0 {
            return Err(LimiterError::invalid("min_limit", "must be at least 1"));
        }
        if max_limit < min_limit {
            return Err(LimiterError::invalid(
                "max_limit",
                format!("must be at least min_limit ({min_limit}), got {max_limit}"),
            ));
        }
        if !(min_limit..=max_limit).contains(&initial_limit) {
            return Err(LimiterError::invalid(
                "initial_limit",
                format!("must be within [min_limit, max_limit] = [{min_limit}, {max_limit}], got {initial_limit}"),
            ));
        }
        if !(0.5..1.0).contains(&backoff_ratio) {
            return Err(LimiterError::invalid(
                "backoff_ratio",
                format!("must be in [0.5, 1.0), got {backoff_ratio}"),
            ));
        }
        if timeout.is_zero() {
            return Err(LimiterError::invalid("timeout", "must be longer than zero"));
        }
        if retry_hint.is_zero() {
            return Err(LimiterError::invalid(
                "retry_hint",
                "must be longer than zero",
            ));
        }
        Ok(Aimd {
            limit: initial_limit,
            min_limit,
            max_limit,
            backoff_ppm: to_ppm(backoff_ratio),
            timeout,
            retry_hint,
            in_flight: 0,
        })
    }

    /// Build from scenario parameters (defaults as the Java builder: 20 / 20 / 200, 0.9, 5s).
    pub fn from_params(p: &Params) -> Result<Aimd, LimiterError> {
        Aimd::new(
            p.u64_or("initial_limit", 20)?,
            p.u64_or("min_limit", 20)?,
            p.u64_or("max_limit", 200)?,
            p.f64_or("backoff_ratio", 0.9)?,
            p.duration_or("timeout", Nanos::from_secs(5))?,
            p.duration_or("retry_hint", DEFAULT_RETRY_HINT)?,
        )
    }

    /// The current concurrency limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Cost units in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// One `_update` step with `inflight` in flight (see the module docs).
    fn update(&mut self, latency: Nanos, inflight: u64, dropped: bool) {
        let mut limit = self.limit;
        if dropped || latency > self.timeout {
            limit = limit * self.backoff_ppm / 1_000_000;
        } else if inflight.saturating_mul(2) >= limit {
            limit += 1;
        }
        self.limit = limit.clamp(self.min_limit, self.max_limit);
    }
}

impl Limiter for Aimd {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let d = self.peek(now, cost);
        if d.allowed {
            self.in_flight += u64::from(cost);
        }
        d
    }

    fn peek(&self, _now: Nanos, cost: u32) -> Decision {
        concurrency_decision(
            self.limit,
            self.max_limit,
            self.in_flight,
            cost,
            self.retry_hint,
        )
    }

    fn release(&mut self, _now: Nanos, cost: u32, outcome: Outcome) {
        let dropped = outcome.kind != OutcomeKind::Success;
        self.update(outcome.latency, self.in_flight, dropped);
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
    }

    /// Free the slot without learning anything (the request was never sent).
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
    }

    fn name(&self) -> &'static str {
        "aimd"
    }
}

const PARAMS: &[ParamDoc] = &[
    ParamDoc {
        name: "initial_limit",
        help: "starting concurrency limit (default 20)",
    },
    ParamDoc {
        name: "min_limit",
        help: "lowest the limit falls to (default 20, >= 1)",
    },
    ParamDoc {
        name: "max_limit",
        help: "highest the limit grows to (default 200)",
    },
    ParamDoc {
        name: "backoff_ratio",
        help: "multiplier on a drop, in [0.5, 1.0) (default 0.9)",
    },
    ParamDoc {
        name: "timeout",
        help: "latency above which a success counts as a drop (default 5s)",
    },
    ParamDoc {
        name: "retry_hint",
        help: "duration reported as retry_after on a denial (default 1s)",
    },
];

/// Registry entry for `aimd`.
pub fn entry() -> Entry {
    Entry {
        name: "aimd",
        summary: "adaptive concurrency, additive increase / multiplicative decrease (Netflix concurrency-limits AIMDLimit)",
        params: PARAMS,
        factory: |p| Ok(Box::new(Aimd::from_params(p)?)),
    }
}

#[cfg(test)]
mod tests;
