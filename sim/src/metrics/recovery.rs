//! Time to recover after a fault: how long after the fault window ends goodput is back within
//! 10% of its pre-fault level, or "did not recover" (the metastable failure of Bronson et al.,
//! "Metastable Failures in Distributed Systems", HotOS 2021: the trigger is gone, the retry load
//! it caused keeps the system down).
//!
//! Goodput of a periodic load is spiky: cron clients firing every 10 s give a 1 s series of
//! one tall bucket and nine empty ones, so no single bucket is ever "within 10%" of the mean.
//! Both sides of the comparison are therefore averages over the same window, at least as long
//! as the load's natural period ([`recovery_window`]: the longest cron or on/off period among
//! the fleets, 10 s, and 5 buckets, whichever is longest):
//!
//! - the pre-fault level is the mean goodput of the whole windows that fit between the run's
//!   start and the fault's start, counted back from the fault (all the pre-fault buckets if
//!   not even one window fits);
//! - the system has recovered at the first bucket `b` at or after the fault's end such that
//!   the mean goodput of buckets `[b, b + w)` is within 10% of that level (above it too: a
//!   retry backlog draining above the old level is not yet the steady state). Recovery time is
//!   `b` minus the fault's end;
//! - "did not recover" only if no such window exists before the run ends. When the run ends
//!   less than one window after the fault, there is nothing to judge and no figure.
//!
//! The run's verdict is taken per fleet ([`of_fleets`]), never from the goodput of all fleets
//! summed: in `scenarios/experiments/metastable.toml` the trigger fleet's late successes fill
//! the sum back to its pre-fault level while fleet `base` serves nothing from 70 s to the end
//! (issue #12). The run recovered only if every fleet with pre-fault goodput did, and then at
//! the time of the slowest one.

use crate::model::{Arrival, Scenario};
use limiters::Nanos;
use serde::{Deserialize, Serialize};

/// Recovery figures for one fault window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// Fault start (seconds).
    pub fault_start_s: f64,
    /// Fault end (seconds).
    pub fault_end_s: f64,
    /// The averaging window (seconds).
    pub window_s: f64,
    /// Mean goodput before the fault (successful logical requests per second).
    pub pre_fault_goodput_rps: f64,
    /// Whether goodput came back within 10%.
    pub recovered: bool,
    /// When it did (start of the first recovered window, seconds).
    pub recovered_at_s: Option<f64>,
    /// `recovered_at - fault_end` (seconds); `None`: did not recover within the run.
    pub time_to_recover_s: Option<f64>,
    /// The run's verdict only ([`of_fleets`]): the fleets with pre-fault goodput that did not
    /// recover, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fleets_not_recovered: Vec<String>,
    /// The run's verdict only: the fleet that recovered last (the one that sets the run's
    /// time), when every fleet recovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slowest_fleet: Option<String>,
}

/// Tolerance around the pre-fault goodput.
pub const TOLERANCE: f64 = 0.10;
/// The shortest averaging window.
pub const WINDOW: Nanos = Nanos::from_secs(10);
/// The averaging window spans at least this many buckets.
pub const MIN_WINDOW_BUCKETS: u64 = 5;

/// The natural period of an arrival process: the gap after which its pattern repeats, for the
/// processes that repeat on a scale a recovery window can cover (cron, on/off). Diurnal cycles
/// are a trend, not noise to average out; the others have no period.
fn period(a: &Arrival) -> Option<Nanos> {
    match a {
        Arrival::Cron { period, .. } => Some(*period),
        Arrival::OnOff { on, off, .. } => Some(on.saturating_add(*off)),
        _ => None,
    }
}

/// The averaging window of `s`: the longest of [`WINDOW`], [`MIN_WINDOW_BUCKETS`] buckets and
/// the longest arrival period among its fleets.
pub fn recovery_window(s: &Scenario) -> Nanos {
    s.fleets.iter().filter_map(|f| period(&f.arrival)).fold(
        WINDOW.max(s.bucket.saturating_mul(MIN_WINDOW_BUCKETS)),
        Nanos::max,
    )
}

