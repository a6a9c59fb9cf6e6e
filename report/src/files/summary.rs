//! `summary.json`: every figure, nested as in [`RunResult`]. The flat form (one row per fleet
//! plus an `all` row, one column per figure) is the `summary` table of `crate::tables`.

use crate::tables::jain_max_min_of;
use serde::Serialize;
use sim::metrics::{KeyedLevel, RunResult, Summary, TenantRow};
use std::collections::BTreeMap;

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
    /// Levels with their keys in bounded memory (`max_keys`): keys held, evictions.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    keyed: &'a [KeyedLevel],
    /// Replicas behind a balancer (`[deployment]`): over- and under-admission, store figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment: Option<&'a sim::server::deployment::DeploymentFigures>,
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
            keyed: &r.keyed,
            deployment: r.deployment.as_ref(),
        }
    }
}
