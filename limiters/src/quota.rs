//! Quotas over calendar periods, and credit balances.
//!
//! Two shapes the seed APIs describe:
//! - a **calendar quota**: `limit` cost units per UTC day or month, reset at the calendar
//!   boundary (seed 004: `X-Quota-Monthly-Limit: 50000`, `X-Quota-Monthly-Reset: 1719792000`,
//!   epoch seconds at rollover). Boundaries are real calendar ones (months of 28..31 days),
//!   found through the scenario's [`Epoch`], not multiples of a fixed period.
//! - a **credit balance** (`period = "none"`): a one-off allowance that never resets (seed 003:
//!   "500 API credits", then `402 billing_required`).
//!
//! Both charge a request's `cost` when it is admitted and, with `refund_on_failure`, give it
//! back when the request fails (seed 000: "credits are charged when a run is accepted; failed
//! jobs are refunded"). Only [`OutcomeKind::Failure`] refunds; timeouts and drops do not (the
//! server may have done the work). A failure reported after the period it was charged in has
//! rolled over refunds nothing: the old period's usage no longer counts.
//!
//! Decisions:
//! - admitted: `remaining` = units left; `reset_after` = time to the next boundary.
//! - denied, periodic: `retry_after` = time to the next boundary, exactly when usage returns to
//!   zero, so the same request passes then (truthful).
//! - denied, balance: [`Decision::never`]-like (`retry_after = None`, `remaining` = what is
//!   left): no amount of waiting helps; only a refund of an in-flight request could.
//! - `cost > limit`: never, in both shapes.
//!
//! A balance never resets, so its `reset_after` is [`Nanos::MAX`] ("never"); the header
//! renderers omit the reset field for it.

use crate::calendar::Epoch;
use crate::{
    Decision, Entry, Limiter, LimiterError, Nanos, Outcome, OutcomeKind, ParamDoc, Params,
};

mod period;
pub use period::Period;

/// A calendar quota or credit balance. See the module documentation.
///
/// ```
/// use limiters::{Limiter, Nanos, Outcome, Quota};
/// use limiters::quota::Period;
/// use limiters::calendar::Epoch;
/// // 500 free credits, failed requests refunded (seeds 000 and 003).
/// let mut q = Quota::new(500, Period::None, Epoch::default(), true).unwrap();
/// assert!(q.check(Nanos::ZERO, 400).allowed);
/// assert!(q.check(Nanos::ZERO, 200).is_never()); // 100 left: waiting does not help
/// q.release(Nanos::from_secs(1), 400, Outcome::failure(Nanos::from_secs(1)));
/// assert!(q.check(Nanos::from_secs(1), 200).allowed); // refunded
/// ```
#[derive(Clone, Debug)]
pub struct Quota {
    limit: u64,
    period: Period,
    epoch: Epoch,
    refund_on_failure: bool,
    used: u64,
    /// Unix second at which the current period ends (`u64::MAX` for a balance).
    period_end: u64,
    /// Latest `now` seen (clock skew must not create capacity).
    last_now: Nanos,
}

const PARAMS: &[ParamDoc] = &[
    ParamDoc {
        name: "limit",
        help: "cost units per period, or the balance for period = \"none\" (required, >= 1)",
    },
    ParamDoc {
        name: "period",
        help: "\"day\" | \"week\" (from Sunday) | \"month\" | \"year\" (UTC calendar boundaries) | \"none\" (one-off balance); default \"month\"",
    },
    ParamDoc {
        name: "epoch",
        help: "Unix seconds at scenario start, to place boundaries; default 0 (1970-01-01, a month start)",
    },
    ParamDoc {
        name: "used_at_start",
        help: "units already spent in the period holding the scenario start (AWS usage plans' quota `offset`); default 0",
    },
    ParamDoc {
        name: "refund_on_failure",
        help: "refund the cost of requests that end in failure; default false",
    },
];

impl Quota {
    /// A quota of `limit` units per `period`, boundaries placed through `epoch`.
    pub fn new(
        limit: u64,
        period: Period,
        epoch: Epoch,
        refund_on_failure: bool,
    ) -> Result<Quota, LimiterError> {
        if limit == 0 {
            return Err(LimiterError::invalid("limit", "must be at least 1, got 0"));
        }
        Ok(Quota {
            limit,
            period,
            epoch,
            refund_on_failure,
            used: 0,
            period_end: period.next_boundary(epoch.unix_secs()),
            last_now: Nanos::ZERO,
        })
    }

    /// Build from scenario parameters (`limit`, `period`, `epoch`, `refund_on_failure`,
    /// `used_at_start`).
    pub fn from_params(p: &Params) -> Result<Quota, LimiterError> {
        let period: Period = p.str_or("period", "month")?.parse()?;
        Quota::new(
            p.positive_u64("limit")?,
            period,
            Epoch::from_unix_secs(p.u64_or("epoch", 0)?),
            p.bool_or("refund_on_failure", false)?,
        )?
        .with_used_at_start(p.u64_or("used_at_start", 0)?)
    }

