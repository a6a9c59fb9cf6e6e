//! The sliding windows of a circuit breaker, as in Resilience4j's `FixedSizeSlidingWindowMetrics`
//! (count-based: the last N calls, a ring of outcomes) and `SlidingTimeWindowMetrics`
//! (time-based: the last N seconds, one partial aggregation per second).

use crate::client::gate::SlicedWindow;
use limiters::Nanos;

/// Totals over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallTotals {
    /// Calls recorded.
    pub calls: u64,
    /// Of which failed.
    pub failures: u64,
    /// Of which were slow.
    pub slow: u64,
}

impl CallTotals {
    /// `failures / calls >= percent / 100`, in integers.
    pub fn failure_rate_at_least(&self, percent: u32) -> bool {
        self.calls > 0 && self.failures * 100 >= u64::from(percent) * self.calls
    }
    /// `slow / calls >= percent / 100`.
    pub fn slow_rate_at_least(&self, percent: u32) -> bool {
        self.calls > 0 && self.slow * 100 >= u64::from(percent) * self.calls
    }
}

/// Which window, and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// The last `n` calls (`COUNT_BASED`, `slidingWindowSize = n`).
    Count(u32),
    /// The calls of the last `n` seconds (`TIME_BASED`, `slidingWindowSize = n`).
    Time(u32),
}

/// A window of call outcomes.
#[derive(Clone, Debug)]
pub enum CallWindow {
    /// Ring of the last calls: `(failed, slow)`.
    Count {
        /// The ring.
        ring: Vec<(bool, bool)>,
        /// The window size `n`. Kept apart from `ring.capacity()`: a clone of a `Vec` keeps its
        /// elements, not its capacity, so per-client copies of an empty window
        /// ([`crate::client::gate::PerClient`]) used to hold about 4 calls.
        size: usize,
        /// Next slot to write.
        next: usize,
        /// Totals over the ring.
        totals: CallTotals,
    },
    /// Per-second sums.
    Time {
        /// Calls.
        calls: SlicedWindow,
        /// Failures.
        failures: SlicedWindow,
        /// Slow calls.
        slow: SlicedWindow,
    },
}

impl CallWindow {
    /// An empty window.
    pub fn new(kind: WindowKind) -> CallWindow {
        match kind {
            WindowKind::Count(n) => CallWindow::Count {
                ring: Vec::with_capacity(n.max(1) as usize),
                size: n.max(1) as usize,
                next: 0,
                totals: CallTotals::default(),
            },
            WindowKind::Time(n) => {
                let w = || SlicedWindow::new(Nanos::from_secs(1), n.max(1));
                CallWindow::Time {
                    calls: w(),
                    failures: w(),
                    slow: w(),
                }
            }
        }
    }

    /// Record one call and return the totals.
    pub fn record(&mut self, now: Nanos, failed: bool, slow: bool) -> CallTotals {
        match self {
            CallWindow::Count {
                ring,
                size,
                next,
                totals,
            } => {
                let cap = *size;
                if ring.len() < cap {
                    ring.push((failed, slow));
                } else {
                    let (f, s) = ring[*next];
                    totals.calls -= 1;
                    totals.failures -= u64::from(f);
                    totals.slow -= u64::from(s);
                    ring[*next] = (failed, slow);
                }
                *next = (*next + 1) % cap;
                totals.calls += 1;
                totals.failures += u64::from(failed);
                totals.slow += u64::from(slow);
                *totals
            }
            CallWindow::Time {
                calls,
                failures,
                slow: slow_w,
            } => {
                calls.add(now, 1);
                failures.add(now, i64::from(failed));
                slow_w.add(now, i64::from(slow));
                self.totals(now)
            }
        }
    }

    /// The totals at `now`.
    pub fn totals(&mut self, now: Nanos) -> CallTotals {
        match self {
            CallWindow::Count { totals, .. } => *totals,
            CallWindow::Time {
                calls,
                failures,
                slow,
            } => CallTotals {
                calls: calls.sum(now).max(0) as u64,
                failures: failures.sum(now).max(0) as u64,
                slow: slow.sum(now).max(0) as u64,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_window_keeps_the_last_n() {
        let mut w = CallWindow::new(WindowKind::Count(4));
        for f in [true, true, false, false] {
            w.record(Nanos::ZERO, f, false);
        }
        let t = w.record(Nanos::ZERO, false, true); // pushes out the first failure
        assert_eq!(
            t,
            CallTotals {
                calls: 4,
                failures: 1,
                slow: 1
            }
        );
        assert!(t.failure_rate_at_least(25) && !t.failure_rate_at_least(26));
    }

    #[test]
    fn a_cloned_count_window_keeps_its_size() {
        let mut w = CallWindow::new(WindowKind::Count(10)).clone();
        let mut t = CallTotals::default();
        for _ in 0..25 {
            t = w.record(Nanos::ZERO, true, false);
        }
        assert_eq!(t.calls, 10);
    }

    #[test]
    fn time_window_forgets_old_seconds() {
        let mut w = CallWindow::new(WindowKind::Time(2));
        w.record(Nanos::from_millis(100), true, false);
        w.record(Nanos::from_millis(1_100), false, false);
        assert_eq!(w.totals(Nanos::from_millis(1_900)).calls, 2);
        let t = w.totals(Nanos::from_secs(2));
        assert_eq!((t.calls, t.failures), (1, 0));
    }
}
