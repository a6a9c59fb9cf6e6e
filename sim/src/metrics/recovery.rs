//! Time to recover after a fault: how long after the fault window ends goodput is back within
//! 10% of its pre-fault level, or "did not recover" (the metastable failure of Bronson et al.,
//! "Metastable Failures in Distributed Systems", HotOS 2021: the trigger is gone, the retry load
//! it caused keeps the system down).
//!
//! The pre-fault level is the mean goodput of the whole buckets before the fault starts. The
//! system has recovered at the first bucket `b` at or after the fault's end such that bucket
//! `b` itself and the mean goodput of buckets `[b, b + w)` are within 10% of that level, where
//! `w` spans 10 s (at least one bucket): a window, because a single good 1 s bucket of a noisy
//! stream is not yet a recovery.

use limiters::Nanos;
use serde::Serialize;

/// Recovery figures for one fault window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recovery {
    /// Fault start (seconds).
    pub fault_start_s: f64,
    /// Fault end (seconds).
    pub fault_end_s: f64,
    /// Mean goodput before the fault (successful logical requests per second).
    pub pre_fault_goodput_rps: f64,
    /// Whether goodput came back within 10%.
    pub recovered: bool,
    /// When it did (start of the first recovered window, seconds).
    pub recovered_at_s: Option<f64>,
    /// `recovered_at - fault_end` (seconds); `None`: did not recover within the run.
    pub time_to_recover_s: Option<f64>,
}

/// Tolerance around the pre-fault goodput.
pub const TOLERANCE: f64 = 0.10;
/// The smoothing window.
pub const WINDOW: Nanos = Nanos::from_secs(10);

/// Recovery of `successes` (per bucket of width `bucket`, whole buckets only) from a fault on
/// `[start, end)`. `None` when there is no whole bucket before the fault or no goodput there.
///
/// ```
/// use sim::metrics::recovery;
/// use limiters::Nanos;
/// let mut s = vec![100u64; 30];
/// for b in 10..15 { s[b] = 0; }           // fault 10 s..15 s, back at once
/// let r = recovery(&s, Nanos::from_secs(1), Nanos::from_secs(10), Nanos::from_secs(15)).unwrap();
/// assert_eq!(r.time_to_recover_s, Some(0.0));
/// ```
pub fn recovery(successes: &[u64], bucket: Nanos, start: Nanos, end: Nanos) -> Option<Recovery> {
    if bucket.is_zero() {
        return None;
    }
    let bs = bucket.as_secs_f64();
    let pre_n = (start.0 / bucket.0) as usize;
    let pre_n = pre_n.min(successes.len());
    if pre_n == 0 {
        return None;
    }
    let pre = successes[..pre_n].iter().sum::<u64>() as f64 / pre_n as f64;
    if pre <= 0.0 {
        return None;
    }
    let w = (WINDOW.0.div_ceil(bucket.0) as usize).max(1);
    let first = end.0.div_ceil(bucket.0) as usize;
    let mut found = None;
    let mut b = first;
    while b + w <= successes.len() {
        let mean = successes[b..b + w].iter().sum::<u64>() as f64 / w as f64;
        let first_ok = (successes[b] as f64 - pre).abs() <= TOLERANCE * pre;
        if first_ok && (mean - pre).abs() <= TOLERANCE * pre {
            found = Some(b);
            break;
        }
        b += 1;
    }
    let at = found.map(|b| b as f64 * bs);
    Some(Recovery {
        fault_start_s: start.as_secs_f64(),
        fault_end_s: end.as_secs_f64(),
        pre_fault_goodput_rps: pre / bs,
        recovered: found.is_some(),
        recovered_at_s: at,
        time_to_recover_s: at.map(|a| (a - end.as_secs_f64()).max(0.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: u64) -> Nanos {
        Nanos::from_secs(v)
    }

    #[test]
    fn slow_ramp_recovers_when_the_window_is_back() {
        // 100/s before; fault 20..30; then 0 until 40, 100 after.
        let mut series = vec![100u64; 80];
        for x in &mut series[20..40] {
            *x = 0;
        }
        let r = recovery(&series, s(1), s(20), s(30)).unwrap();
        assert!(r.recovered);
        assert_eq!(r.recovered_at_s, Some(40.0));
        assert_eq!(r.time_to_recover_s, Some(10.0));
        assert_eq!(r.pre_fault_goodput_rps, 100.0);
    }

    #[test]
    fn metastable_series_does_not_recover() {
        let mut series = vec![100u64; 80];
        for x in &mut series[20..] {
            *x = 40;
        }
        let r = recovery(&series, s(1), s(20), s(30)).unwrap();
        assert!(!r.recovered);
        assert_eq!(r.time_to_recover_s, None);
    }

    #[test]
    fn overshoot_is_not_recovery_and_partial_dip_within_tolerance_is() {
        let mut series = vec![100u64; 60];
        for x in &mut series[20..35] {
            *x = 150; // retry backlog draining above the old level
        }
        let r = recovery(&series, s(1), s(10), s(20)).unwrap();
        assert_eq!(r.recovered_at_s, Some(35.0));
        let mut series = vec![100u64; 60];
        series[21] = 80; // one bad bucket inside a 10 s window averaging 98
        let r = recovery(&series, s(1), s(10), s(20)).unwrap();
        assert_eq!(r.time_to_recover_s, Some(0.0));
    }

    #[test]
    fn no_pre_fault_data_means_no_figure() {
        assert!(recovery(&[5, 5, 5], s(1), s(0), s(1)).is_none());
        assert!(recovery(&[0, 0, 5], s(1), s(2), s(3)).is_none());
    }
}
