//! The distribution of the retry delays a fleet's policy chose: how backoff with jitter spreads
//! retries out, or fails to (without jitter every client of a failed tick picks the same delay,
//! one spike per attempt number).
//!
//! Bins are log-spaced, ten per decade from 1 ms to 10^7 ms (about 2.8 hours), fixed for every
//! run so fleets and runs compare bin for bin; delays under 1 ms (immediate retries) share the
//! first bin `[0, 1 ms)`, and delays of 10^7 ms or more the last, which ends at the largest
//! delay seen. Recording is a table lookup by bit length, a few comparisons and an add, once
//! per retry decision.

use serde::{Deserialize, Serialize};

/// Bins per decade.
pub const PER_DECADE: u32 = 10;
/// Decades above 1 ms.
const DECADES: u32 = 7;
/// Edges in microseconds: 1 ms * 10^(k/10) for k = 0..=70, rounded to whole microseconds.
fn edges_us() -> Vec<u64> {
    (0..=PER_DECADE * DECADES)
        .map(|k| (1_000.0 * 10f64.powf(f64::from(k) / f64::from(PER_DECADE))).round() as u64)
        .collect()
}

/// One bin of [`RetryDelays`]: delays in `[lo_ms, hi_ms)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DelayBin {
    /// Lower edge, ms (0 for the first bin).
    pub lo_ms: f64,
    /// Upper edge, ms.
    pub hi_ms: f64,
    /// Retry delays chosen in this range.
    pub count: u64,
}

/// Retry delays chosen by one fleet's policy (every `Retry(wait)` decision, including waits
/// that the deadline or the end of the run then cut short).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryDelays {
    /// Decisions to retry.
    pub count: u64,
    /// Mean delay, ms.
    pub mean_ms: f64,
    /// Largest delay, ms.
    pub max_ms: f64,
    /// Non-empty bins in increasing order.
    pub bins: Vec<DelayBin>,
}

/// The live counters of one fleet.
#[derive(Clone, Debug)]
pub(crate) struct DelayRec {
    edges: Vec<u64>,
    /// `counts[0]`: below the first edge; `counts[k]`: `[edges[k-1], edges[k])`; the last:
    /// at or above the last edge.
    counts: Vec<u64>,
    sum_us: u128,
    max_us: u64,
    /// By bit length `b` of a value (0 for 0): how many edges are at or below the smallest
    /// value of that length. An octave holds at most [`STEPS`] edges: `next[b]` are the edges
    /// after `start[b]` (`u64::MAX` past the last), so a lookup is this index plus [`STEPS`]
    /// independent comparisons (no branch, no load that waits for another).
    start: [u8; 65],
    next: [[u64; STEPS]; 65],
}

/// Edges within one octave at most: ten bins per decade are 10^0.1 = 1.26 apart, and
/// 1.26^3 < 2 < 1.26^4.
const STEPS: usize = 4;

/// Bit length of `us` (0 for 0).
#[inline]
fn bit_len(us: u64) -> usize {
    (64 - us.leading_zeros()) as usize
}

impl DelayRec {
    pub fn new() -> DelayRec {
        let edges = edges_us();
        let mut start = [0u8; 65];
        for (b, s) in start.iter_mut().enumerate() {
            let lowest = if b == 0 { 0 } else { 1u64 << (b - 1) };
            *s = edges.partition_point(|&e| e <= lowest) as u8;
        }
        let mut next = [[u64::MAX; STEPS]; 65];
        for (b, n) in next.iter_mut().enumerate() {
            for (k, e) in n.iter_mut().enumerate() {
                if let Some(&x) = edges.get(usize::from(start[b]) + k) {
                    *e = x;
                }
            }
        }
        DelayRec {
            counts: vec![0; edges.len() + 1],
            next,
            edges,
            sum_us: 0,
            max_us: 0,
            start,
        }
    }

    /// The counter of `us`: the number of edges at or below it.
    #[inline]
    fn bin(&self, us: u64) -> usize {
        let b = bit_len(us);
        let n = &self.next[b];
        (usize::from(self.start[b])
            + usize::from(n[0] <= us)
            + usize::from(n[1] <= us)
            + usize::from(n[2] <= us)
            + usize::from(n[3] <= us))
        .min(self.edges.len())
    }

    /// Count one chosen delay of `us` microseconds.
    #[inline(always)]
    pub fn record(&mut self, us: u64) {
        let i = self.bin(us);
        self.counts[i] += 1;
        self.sum_us += u128::from(us);
        self.max_us = self.max_us.max(us);
    }

    /// The serialisable figures.
    pub fn result(&self) -> RetryDelays {
        let count: u64 = self.counts.iter().sum();
        let last = self.edges.len();
        let bins = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(i, &c)| {
                let lo = if i == 0 { 0 } else { self.edges[i - 1] };
                let hi = if i == last {
                    self.max_us.max(lo) + 1
                } else {
                    self.edges[i]
                };
                DelayBin {
                    lo_ms: lo as f64 / 1_000.0,
                    hi_ms: hi as f64 / 1_000.0,
                    count: c,
                }
            })
            .collect();
        RetryDelays {
            count,
            mean_ms: if count == 0 {
                0.0
            } else {
                self.sum_us as f64 / count as f64 / 1_000.0
            },
            max_ms: self.max_us as f64 / 1_000.0,
            bins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_log_spaced_and_increasing() {
        let e = edges_us();
        assert_eq!(e.len(), 71);
        assert_eq!(e[0], 1_000);
        assert_eq!(e[10], 10_000);
        assert_eq!(e[70], 10_000_000_000);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn delays_land_in_their_bins() {
        let mut d = DelayRec::new();
        for us in [0, 500, 1_000_000, 1_000_000, 1_150_000, 20_000_000_000] {
            d.record(us);
        }
        let r = d.result();
        assert_eq!(r.count, 6);
        assert_eq!(r.bins[0].lo_ms, 0.0);
        assert_eq!(r.bins[0].hi_ms, 1.0);
        assert_eq!(r.bins[0].count, 2);
        // 1 s sits on an edge: [1000 ms, 1259 ms) holds 1 s and 1.15 s.
        assert_eq!(r.bins[1].lo_ms, 1_000.0);
        assert_eq!(r.bins[1].count, 3);
        let last = r.bins.last().unwrap();
        assert_eq!(last.lo_ms, 10_000_000.0);
        assert!(last.hi_ms > 20_000_000.0);
        assert_eq!(r.max_ms, 20_000_000.0);
        for b in &r.bins {
            assert!(b.lo_ms < b.hi_ms);
        }
    }

    #[test]
    fn bin_lookup_matches_a_binary_search_over_the_edges() {
        let d = DelayRec::new();
        let mut values = vec![0, 1, u64::MAX];
        for e in &d.edges {
            values.extend([e - 1, *e, e + 1]);
        }
        for b in 0..64 {
            values.extend([(1u64 << b) - 1, 1u64 << b, (1u64 << b) + 1]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..10_000 {
            x = crate::engine::mix64(x);
            values.push(x >> (x % 64));
        }
        for us in values {
            assert_eq!(d.bin(us), d.edges.partition_point(|&e| e <= us), "{us}");
        }
    }

    #[test]
    fn no_retries_no_bins() {
        let r = DelayRec::new().result();
        assert_eq!((r.count, r.mean_ms, r.bins.len()), (0, 0.0, 0));
    }
}
