//! A percentile axis on a log scale of nines: p50, p90, p99, p99.9, p99.99 are evenly spaced,
//! because x maps to `-log10(1 - p/100)`. This is how tail latency is usually read (as in
//! HdrHistogram's percentile distribution plots): each step right is ten times rarer.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use std::ops::Range;

/// The percentiles that get a tick label.
pub(crate) const TICKS: [f64; 5] = [50.0, 90.0, 99.0, 99.9, 99.99];

/// Position of percentile `p` (0 < p < 100) on the nines scale.
pub(crate) fn nines(p: f64) -> f64 {
    let tail = (1.0 - p / 100.0).max(1e-9);
    -tail.log10()
}

/// A plotters coordinate over percentiles `lo..hi` (in percent), spaced by nines.
#[derive(Debug, Clone)]
pub(crate) struct NinesRange {
    lo: f64,
    hi: f64,
}

impl NinesRange {
    /// The range `lo..hi` percent; `hi` is raised above `lo` if needed.
    pub(crate) fn new(lo: f64, hi: f64) -> Self {
        let lo = lo.clamp(0.0, 99.999_999);
        let hi = hi.clamp(lo, 99.999_999);
        let hi = if nines(hi) - nines(lo) < 1e-6 {
            100.0 - (100.0 - lo) / 10.0
        } else {
            hi
        };
        NinesRange { lo, hi }
    }
}

impl Ranged for NinesRange {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let (a, b) = (nines(self.lo), nines(self.hi));
        let frac = (nines(*value) - a) / (b - a);
        limit.0 + (frac * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.max_num_points() == 0 {
            return Vec::new();
        }
        TICKS
            .iter()
            .copied()
            .filter(|&p| p >= self.lo - 1e-9 && p <= self.hi + 1e-9)
            .collect()
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Tick label of a percentile: `p50`, `p99.9`.
pub(crate) fn label(p: &f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("p{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_nine_is_one_step() {
        assert!((nines(90.0) - 1.0).abs() < 1e-9);
        assert!((nines(99.0) - 2.0).abs() < 1e-9);
        assert!((nines(99.99) - 4.0).abs() < 1e-6);
    }

    #[test]
    fn ticks_are_evenly_spaced_in_pixels() {
        let r = NinesRange::new(90.0, 99.99);
        let px: Vec<i32> = [90.0, 99.0, 99.9, 99.99]
            .iter()
            .map(|p| r.map(p, (0, 300)))
            .collect();
        assert_eq!(px, vec![0, 100, 200, 300]);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(label(&50.0), "p50");
        assert_eq!(label(&99.9), "p99.9");
        assert_eq!(label(&99.99), "p99.99");
    }

    #[test]
    fn degenerate_range_is_widened() {
        let r = NinesRange::new(99.0, 99.0);
        assert!(r.range().end > 99.0);
    }
}
