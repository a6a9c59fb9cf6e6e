//! The shared lock-free core: one `AtomicU64` theoretical arrival time (TAT).

use crate::{Decision, GcraParams, LimiterError, Nanos, Rate};
use std::sync::atomic::{AtomicU64, Ordering};

/// GCRA state in one atomic word, plus its immutable shape.
#[derive(Debug)]
pub(crate) struct TatCore {
    pub(crate) rate: Rate,
    pub(crate) params: GcraParams,
    tat: AtomicU64,
}

impl TatCore {
    pub(crate) fn new(rate: Rate, burst: u64) -> Result<TatCore, LimiterError> {
        Ok(TatCore {
            rate,
            params: GcraParams::new(rate, burst)?,
            tat: AtomicU64::new(0),
        })
    }

    /// Decide and, if admitted, advance the TAT with a compare-exchange loop.
    #[inline]
    pub(crate) fn check(&self, now: Nanos, cost: u32) -> Decision {
        check_cell(&self.params, &self.tat, now, cost)
    }

    /// Take back an admission of `cost`: the TAT moves back by `cost * T` (other threads'
    /// admissions since then stay charged).
    pub(crate) fn undo(&self, cost: u32) {
        let _ = self
            .tat
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(self.params.undo(t, cost))
            });
    }

    /// What `check` would answer, without charging.
    pub(crate) fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.params
            .step(self.tat.load(Ordering::Acquire), now, cost)
            .0
    }
}

/// GCRA on a TAT held in `cell`, shared between threads: [`GcraParams::step`] from the current
/// value, and on admission a compare-exchange to the new TAT (retried from the value another
/// thread wrote, so no two admissions are charged from the same TAT). Lock-free.
#[inline]
pub(crate) fn check_cell(params: &GcraParams, cell: &AtomicU64, now: Nanos, cost: u32) -> Decision {
    if u64::from(cost) > params.burst() {
        // Record `now` as seen: a TAT below `t` decides exactly like one at `t` from `t` on,
        // and keeping the TAT at or after the latest `now` is what makes a later, skewed
        // (earlier) `now` only deny more. Every other path already leaves TAT >= t.
        cell.fetch_max(now.as_nanos(), Ordering::AcqRel);
        return Decision::never(params.burst());
    }
    let mut cur = cell.load(Ordering::Acquire);
    loop {
        match params.step(cur, now, cost) {
            (d, None) => return d,
            (d, Some(new)) => {
                match cell.compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => return d,
                    Err(actual) => cur = actual,
                }
            }
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
