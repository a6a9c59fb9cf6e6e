//! From the recorder's counters to the serialisable figures: summaries (one fleet, or all
//! fleets summed) and time-series rows.

use super::recorder::{col, Recorder, ServerGauges, REASONS};
use super::{loghist, recovery, Latency, SeriesRow, Summary};
use hdrhistogram::Histogram;
use limiters::Nanos;
use std::collections::BTreeMap;

/// Inputs of a summary that the recorder does not hold.
#[derive(Clone, Copy, Debug)]
pub struct SummaryInputs {
    /// Clients in the fleets summarised.
    pub clients: u64,
    /// Simulated horizon.
    pub duration: Nanos,
    /// Jain's index over clients.
    pub fairness_clients: Option<f64>,
    /// Jain's index over tenants.
    pub fairness_tenants: Option<f64>,
    /// The fault window (first start, last end), if any.
    pub fault: Option<(Nanos, Nanos)>,
    /// The averaging window of the recovery figure (`super::recovery_window`).
    pub recovery_window: Nanos,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn latency_of(h: &Histogram<u64>) -> Option<Latency> {
    if h.is_empty() {
        return None;
    }
    let ms = |us: u64| us as f64 / 1_000.0;
    Some(Latency {
        count: h.len(),
        mean_ms: h.mean() / 1_000.0,
        p50_ms: ms(h.value_at_quantile(0.5)),
        p90_ms: ms(h.value_at_quantile(0.9)),
        p99_ms: ms(h.value_at_quantile(0.99)),
        p999_ms: ms(h.value_at_quantile(0.999)),
        p9999_ms: ms(h.value_at_quantile(0.9999)),
        max_ms: ms(h.max()),
    })
}

impl Recorder {
    /// Successes per bucket, summed over `fleets`.
    pub fn successes_series(&self, fleets: &[usize]) -> Vec<u64> {
        (0..self.nbuckets)
            .map(|b| {
                fleets
                    .iter()
                    .map(|&f| u64::from(self.fleets[f].buckets[b * self.width + col::SUCCESS]))
                    .sum()
            })
            .collect()
    }

