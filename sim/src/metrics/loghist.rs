//! A small fixed log-linear histogram of microsecond values, for latency percentiles per
//! time-series bucket.
//!
//! Why not one HDR histogram per bucket: an `hdrhistogram::Histogram` with 3 significant
//! digits over ten days holds tens of kilobytes of counters, so one per bucket and per fleet
//! would cost hundreds of megabytes on an hour-long run. Here a row is [`BINS`] `u32` counters
//! (1,152 bytes): values below 8 µs are exact, above that every power of two is split into 8
//! equal sub-bins (the HDR layout with 3 bits of sub-bucket precision). Recording is a
//! leading-zero count, a shift and an add. A percentile reads the bin's midpoint, so its
//! relative error is at most 1/16 (6.25%) — enough to draw p50/p90/p99 bands over time; the
//! run's summary percentiles still come from the full HDR histogram.

/// Sub-bins per power of two (3 bits).
const SUB_BITS: u32 = 3;
const SUB: u64 = 1 << SUB_BITS;
/// Powers of two covered above the exact range: up to 2^38 µs (about 76 hours); larger
/// values are counted in the last bin.
const OCTAVES: usize = 35;
/// Counters per row.
pub const BINS: usize = SUB as usize * (OCTAVES + 1);

/// The bin of `us` microseconds.
///
/// ```
/// use sim::metrics::loghist::{bin_of, bounds};
/// assert_eq!(bin_of(5), 5); // exact below 8 µs
/// let (lo, hi) = bounds(bin_of(1_000));
/// assert!(lo <= 1_000 && 1_000 < hi && hi - lo <= 1_000 / 8);
/// ```
#[inline]
pub fn bin_of(us: u64) -> usize {
    if us < SUB {
        return us as usize;
    }
    let e = 63 - us.leading_zeros(); // >= SUB_BITS
    let shift = e - SUB_BITS;
    let i = SUB as usize * (1 + shift as usize) + ((us >> shift) & (SUB - 1)) as usize;
    i.min(BINS - 1)
}

/// The half-open range `[lo, hi)` of bin `i`, microseconds.
pub fn bounds(i: usize) -> (u64, u64) {
    let s = SUB as usize;
    if i < s {
        return (i as u64, i as u64 + 1);
    }
    let shift = (i / s - 1) as u32;
    let sub = (i % s) as u64;
    ((SUB + sub) << shift, (SUB + sub + 1) << shift)
}

/// Add `us` to `row` (saturating).
#[inline]
pub fn record(row: &mut [u32], us: u64) {
    if let Some(c) = row.get_mut(bin_of(us)) {
        *c = c.saturating_add(1);
    }
}

/// The `q`-quantile (0 < q <= 1) of `row` in microseconds: the midpoint of the bin holding
/// the value of rank `ceil(q * n)` (below 8 µs, where bins are exact, the value itself).
/// `None` for an empty row.
///
/// ```
/// use sim::metrics::loghist::{quantile, record, BINS};
/// let mut row = vec![0u32; BINS];
/// for us in 1..=100u64 { record(&mut row, us * 1_000); } // 1 ms ..= 100 ms
/// let p50 = quantile(&row, 0.5).unwrap();
/// assert!((p50 - 50_000.0).abs() <= 50_000.0 / 16.0);
/// ```
pub fn quantile(row: &[u32], q: f64) -> Option<f64> {
    let n: u64 = row.iter().map(|&c| u64::from(c)).sum();
    if n == 0 {
        return None;
    }
    let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0u64;
    for (i, &c) in row.iter().enumerate() {
        seen += u64::from(c);
        if seen >= rank {
            let (lo, hi) = bounds(i);
            // Below 8 µs a bin holds one exact value: its midpoint would turn a latency
            // of 0 into 0.5 µs.
            if hi - lo == 1 {
                return Some(lo as f64);
            }
            return Some(lo as f64 + (hi - lo) as f64 / 2.0);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A tenant's p99 of a run without service time read 0.0005 ms beside its fleet's 0 ms.
    #[test]
    fn exact_bins_read_their_value_not_a_midpoint() {
        let mut row = vec![0u32; BINS];
        record(&mut row, 0);
        assert_eq!(quantile(&row, 0.99), Some(0.0));
        record(&mut row, 7);
        assert_eq!(quantile(&row, 1.0), Some(7.0));
    }

    #[test]
    fn bins_tile_the_range_without_gaps() {
        for i in 1..BINS {
            assert_eq!(bounds(i - 1).1, bounds(i).0, "bin {i}");
        }
        assert_eq!(bounds(0).0, 0);
    }

    #[test]
    fn huge_values_land_in_the_last_bin() {
        assert_eq!(bin_of(u64::MAX), BINS - 1);
        assert_eq!(bin_of(1 << 40), BINS - 1);
    }

    #[test]
    fn quantiles_of_a_two_valued_row() {
        let mut row = vec![0u32; BINS];
        for _ in 0..99 {
            record(&mut row, 2_000);
        }
        record(&mut row, 900_000);
        let p50 = quantile(&row, 0.5).unwrap();
        let p99 = quantile(&row, 0.99).unwrap();
        let p100 = quantile(&row, 1.0).unwrap();
        assert!((p50 - 2_000.0).abs() < 2_000.0 / 16.0, "{p50}");
        assert!((p99 - 2_000.0).abs() < 2_000.0 / 16.0, "{p99}");
        assert!((p100 - 900_000.0).abs() < 900_000.0 / 16.0, "{p100}");
        assert_eq!(quantile(&vec![0u32; BINS], 0.5), None);
    }

    proptest! {
        #[test]
        fn a_value_lies_in_its_bin_and_the_midpoint_is_within_a_sixteenth(us in 0u64..(1 << 38)) {
            let (lo, hi) = bounds(bin_of(us));
            prop_assert!(lo <= us && us < hi);
            let mid = lo as f64 + (hi - lo) as f64 / 2.0;
            prop_assert!((mid - us as f64).abs() <= (us as f64 / 16.0).max(0.5));
        }
    }
}
