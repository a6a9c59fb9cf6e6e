//! Adapters from the simulator's finer-grained run data to chart data: latency percentiles per
//! bucket (bands over time), the retry delays each fleet's policy chose (a log-x histogram),
//! and server arrivals at the run's arrival resolution (the herd chart).
//!
//! Kept apart from [`super::from_run`] because each reads one of the run result's
//! time-resolved tables (`series` latency columns, `retry_delays`, `arrivals`) rather than the
//! per-bucket counters.

use super::data::{Bin, Mark, Window};
use super::render::fmt_num;
use super::{HistGroup, Histogram, LatencyBucket, LatencyOverTime};
use sim::metrics::{RunResult, SeriesRow};

/// Latency bands over time from time-series rows: one bucket per latency row (the series'
/// `latency_bucket_s`, the bucket unless the run was too long), buckets without a success
/// left out.
pub fn latency_time_data(
    title: &str,
    bucket_s: f64,
    latency_bucket_s: f64,
    rows: &[SeriesRow],
    faults: &[Window],
) -> LatencyOverTime {
    let step = if bucket_s > 0.0 {
        ((latency_bucket_s / bucket_s).round() as usize).max(1)
    } else {
        1
    };
    let buckets = rows
        .iter()
        .step_by(step)
        .filter_map(|row| {
            Some(LatencyBucket {
                t_s: row.t_s,
                p50_ms: row.latency_p50_ms?,
                p90_ms: row.latency_p90_ms?,
                p99_ms: row.latency_p99_ms?,
            })
        })
        .collect();
    LatencyOverTime {
        title: title.to_owned(),
        bucket_s: bucket_s * step as f64,
        buckets,
        faults: faults.to_vec(),
    }
}

/// Lower edge drawn for the first delay bin `[0, 1 ms)` on the log axis.
const ZERO_BIN_LO_MS: f64 = 0.5;

/// The retry delays chosen per fleet (fleets that never retried are left out), as a log-x
/// histogram of the simulator's fixed log-spaced bins (ten per decade).
pub fn retry_delay_data(r: &RunResult) -> Histogram {
    let groups: Vec<HistGroup> = r
        .retry_delays
        .iter()
        .filter(|(_, d)| d.count > 0)
        .map(|(name, d)| HistGroup {
            name: name.clone(),
            bins: d
                .bins
                .iter()
                .map(|b| Bin {
                    lo: if b.lo_ms > 0.0 {
                        b.lo_ms
                    } else {
                        ZERO_BIN_LO_MS.min(b.hi_ms / 2.0)
                    },
                    hi: b.hi_ms,
                    count: b.count,
                })
                .collect(),
        })
        .collect();
    let immediate = r
        .retry_delays
        .values()
        .any(|d| d.bins.first().is_some_and(|b| b.lo_ms == 0.0));
    let means: Vec<String> = r
        .retry_delays
        .iter()
        .filter(|(_, d)| d.count > 0)
        .map(|(n, d)| format!("{n} {} ms", fmt_num((d.mean_ms).round())))
        .collect();
    Histogram {
        name: "retry_delays".into(),
        title: format!("{}: retry delays chosen, by fleet", r.scenario),
        caption: format!(
            "The waits each fleet's retry policy chose before a retry (ten log-spaced bins per \
             decade, log scale). Without jitter the clients of one failure pick the same delay: \
             one spike per attempt number; jitter spreads them out. Mean delay: {}.{}",
            means.join(", "),
            if immediate {
                " Immediate retries (under 1 ms) are drawn from 0.5 ms."
            } else {
                ""
            }
        ),
        x_desc: "retry delay, ms (log scale)".into(),
        y_desc: "retries".into(),
        log_x: true,
        groups,
        marks: vec![],
    }
}

/// Attempts arriving at the server per arrival bin, per fleet, as histogram bins.
pub fn arrival_data(r: &RunResult, marks: Vec<Mark>) -> Histogram {
    let res = r.arrivals.resolution_s;
    let groups = r
        .arrivals
        .fleets
        .iter()
        .map(|(name, counts)| HistGroup {
            name: name.clone(),
            bins: counts
                .iter()
                .enumerate()
                .map(|(i, &c)| Bin {
                    lo: i as f64 * res,
                    hi: (i + 1) as f64 * res,
                    count: u64::from(c),
                })
                .collect(),
        })
        .collect();
    let unit = if res < 1.0 {
        format!("{} ms", fmt_num((res * 1e3).round()))
    } else {
        format!("{} s", fmt_num(res))
    };
    Histogram {
        name: "arrivals".into(),
        title: format!(
            "{}: attempts arriving at the server per {unit}, by fleet",
            r.scenario
        ),
        caption: format!(
            "Attempts (first tries and retries) reaching the server in each {unit} bin, per \
             fleet, overlaid. Spikes are herds: synchronised clients, cron ticks, or retries \
             aligned on a window reset{}. The resolution is the scenario's \
             `arrival_resolution` (coarsened on long runs).",
            if marks.is_empty() {
                ""
            } else {
                " (purple lines)"
            }
        ),
        x_desc: "time since start, s".into(),
        y_desc: format!("attempts per {unit}"),
        log_x: false,
        groups,
        marks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(t_s: f64, p: Option<[f64; 3]>) -> SeriesRow {
        SeriesRow {
            t_s,
            first_attempts: 0,
            retries: 0,
            hedges: 0,
            admitted: 0,
            rejected: BTreeMap::new(),
            server_errors: BTreeMap::new(),
            timeouts: 0,
            successes: 0,
            give_ups: 0,
            in_flight: 0,
            queue_len: None,
            busy: None,
            limiter_remaining: None,
            limiter_limit: None,
            latency_p50_ms: p.map(|p| p[0]),
            latency_p90_ms: p.map(|p| p[1]),
            latency_p99_ms: p.map(|p| p[2]),
        }
    }

    #[test]
    fn latency_rows_without_successes_are_gaps_and_coarse_rows_are_taken_once() {
        let rows = vec![
            row(0.0, Some([1.0, 2.0, 3.0])),
            row(1.0, None),
            row(2.0, Some([4.0, 5.0, 6.0])),
            row(3.0, Some([4.0, 5.0, 6.0])),
        ];
        let d = latency_time_data("t", 1.0, 1.0, &rows, &[]);
        assert_eq!(
            d.buckets.iter().map(|b| b.t_s).collect::<Vec<_>>(),
            vec![0.0, 2.0, 3.0]
        );
        assert_eq!(d.buckets[1].p99_ms, 6.0);
        // Latency rows of 2 buckets: rows 0 and 2 carry them.
        let d = latency_time_data("t", 1.0, 2.0, &rows, &[]);
        assert_eq!(d.bucket_s, 2.0);
        assert_eq!(
            d.buckets.iter().map(|b| b.t_s).collect::<Vec<_>>(),
            vec![0.0, 2.0]
        );
    }
}
