//! [`AtomicGcra`]: GCRA (ATM Forum TM 4.0 virtual scheduling) with its TAT in one `AtomicU64`,
//! updated by compare-exchange as in the `governor` crate.

use super::core::TatCore;
use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Rate};

/// A lock-free GCRA limiter shared by reference between threads.
///
/// ```
/// use limiters::{AtomicGcra, Nanos, Rate};
/// use std::sync::Arc;
/// let g = Arc::new(AtomicGcra::new(Rate::per_second(10).unwrap(), 5).unwrap());
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let g = Arc::clone(&g);
///         std::thread::spawn(move || (0..10).filter(|_| g.check(Nanos::ZERO, 1).allowed).count())
///     })
///     .collect();
/// let admitted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
/// assert_eq!(admitted, 5); // the burst, however the threads interleave
/// ```
#[derive(Debug)]
pub struct AtomicGcra {
    core: TatCore,
}

impl AtomicGcra {
    /// Registered name.
    pub const NAME: &'static str = "gcra_atomic";

    /// GCRA admitting `rate` with bursts of up to `burst` (same rules as [`crate::Gcra::new`]).
    pub fn new(rate: Rate, burst: u64) -> Result<AtomicGcra, LimiterError> {
        Ok(AtomicGcra {
            core: TatCore::new(rate, burst)?,
        })
    }

    /// Decide on a request at `now` and charge it if admitted. Lock-free.
    #[inline]
    pub fn check(&self, now: Nanos, cost: u32) -> Decision {
        self.core.check(now, cost)
    }

    /// What `check` would answer, without charging.
    pub fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.core.peek(now, cost)
    }

    /// The configured rate.
    pub fn rate(&self) -> Rate {
        self.core.rate
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "lock-free GCRA: one atomic TAT, compare-exchange loop (as in governor)",
            params: &[
                ParamDoc {
                    name: "rate",
                    help: "sustained rate such as \"10/s\" (required)",
                },
                ParamDoc {
                    name: "burst",
                    help: "requests admitted at once from idle, at least 1 (default: the rate's count)",
                },
            ],
            factory: |p| {
                let rate = p.rate("rate")?;
                let burst = crate::token_bucket::burst_param(p, rate)?;
                Ok(Box::new(AtomicGcra::new(rate, burst)?))
            },
        }
    }
}

impl Limiter for AtomicGcra {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.core.check(now, cost)
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.core.peek(now, cost)
    }
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.core.undo(cost)
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn is_send_sync_and_follows_gcra() {
        assert_send_sync::<AtomicGcra>();
        let g = AtomicGcra::new("10/s".parse().unwrap(), 2).unwrap();
        assert!(g.check(Nanos::ZERO, 2).allowed);
        let d = g.check(Nanos::from_millis(30), 1);
        assert_eq!(d.retry_after, Some(Nanos::from_millis(70)));
        assert!(!g.peek(Nanos::from_millis(100) - Nanos(1), 1).allowed);
        assert!(g.peek(Nanos::from_millis(100), 1).allowed);
        assert!(g.check(Nanos::ZERO, 3).is_never());
    }

    #[test]
    fn earlier_now_only_denies_more() {
        let g = AtomicGcra::new("10/s".parse().unwrap(), 1).unwrap();
        assert!(g.check(Nanos::from_secs(1), 1).allowed);
        let d = g.check(Nanos::ZERO, 1);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Some(Nanos::from_millis(1100)));
    }

    #[test]
    fn rejects_bad_parameters() {
        let r: Rate = "10/s".parse().unwrap();
        assert_eq!(AtomicGcra::new(r, 0).unwrap_err().param(), Some("burst"));
    }
}
