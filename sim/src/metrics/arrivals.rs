//! Attempts arriving at the server at a finer resolution than the time-series bucket (100 ms
//! by default, the scenario's `arrival_resolution`), per fleet: the herd chart, where clients
//! told to come back "at reset", cron ticks or retries without jitter show up as spikes a 1 s
//! bucket would smear.
//!
//! Bounded: at most [`MAX_ARRIVAL_BINS`] bins per fleet. A run longer than that many
//! resolutions is counted at a coarser resolution, the smallest whole multiple of the asked
//! one that fits (a 10 h run at 100 ms counts per 1.8 s). Events are handled in time order, so a
//! cursor moves forward with time: recording is a compare and an add, no division per event.

pub use crate::model::DEFAULT_ARRIVAL_RESOLUTION;
use limiters::Nanos;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most bins per fleet.
pub const MAX_ARRIVAL_BINS: usize = 20_000;

/// Attempts arriving at the server per bin, per fleet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arrivals {
    /// Bin width actually used (seconds): the scenario's `arrival_resolution`, coarsened to
    /// stay within [`MAX_ARRIVAL_BINS`].
    pub resolution_s: f64,
    /// Bin `i` covers `[i * resolution, (i + 1) * resolution)`; per fleet, by name.
    pub fleets: BTreeMap<String, Vec<u32>>,
}

/// The effective resolution and bin count for `duration` at `asked`.
pub fn arrival_bins(duration: Nanos, asked: Nanos) -> (Nanos, usize) {
    let asked = Nanos(asked.0.max(1));
    let n = duration.0.div_ceil(asked.0).max(1);
    let k = n.div_ceil(MAX_ARRIVAL_BINS as u64).max(1);
    let res = Nanos(asked.0.saturating_mul(k));
    (res, duration.0.div_ceil(res.0).max(1) as usize)
}

/// The live counters.
#[derive(Debug)]
pub(crate) struct ArrivalRec {
    pub res: Nanos,
    nbins: usize,
    cur: usize,
    next_edge: Nanos,
    /// `fleets * nbins` counters, fleet-major.
    counts: Vec<u32>,
}

impl ArrivalRec {
    pub fn new(fleets: usize, duration: Nanos, asked: Nanos) -> ArrivalRec {
        let (res, nbins) = arrival_bins(duration, asked);
        ArrivalRec {
            res,
            nbins,
            cur: 0,
            next_edge: res,
            counts: vec![0; fleets * nbins],
        }
    }

    /// An attempt of `fleet` arrived at `now` (not earlier than the previous call's).
    #[inline]
    pub fn record(&mut self, fleet: usize, now: Nanos) {
        while now >= self.next_edge && self.cur + 1 < self.nbins {
            self.cur += 1;
            self.next_edge += self.res;
        }
        let c = &mut self.counts[fleet * self.nbins + self.cur];
        *c = c.saturating_add(1);
    }

    /// The counts of `fleet`.
    pub fn fleet(&self, fleet: usize) -> &[u32] {
        &self.counts[fleet * self.nbins..(fleet + 1) * self.nbins]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_coarsened_to_a_multiple_within_the_cap() {
        let (r, n) = arrival_bins(Nanos::from_secs(180), Nanos::from_millis(100));
        assert_eq!((r, n), (Nanos::from_millis(100), 1_800));
        let (r, n) = arrival_bins(Nanos::from_secs(36_000), Nanos::from_millis(100));
        assert_eq!(r, Nanos::from_millis(1_800));
        assert_eq!(n, 20_000);
        assert!(n <= MAX_ARRIVAL_BINS);
        let (_, n) = arrival_bins(Nanos(u64::MAX / 2), Nanos(1));
        assert!(n <= MAX_ARRIVAL_BINS);
    }

    #[test]
    fn arrivals_are_counted_in_their_bin() {
        let mut a = ArrivalRec::new(2, Nanos::from_secs(1), Nanos::from_millis(100));
        a.record(0, Nanos::from_millis(50));
        a.record(1, Nanos::from_millis(99));
        a.record(0, Nanos::from_millis(100));
        a.record(0, Nanos::from_millis(950));
        a.record(0, Nanos::from_millis(2_000)); // past the end: the last bin
        assert_eq!(a.fleet(0), &[1, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(a.fleet(1)[0], 1);
    }
}