    /// The first period starts with `used` units already spent: AWS API Gateway's quota
    /// `offset`, "the number of requests subtracted from the given limit in the initial time
    /// period" (API reference, `QuotaSettings`). It must be below the limit (the initial period
    /// then admits `limit - used`); later periods start from zero.
    ///
    /// ```
    /// use limiters::{calendar::Epoch, quota::Period, Limiter, Nanos, Quota};
    /// let q = Quota::new(10, Period::Day, Epoch::default(), false).unwrap();
    /// let mut q = q.with_used_at_start(8).unwrap();
    /// assert!(q.check(Nanos::ZERO, 2).allowed && !q.check(Nanos::ZERO, 1).allowed);
    /// assert!(q.check(Nanos::from_secs(86_400), 10).allowed); // a fresh day
    /// ```
    pub fn with_used_at_start(mut self, used: u64) -> Result<Quota, LimiterError> {
        if used >= self.limit {
            return Err(LimiterError::invalid(
                "used_at_start",
                format!(
                    "must be below the limit ({}), got {used}: the first period would admit nothing",
                    self.limit
                ),
            ));
        }
        self.used = used;
        Ok(self)
    }

    /// Units charged in the current period (as of the last call).
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The state at `now`: `(used, period_end)` after any rollovers.
    fn rolled(&self, now: Nanos) -> (u64, u64) {
        let unix = self.epoch.unix_secs_at(now);
        if unix >= self.period_end {
            (0, self.period.next_boundary(unix))
        } else {
            (self.used, self.period_end)
        }
    }

    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, u64) {
        let (used, end) = self.rolled(now);
        let reset_after = match self.period {
            Period::None => Nanos::MAX,
            _ => self.epoch.sim_time_of(end).saturating_sub(now),
        };
        let cost = u64::from(cost);
        let left = self.limit.saturating_sub(used);
        if cost > self.limit {
            return (Decision::never(self.limit), used, end);
        }
        if cost <= left {
            let d = Decision::allow(self.limit, left - cost, reset_after);
            return (d, used + cost, end);
        }
        let d = match self.period {
            Period::None => Decision {
                remaining: left,
                reset_after,
                ..Decision::never(self.limit)
            },
            _ => Decision::deny(self.limit, left, reset_after, reset_after),
        };
        (d, used, end)
    }
}

impl Limiter for Quota {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let now = now.max(self.last_now);
        self.last_now = now;
        let (d, used, end) = self.decide(now, cost);
        self.used = used;
        self.period_end = end;
        d
    }

    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now.max(self.last_now), cost).0
    }

    /// The check rolled the period to `now` and charged `cost` in it: take it out.
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.used = self.used.saturating_sub(u64::from(cost));
    }

    fn release(&mut self, now: Nanos, cost: u32, outcome: Outcome) {
        if !self.refund_on_failure || outcome.kind != OutcomeKind::Failure {
            return;
        }
        let now = now.max(self.last_now);
        self.last_now = now;
        let (used, end) = self.rolled(now);
        self.used = used;
        self.period_end = end;
        // Charged in this period? Admission was at `now - latency`.
        let admitted = now.saturating_sub(outcome.latency);
        let admitted_unix = self.epoch.unix_secs_at(admitted);
        let period_start_ok = match self.period {
            Period::None => true,
            _ => self.period.next_boundary(admitted_unix) == end,
        };
        if period_start_ok {
            self.used = self.used.saturating_sub(u64::from(cost));
        }
    }

    fn name(&self) -> &'static str {
        "quota"
    }
}

/// The registry entry for `quota`.
pub fn entry() -> Entry {
    Entry {
        name: "quota",
        summary: "cost units per UTC calendar day/month (reset at the boundary), or a one-off credit balance (period = \"none\", 402 when spent); optional refund of failed requests",
        params: PARAMS,
        factory: |p| Ok(Box::new(Quota::from_params(p)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_quota_resets_at_utc_midnight() {
        // Scenario starts at 23:00 UTC: the first day lasts one hour.
        let epoch = Epoch::from_unix_secs(86_400 * 10 + 23 * 3600);
        let mut q = Quota::new(2, Period::Day, epoch, false).unwrap();
        assert!(q.check(Nanos::ZERO, 2).allowed);
        let d = q.check(Nanos::from_secs(10), 1);
        assert_eq!(d.retry_after, Some(Nanos::from_secs(3590)));
        assert!(!q.check(Nanos::from_secs(3599), 1).allowed);
        assert!(q.check(Nanos::from_secs(3600), 1).allowed);
    }

    #[test]
    fn peek_does_not_charge_and_params_validate() {
        let q = Quota::from_params(&Params::new().with("limit", 3i64)).unwrap();
        assert_eq!(q.peek(Nanos::ZERO, 1).remaining, 2);
        assert_eq!(q.used(), 0);
        let bad = Params::new()
            .with("limit", 3i64)
            .with("period", "fortnight");
        let e = Quota::from_params(&bad).unwrap_err().to_string();
        assert!(e.contains("day, week, month, year, none"), "{e}");
        assert!(Quota::from_params(&Params::new().with("limit", 0i64)).is_err());
        let over = Params::new()
            .with("limit", 3i64)
            .with("used_at_start", 3i64);
        let e = Quota::from_params(&over).unwrap_err();
        assert_eq!(e.param(), Some("used_at_start"));
    }
}
