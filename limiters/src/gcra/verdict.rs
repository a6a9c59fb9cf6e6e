//! The GCRA's answer with its figures computed on demand: [`GcraVerdict`] (issue #19).
//!
//! Why: `check` returns a whole [`Decision`] (limit, remaining, reset, retry-after), because
//! the response headers need it. A caller that only needs "admitted or not" on its hot path
//! paid for it all the same: the 64-bit division for `remaining` on every admission and a
//! 56-byte answer. [`crate::Gcra::admit`] returns this 16-byte verdict instead, and
//! [`GcraVerdict::decision`] builds the decision from it when it is wanted, the way governor's
//! `NotUntil` computes its wait only when asked. `check` itself is written as `admit` and then
//! `decision`, so the two cannot disagree, and every conformance table and property test of
//! `check` covers the verdict too.

use super::GcraParams;
use crate::token_bucket::whole_intervals;
use crate::{Decision, Nanos};

/// What one GCRA check decided, with the figures of its [`Decision`] left to compute.
///
/// ```
/// use limiters::{Gcra, Limiter, Nanos, Rate};
/// let mut fast = Gcra::new(Rate::per_second(2).unwrap(), 2).unwrap();
/// let mut full = fast.clone();
/// for _ in 0..3 {
///     let v = fast.admit(Nanos::ZERO, 1);
///     let d = full.check(Nanos::ZERO, 1);
///     assert_eq!(v.allowed(), d.allowed);
///     assert_eq!(v.decision(&fast.params()), d);
/// }
/// assert!(!fast.admit(Nanos::ZERO, 1).allowed());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcraVerdict {
    allowed: bool,
    cost: u32,
    /// How far the TAT ran ahead of `now` before this check (`max(TAT, now) - now`).
    behind: u64,
}

impl GcraVerdict {
    /// Whether the request was admitted (and charged).
    #[inline(always)]
    pub fn allowed(&self) -> bool {
        self.allowed
    }

    /// The full decision, exactly what `check` returns for the same check. `params` are the
    /// limiter's ([`crate::Gcra::params`]), which a check never changes.
    #[inline]
    pub fn decision(&self, params: &GcraParams) -> Decision {
        let p = params;
        let cost = u64::from(self.cost);
        if cost > p.burst {
            return Decision::never(p.burst);
        }
        let ahead = self.behind.saturating_add(cost * p.interval);
        if self.allowed {
            Decision::allow(p.burst, (p.horizon - ahead) / p.interval, Nanos(ahead))
        } else {
            Decision::deny(
                p.burst,
                whole_intervals(p.horizon.saturating_sub(self.behind), p.interval),
                Nanos(self.behind),
                Nanos(ahead - p.horizon),
            )
        }
    }
}

impl GcraParams {
    /// [`GcraParams::step`] without the decision's figures: the verdict and, when admitted,
    /// the new TAT (`None`: unchanged).
    ///
    /// ```
    /// use limiters::{GcraParams, Nanos, Rate};
    /// let p = GcraParams::new(Rate::per_second(10).unwrap(), 2).unwrap();
    /// let (v, tat) = p.judge(0, Nanos::ZERO, 2);
    /// assert_eq!((v.allowed(), tat), (true, Some(200_000_000)));
    /// let (v, tat) = p.judge(200_000_000, Nanos::ZERO, 1);
    /// assert_eq!((v.allowed(), tat), (false, None));
    /// assert_eq!(v.decision(&p).retry_after, Some(Nanos::from_millis(100)));
    /// ```
    #[inline]
    pub fn judge(&self, tat: u64, now: Nanos, cost: u32) -> (GcraVerdict, Option<u64>) {
        let t = now.as_nanos();
        let behind = tat.max(t) - t;
        let c = u64::from(cost);
        let ahead = behind.saturating_add(c.saturating_mul(self.interval));
        // a cost above the burst needs more than `horizon = burst * T`: never admitted here
        let allowed = ahead <= self.horizon;
        let v = GcraVerdict {
            allowed,
            cost,
            behind,
        };
        (v, allowed.then(|| t.saturating_add(ahead)))
    }
}
