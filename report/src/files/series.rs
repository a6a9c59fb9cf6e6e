//! `timeseries.csv`: one row per bucket and per fleet, plus `all` rows (the totals, with the
//! server's gauges), in long ("tidy") form so polars or pandas can pivot it directly.

use super::num;
use sim::metrics::{RunResult, SeriesRow};
use std::collections::BTreeSet;

/// Header and rows of `timeseries.csv`.
pub(crate) fn rows(r: &RunResult) -> Vec<Vec<String>> {
    let groups: Vec<(&str, &[SeriesRow])> = std::iter::once(("all", r.series.total.as_slice()))
        .chain(
            r.series
                .fleets
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice())),
        )
        .collect();
    let all_rows = || groups.iter().flat_map(|(_, v)| v.iter());
    let rejected: BTreeSet<u16> = all_rows()
        .flat_map(|row| row.rejected.keys().copied())
        .collect();
    let errors: BTreeSet<u16> = all_rows()
        .flat_map(|row| row.server_errors.keys().copied())
        .collect();

    let mut header: Vec<String> = ["fleet", "t_s", "first_attempts", "retries", "admitted"]
        .map(String::from)
        .to_vec();
    header.extend(rejected.iter().map(|s| format!("rejected_{s}")));
    header.extend(errors.iter().map(|s| format!("server_errors_{s}")));
    header.extend(
        [
            "timeouts",
            "successes",
            "give_ups",
            "in_flight",
            "queue_len",
            "busy",
            "limiter_remaining",
            "limiter_limit",
        ]
        .map(String::from),
    );
    let opt = |v: Option<u64>| v.map_or(String::new(), |x| x.to_string());
    let mut out = vec![header];
    for (name, series) in &groups {
        for row in *series {
            let mut rec = vec![
                name.to_string(),
                num(Some(row.t_s)),
                row.first_attempts.to_string(),
                row.retries.to_string(),
                row.admitted.to_string(),
            ];
            rec.extend(
                rejected
                    .iter()
                    .map(|k| row.rejected.get(k).copied().unwrap_or(0).to_string()),
            );
            rec.extend(
                errors
                    .iter()
                    .map(|k| row.server_errors.get(k).copied().unwrap_or(0).to_string()),
            );
            rec.extend([
                row.timeouts.to_string(),
                row.successes.to_string(),
                row.give_ups.to_string(),
                row.in_flight.to_string(),
                opt(row.queue_len),
                opt(row.busy),
                opt(row.limiter_remaining),
                opt(row.limiter_limit),
            ]);
            out.push(rec);
        }
    }
    out
}