    /// The summary of `fleets` summed.
    pub fn summary(&self, fleets: &[usize], inputs: SummaryInputs) -> Summary {
        let sum = |get: &dyn Fn(usize) -> u64| fleets.iter().map(|&f| get(f)).sum::<u64>();
        let logical = sum(&|f| self.fleets[f].logical);
        let first = sum(&|f| self.fleets[f].first);
        let retries = sum(&|f| self.fleets[f].retries);
        let successes = sum(&|f| self.fleets[f].successes);
        let hedges = sum(&|f| self.fleets[f].hedges);
        let attempts = first + retries + hedges;
        let mut rejected = BTreeMap::new();
        let mut errors = BTreeMap::new();
        for (i, &s) in self.statuses.iter().enumerate() {
            let n = sum(&|f| self.fleets[f].by_status[i]);
            if s >= 500 {
                errors.insert(s, n);
            } else {
                rejected.insert(s, n);
            }
        }
        let give_ups: BTreeMap<String, u64> = REASONS
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_str().to_string(), sum(&|f| self.fleets[f].give_ups[i])))
            .collect();
        let mut hist =
            Histogram::<u64>::new_from(&self.fleets[fleets.first().copied().unwrap_or(0)].latency);
        for &f in fleets {
            // Same bounds by construction: adding cannot fail.
            let _ = hist.add(&self.fleets[f].latency);
        }
        let secs = inputs.duration.as_secs_f64();
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let recovery = inputs.fault.and_then(|(start, end)| {
            recovery(
                &self.successes_series(fleets),
                self.bucket,
                start,
                end,
                inputs.recovery_window,
            )
        });
        Summary {
            clients: inputs.clients,
            logical_requests: logical,
            offered_rps: per_sec(logical),
            attempts,
            first_attempts: first,
            retries,
            hedges,
            hedge_wins: sum(&|f| self.fleets[f].hedge_wins),
            hedge_abandoned: sum(&|f| self.fleets[f].hedge_abandoned),
            retry_amplification: ratio(attempts, logical),
            admitted: sum(&|f| self.fleets[f].admitted),
            rejected_total: rejected.values().sum(),
            rejected,
            server_errors_total: errors.values().sum(),
            server_errors: errors,
            timeouts: sum(&|f| self.fleets[f].timeouts),
            successes,
            goodput_rps: per_sec(successes),
            success_ratio: ratio(successes, logical),
            give_ups_total: give_ups.values().sum(),
            give_ups,
            in_flight_at_end: sum(&|f| self.fleets[f].in_flight),
            latency: latency_of(&hist),
            fairness_clients: inputs.fairness_clients,
            fairness_tenants: inputs.fairness_tenants,
            duplicates_executed: sum(&|f| self.fleets[f].duplicates),
            wasted_attempts: sum(&|f| self.fleets[f].wasted_attempts),
            wasted_work_s: sum(&|f| self.fleets[f].wasted_ns) as f64 / 1e9,
            recovery,
        }
    }

    /// Time-series rows of `fleets` summed; `with_server` adds the server's gauges (for the
    /// total rows).
    pub fn series(&self, fleets: &[usize], with_server: bool) -> Vec<SeriesRow> {
        let bs = self.bucket.as_secs_f64();
        let latency = self.latency_percentiles(fleets);
        (0..self.nbuckets)
            .map(|b| {
                let base = b * self.width;
                let get = |c: usize| -> u64 {
                    fleets
                        .iter()
                        .map(|&f| u64::from(self.fleets[f].buckets[base + c]))
                        .sum()
                };
                let mut rejected = BTreeMap::new();
                let mut errors = BTreeMap::new();
                for (i, &s) in self.statuses.iter().enumerate() {
                    let n = get(col::STATUS0 + i);
                    if s >= 500 {
                        errors.insert(s, n);
                    } else {
                        rejected.insert(s, n);
                    }
                }
                let g: ServerGauges = self.server[b];
                let lat = latency.get(b / self.latency_every).copied().flatten();
                SeriesRow {
                    t_s: b as f64 * bs,
                    first_attempts: get(col::FIRST),
                    retries: get(col::RETRY),
                    hedges: get(col::HEDGE),
                    admitted: get(col::ADMIT),
                    rejected,
                    server_errors: errors,
                    timeouts: get(col::TIMEOUT),
                    successes: get(col::SUCCESS),
                    give_ups: get(col::GIVE_UP),
                    in_flight: get(col::IN_FLIGHT),
                    queue_len: with_server.then_some(g.queue_len),
                    busy: with_server.then_some(g.busy),
                    limiter_remaining: if with_server {
                        g.limiter.map(|l| l.0)
                    } else {
                        None
                    },
                    limiter_limit: if with_server {
                        g.limiter.map(|l| l.1)
                    } else {
                        None
                    },
                    latency_p50_ms: lat.map(|l| l[0]),
                    latency_p90_ms: lat.map(|l| l[1]),
                    latency_p99_ms: lat.map(|l| l[2]),
                }
            })
            .collect()
    }

    /// p50, p90, p99 (ms) of each latency row, `fleets` summed.
    fn latency_percentiles(&self, fleets: &[usize]) -> Vec<Option<[f64; 3]>> {
        let mut row = vec![0u32; loghist::BINS];
        (0..self.latency_rows)
            .map(|r| {
                row.fill(0);
                let span = r * loghist::BINS..(r + 1) * loghist::BINS;
                for &f in fleets {
                    for (acc, &c) in row
                        .iter_mut()
                        .zip(&self.fleets[f].bucket_latency[span.clone()])
                    {
                        *acc = acc.saturating_add(c);
                    }
                }
                let q = |q: f64| loghist::quantile(&row, q).map(|us| us / 1_000.0);
                Some([q(0.5)?, q(0.9)?, q(0.99)?])
            })
            .collect()
    }
}
