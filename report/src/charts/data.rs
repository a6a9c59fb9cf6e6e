//! Plain data the chart functions take: named series of (seconds, value) points, time windows
//! to shade, vertical marks, histogram bins. No simulator types here, so the charts can be
//! driven by synthetic data in tests and by any result shape through an adapter.

/// A named series of (x, y) points; x is seconds since scenario start unless a chart says
/// otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label, also the palette key.
    pub name: String,
    /// The points, in increasing x.
    pub points: Vec<(f64, f64)>,
}

/// A time window to shade (a fault, an outage), in seconds since scenario start.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Short label drawn at the top of the shaded band (`outage 503`).
    pub label: String,
}

/// A vertical marker line (a window reset, a deploy), at `x` in the chart's x unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Position on the x axis.
    pub x: f64,
    /// Label, drawn once in the legend for all marks of a chart.
    pub label: String,
}

/// One histogram bin: `[lo, hi)` with its count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Lower edge (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive).
    pub hi: f64,
    /// Samples in the bin.
    pub count: u64,
}

/// Range of finite values of an iterator, or `None` if there are none.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// An x range covering `lo..hi`, widened when empty so plotters has room to draw.
pub(crate) fn padded_x(lo: f64, hi: f64) -> std::ops::Range<f64> {
    if hi > lo {
        lo..hi
    } else {
        (lo - 0.5)..(lo + 0.5)
    }
}

/// A y range from zero to a little above `max` (10% headroom), at least `0..1`.
pub(crate) fn zero_based_y(max: f64) -> std::ops::Range<f64> {
    if max.is_finite() && max > 0.0 {
        0.0..max * 1.1
    } else {
        0.0..1.0
    }
}

/// Lower and upper bounds of a positive log axis covering `lo..hi` with some room.
pub(crate) fn log_bounds(lo: f64, hi: f64) -> (f64, f64) {
    let lo = if lo > 0.0 { lo } else { 0.01 };
    let hi = hi.max(lo * 2.0);
    (lo / 1.5, hi * 1.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_range_skips_nan_and_handles_empty() {
        assert_eq!(finite_range([3.0, f64::NAN, -1.0, 2.0]), Some((-1.0, 3.0)));
        assert_eq!(finite_range(std::iter::empty()), None);
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(padded_x(2.0, 2.0), 1.5..2.5);
        assert_eq!(zero_based_y(0.0), 0.0..1.0);
        let y = zero_based_y(10.0);
        assert!(y.start == 0.0 && y.end > 10.0 && y.end < 12.0);
    }
}
