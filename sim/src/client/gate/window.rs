//! A sum over a sliding time window kept in fixed slices: the structure behind Finagle's
//! `WindowedAdder` (10 slices over the TTL), the SRE book's 2-minute request/accept counts and
//! Resilience4j's time-based sliding window (one partial aggregation per second).
//!
//! Time is cut into slices of `width` aligned to t = 0; the window is the current slice plus
//! the `slices - 1` before it. Adding or reading at a later time first zeroes the slices that
//! fell out. Deterministic and O(1) amortised; a time earlier than the newest slice seen (which
//! the simulator never produces) counts in the newest slice.

use limiters::Nanos;

/// Sliding-window sum of `i64` values in `slices` slices of `width` each.
///
/// ```
/// use sim::client::gate::SlicedWindow;
/// use limiters::Nanos;
/// let mut w = SlicedWindow::new(Nanos::from_secs(1), 10);
/// w.add(Nanos::from_millis(500), 3);
/// w.add(Nanos::from_millis(9_500), 4);
/// assert_eq!(w.sum(Nanos::from_millis(9_900)), 7);
/// assert_eq!(w.sum(Nanos::from_secs(10)), 4); // the first slice expired
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlicedWindow {
    width: Nanos,
    slices: Vec<i64>,
    /// Absolute index (time / width) of the newest slice.
    head: u64,
    total: i64,
}

impl SlicedWindow {
    /// A window of `slices` slices of `width` (both at least 1; zero is raised to 1).
    pub fn new(width: Nanos, slices: u32) -> SlicedWindow {
        SlicedWindow {
            width: Nanos(width.as_nanos().max(1)),
            slices: vec![0; slices.max(1) as usize],
            head: 0,
            total: 0,
        }
    }

    /// The slice width.
    pub fn width(&self) -> Nanos {
        self.width
    }

    /// The window length (`width * slices`).
    pub fn span(&self) -> Nanos {
        self.width.saturating_mul(self.slices.len() as u64)
    }

    fn advance(&mut self, now: Nanos) {
        let cur = now.as_nanos() / self.width.as_nanos();
        if cur <= self.head {
            return;
        }
        let n = self.slices.len() as u64;
        let steps = (cur - self.head).min(n);
        for k in 1..=steps {
            let i = ((self.head + k) % n) as usize;
            self.total -= self.slices[i];
            self.slices[i] = 0;
        }
        self.head = cur;
    }

    /// Add `v` (may be negative: a withdrawal) at `now`.
    pub fn add(&mut self, now: Nanos, v: i64) {
        self.advance(now);
        let i = (self.head % self.slices.len() as u64) as usize;
        self.slices[i] = self.slices[i].saturating_add(v);
        self.total = self.total.saturating_add(v);
    }

    /// The sum over the window ending at `now`.
    pub fn sum(&mut self, now: Nanos) -> i64 {
        self.advance(now);
        self.total
    }

    /// Forget everything.
    pub fn clear(&mut self) {
        self.slices.iter_mut().for_each(|s| *s = 0);
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_expire_one_by_one() {
        let mut w = SlicedWindow::new(Nanos::from_secs(1), 3);
        w.add(Nanos::from_millis(100), 1);
        w.add(Nanos::from_millis(1_100), 10);
        w.add(Nanos::from_millis(2_100), 100);
        assert_eq!(w.sum(Nanos::from_millis(2_999)), 111);
        assert_eq!(w.sum(Nanos::from_secs(3)), 110);
        assert_eq!(w.sum(Nanos::from_secs(4)), 100);
        assert_eq!(w.sum(Nanos::from_secs(5)), 0);
    }

    #[test]
    fn a_long_gap_clears_everything_and_negative_values_count() {
        let mut w = SlicedWindow::new(Nanos::from_millis(500), 4);
        w.add(Nanos::ZERO, 5);
        w.add(Nanos::from_millis(600), -2);
        assert_eq!(w.sum(Nanos::from_millis(700)), 3);
        assert_eq!(w.sum(Nanos::from_secs(1_000)), 0);
        w.add(Nanos::from_secs(999), 7); // earlier than the newest slice: counts in it
        assert_eq!(w.sum(Nanos::from_secs(1_000)), 7);
        assert_eq!(w.span(), Nanos::from_secs(2));
    }
}