/// Recovery of `successes` (per bucket of width `bucket`) from a fault on `[start, end)`,
/// averaging over `window`. `None` when there is no whole bucket or no goodput before the
/// fault, or when less than one window of the run is left after it.
///
/// ```
/// use sim::metrics::recovery;
/// use limiters::Nanos;
/// let mut s = vec![100u64; 40];
/// for b in 10..15 { s[b] = 0; }           // fault 10 s..15 s, back at once
/// let (one, ten) = (Nanos::from_secs(1), Nanos::from_secs(10));
/// let r = recovery(&s, one, Nanos::from_secs(10), Nanos::from_secs(15), ten).unwrap();
/// assert_eq!(r.time_to_recover_s, Some(0.0));
/// ```
pub fn recovery(
    successes: &[u64],
    bucket: Nanos,
    start: Nanos,
    end: Nanos,
    window: Nanos,
) -> Option<Recovery> {
    if bucket.is_zero() {
        return None;
    }
    let bs = bucket.as_secs_f64();
    let w = (window.0.div_ceil(bucket.0) as usize).max(1);
    let pre_n = ((start.0 / bucket.0) as usize).min(successes.len());
    if pre_n == 0 {
        return None;
    }
    let whole = (pre_n / w) * w;
    let from = if whole == 0 { 0 } else { pre_n - whole };
    let pre_total: u64 = successes[from..pre_n].iter().sum();
    let pre = pre_total as f64 / (pre_n - from) as f64;
    if pre <= 0.0 {
        return None;
    }
    let first = end.0.div_ceil(bucket.0) as usize;
    if first + w > successes.len() {
        return None;
    }
    let near = |sum: u64| (sum as f64 / w as f64 - pre).abs() <= TOLERANCE * pre;
    let mut sum: u64 = successes[first..first + w].iter().sum();
    let mut found = near(sum).then_some(first);
    let mut b = first;
    while found.is_none() && b + w < successes.len() {
        sum = sum + successes[b + w] - successes[b];
        b += 1;
        if near(sum) {
            found = Some(b);
        }
    }
    let at = found.map(|b| b as f64 * bs);
    Some(Recovery {
        fault_start_s: start.as_secs_f64(),
        fault_end_s: end.as_secs_f64(),
        window_s: w as f64 * bs,
        pre_fault_goodput_rps: pre / bs,
        recovered: found.is_some(),
        recovered_at_s: at,
        time_to_recover_s: at.map(|a| (a - end.as_secs_f64()).max(0.0)),
        fleets_not_recovered: Vec::new(),
        slowest_fleet: None,
    })
}

/// The run's recovery from its fleets' (by name; `None`: the fleet had no pre-fault goodput,
/// or the run left no window to judge): recovered only if every fleet with a figure
/// recovered, at the latest of their times; the pre-fault level is the sum of theirs. `None`
/// when no fleet has a figure.
///
/// ```
/// use sim::metrics::{recovery, recovery_of_fleets};
/// use limiters::Nanos;
/// let (one, ten) = (Nanos::from_secs(1), Nanos::from_secs(10));
/// let mut stuck = vec![10u64; 60];
/// stuck[20..].fill(0);                     // never back after the fault at 20..25 s
/// let late = vec![0u64; 60];               // a trigger fleet: nothing before the fault
/// let r = |s: &[u64]| recovery(s, one, Nanos::from_secs(20), Nanos::from_secs(25), ten);
/// let run = recovery_of_fleets([("base", r(&stuck).as_ref()), ("spike", r(&late).as_ref())])
///     .unwrap();
/// assert!(!run.recovered);
/// assert_eq!(run.fleets_not_recovered, ["base"]);
/// ```
pub fn of_fleets<'a>(
    fleets: impl IntoIterator<Item = (&'a str, Option<&'a Recovery>)>,
) -> Option<Recovery> {
    let judged: Vec<(&str, &Recovery)> = fleets
        .into_iter()
        .filter_map(|(n, r)| r.map(|r| (n, r)))
        .collect();
    let (_, first) = judged.first()?;
    let not: Vec<String> = judged
        .iter()
        .filter(|(_, r)| !r.recovered)
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let slowest = judged
        .iter()
        .filter(|_| not.is_empty())
        .max_by(|a, b| {
            let t = |r: &Recovery| r.recovered_at_s.unwrap_or(f64::INFINITY);
            t(a.1).total_cmp(&t(b.1))
        })
        .map(|(n, r)| (*n, *r));
    Some(Recovery {
        fault_start_s: first.fault_start_s,
        fault_end_s: first.fault_end_s,
        window_s: first.window_s,
        pre_fault_goodput_rps: judged.iter().map(|(_, r)| r.pre_fault_goodput_rps).sum(),
        recovered: not.is_empty(),
        recovered_at_s: slowest.and_then(|(_, r)| r.recovered_at_s),
        time_to_recover_s: slowest.and_then(|(_, r)| r.time_to_recover_s),
        fleets_not_recovered: not,
        slowest_fleet: slowest.map(|(n, _)| n.to_owned()),
    })
}

#[cfg(test)]
mod tests;
