//! The shared lock-free core: one `AtomicU64` theoretical arrival time (TAT).

use crate::token_bucket::{capacity, emission_interval, whole_intervals};
use crate::{Decision, LimiterError, Nanos, Rate};
use std::sync::atomic::{AtomicU64, Ordering};

/// GCRA state in one atomic word, plus its immutable shape.
#[derive(Debug)]
pub(crate) struct TatCore {
    pub(crate) rate: Rate,
    interval: u64,
    pub(crate) burst: u64,
    /// `burst * T`.
    horizon: u64,
    tat: AtomicU64,
}

/// What a check would do from a given TAT.
enum Step {
    Admit(Decision, u64),
    Refuse(Decision),
}

impl TatCore {
    pub(crate) fn new(rate: Rate, burst: u64) -> Result<TatCore, LimiterError> {
        let interval = emission_interval(rate, "rate")?;
        if burst == 0 {
            return Err(LimiterError::invalid("burst", "must be at least 1, got 0"));
        }
        Ok(TatCore {
            rate,
            interval,
            burst,
            horizon: capacity(interval, burst, "burst")?,
            tat: AtomicU64::new(0),
        })
    }

    #[inline]
    fn step(&self, tat: u64, t: u64, cost: u64) -> Step {
        let tat = tat.max(t);
        let ahead = (tat - t).saturating_add(cost * self.interval);
        if ahead <= self.horizon {
            let d = Decision::allow(
                self.burst,
                (self.horizon - ahead) / self.interval,
                Nanos(ahead),
            );
            Step::Admit(d, t.saturating_add(ahead))
        } else {
            Step::Refuse(Decision::deny(
                self.burst,
                whole_intervals(self.horizon.saturating_sub(tat - t), self.interval),
                Nanos(tat - t),
                Nanos(ahead - self.horizon),
            ))
        }
    }

    /// Decide and, if admitted, advance the TAT with a compare-exchange loop.
    #[inline]
    pub(crate) fn check(&self, now: Nanos, cost: u32) -> Decision {
        let cost = u64::from(cost);
        let t = now.as_nanos();
        if cost > self.burst {
            // Record `now` as seen: a TAT below `t` decides exactly like one at `t` from `t` on,
            // and keeping the TAT at or after the latest `now` is what makes a later, skewed
            // (earlier) `now` only deny more. Every other path already leaves TAT >= t.
            self.tat.fetch_max(t, Ordering::AcqRel);
            return Decision::never(self.burst);
        }
        let mut cur = self.tat.load(Ordering::Acquire);
        loop {
            match self.step(cur, t, cost) {
                Step::Refuse(d) => return d,
                Step::Admit(d, new) => {
                    match self.tat.compare_exchange_weak(
                        cur,
                        new,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => return d,
                        Err(actual) => cur = actual,
                    }
                }
            }
        }
    }

    /// What `check` would answer, without charging.
    pub(crate) fn peek(&self, now: Nanos, cost: u32) -> Decision {
        let cost = u64::from(cost);
        if cost > self.burst {
            return Decision::never(self.burst);
        }
        match self.step(self.tat.load(Ordering::Acquire), now.as_nanos(), cost) {
            Step::Admit(d, _) | Step::Refuse(d) => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the conformance suite: a never-denial at a later `now` left the TAT behind it,
    /// so a request at a skewed earlier `now` was charged from the old TAT and the bucket was
    /// full again at the later time: 3 admitted in one instant with a burst of 2.
    #[test]
    fn a_never_denial_then_a_skewed_now_does_not_create_capacity() {
        let core = TatCore::new("10/s".parse().unwrap(), 2).unwrap();
        let late = Nanos::from_millis(500);
        assert!(core.check(late, 3).is_never());
        let skewed = usize::from(core.check(Nanos::ZERO, 1).allowed);
        let admitted_late = (0..3).filter(|_| core.check(late, 1).allowed).count();
        assert_eq!(
            skewed + admitted_late,
            2,
            "only the burst, counted at the latest time"
        );
    }
}
