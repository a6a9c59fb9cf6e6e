//! `summary.json` (every figure, nested as in [`RunResult`]) and `summary.csv` (one flat row
//! per fleet plus an `all` row, one column per figure).

use super::num;
use crate::tables::jain_max_min_of;
use serde::Serialize;
use sim::metrics::{RunResult, Summary, TenantRow};
use std::collections::{BTreeMap, BTreeSet};

/// The JSON document: the run's figures without the bulky series and per-client rows (those
/// are in the CSV files).
#[derive(Debug, Serialize)]
pub(crate) struct SummaryJson<'a> {
    scenario: &'a str,
    seed: u64,
    duration_s: f64,
    events: u64,
    summary: WithJain<'a>,
    fleets: BTreeMap<&'a str, WithJain<'a>>,
    tenants: &'a [TenantRow],
}

/// A summary with the figures the report derives from the run: `jain_max_min` (Jain's index
/// of tenants' successes against their max-min fair shares, see
/// [`crate::tables::jain_max_min_of`]).
#[derive(Debug, Serialize)]
struct WithJain<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    jain_max_min: Option<f64>,
}

impl SummaryJson<'_> {
    pub(crate) fn of(r: &RunResult) -> SummaryJson<'_> {
        let (all, fleets) = jain_max_min_of(r);
        SummaryJson {
            scenario: &r.scenario,
            seed: r.seed,
            duration_s: r.duration_s,
            events: r.events,
            summary: WithJain {
                summary: &r.summary,
                jain_max_min: all,
            },
            fleets: r
                .fleets
                .iter()
                .map(|(n, s)| {
                    let n: &str = n.as_ref();
                    (
                        n,
                        WithJain {
                            summary: s,
                            jain_max_min: fleets.get(n).copied().flatten(),
                        },
                    )
                })
                .collect(),
            tenants: &r.tenants,
        }
    }
}

/// Header and rows of `summary.csv`.
pub(crate) fn rows(r: &RunResult) -> Vec<Vec<String>> {
    let (jain_all, jain_fleets) = jain_max_min_of(r);
    let all: Vec<(&str, &Summary, Option<f64>)> = r
        .fleets
        .iter()
        .map(|(n, s)| {
            let n: &str = n.as_ref();
            (n, s, jain_fleets.get(n).copied().flatten())
        })
        .chain([("all", &r.summary, jain_all)])
        .collect();
    let rejected: BTreeSet<u16> = all
        .iter()
        .flat_map(|(_, s, _)| s.rejected.keys().copied())
        .collect();
    let errors: BTreeSet<u16> = all
        .iter()
        .flat_map(|(_, s, _)| s.server_errors.keys().copied())
        .collect();
    let reasons: BTreeSet<&str> = all
        .iter()
        .flat_map(|(_, s, _)| s.give_ups.keys().map(String::as_str))
        .collect();

    let mut header: Vec<String> = [
        "fleet",
        "clients",
        "logical_requests",
        "offered_rps",
        "attempts",
        "first_attempts",
        "retries",
        "hedges",
        "hedge_wins",
        "hedge_abandoned",
        "retry_amplification",
        "admitted",
        "rejected_total",
    ]
    .map(String::from)
    .to_vec();
    header.extend(rejected.iter().map(|s| format!("rejected_{s}")));
    header.push("server_errors_total".into());
    header.extend(errors.iter().map(|s| format!("server_errors_{s}")));
    header.extend(
        [
            "timeouts",
            "successes",
            "goodput_rps",
            "success_ratio",
            "give_ups_total",
        ]
        .map(String::from),
    );
    header.extend(reasons.iter().map(|r| format!("give_ups_{r}")));
    header.extend(
        [
            "in_flight_at_end",
            "latency_count",
            "latency_mean_ms",
            "latency_p50_ms",
            "latency_p90_ms",
            "latency_p99_ms",
            "latency_p999_ms",
            "latency_max_ms",
            "fairness_clients",
            "fairness_tenants",
            "jain_max_min",
            "duplicates_executed",
            "wasted_attempts",
            "wasted_work_s",
            "recovered",
            "time_to_recover_s",
        ]
        .map(String::from),
    );

    let mut out = vec![header];
    for (name, s, jain) in all {
        let mut row = vec![
            name.to_string(),
            s.clients.to_string(),
            s.logical_requests.to_string(),
            num(Some(s.offered_rps)),
            s.attempts.to_string(),
            s.first_attempts.to_string(),
            s.retries.to_string(),
            s.hedges.to_string(),
            s.hedge_wins.to_string(),
            s.hedge_abandoned.to_string(),
            num(Some(s.retry_amplification)),
            s.admitted.to_string(),
            s.rejected_total.to_string(),
        ];
        row.extend(
            rejected
                .iter()
                .map(|k| s.rejected.get(k).copied().unwrap_or(0).to_string()),
        );
        row.push(s.server_errors_total.to_string());
        row.extend(
            errors
                .iter()
                .map(|k| s.server_errors.get(k).copied().unwrap_or(0).to_string()),
        );
        row.extend([
            s.timeouts.to_string(),
            s.successes.to_string(),
            num(Some(s.goodput_rps)),
            num(Some(s.success_ratio)),
            s.give_ups_total.to_string(),
        ]);
        row.extend(
            reasons
                .iter()
                .map(|k| s.give_ups.get(*k).copied().unwrap_or(0).to_string()),
        );
        let l = s.latency.as_ref();
        row.extend([
            s.in_flight_at_end.to_string(),
            l.map_or(0, |l| l.count).to_string(),
            num(l.map(|l| l.mean_ms)),
            num(l.map(|l| l.p50_ms)),
            num(l.map(|l| l.p90_ms)),
            num(l.map(|l| l.p99_ms)),
            num(l.map(|l| l.p999_ms)),
            num(l.map(|l| l.max_ms)),
            num(s.fairness_clients),
            num(s.fairness_tenants),
            num(jain),
            s.duplicates_executed.to_string(),
            s.wasted_attempts.to_string(),
            num(Some(s.wasted_work_s)),
            s.recovery
                .as_ref()
                .map_or(String::new(), |r| r.recovered.to_string()),
            num(s.recovery.as_ref().and_then(|r| r.time_to_recover_s)),
        ]);
        out.push(row);
    }
    out
}
