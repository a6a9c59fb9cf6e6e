//! Adapters from a run's whole-run summaries (per fleet and per tenant) to the charts that
//! do not run over time: latency percentiles by fleet and demand served per tenant.
//!
//! Kept apart from the time-series adapters because these read the summaries, where the
//! thresholds below decide what is worth drawing.

use crate::charts::fairness::FairnessBar;
use crate::charts::{Fairness, LatencyPercentiles, PercentileCurve};
use sim::metrics::RunResult;
use std::collections::BTreeMap;

/// Most bars the fairness chart draws per tenant before falling back to one bar per fleet.
pub const MAX_FAIRNESS_BARS: usize = 60;

/// Successes a fleet needs before its p99.99 is drawn: with fewer, the 99.99th percentile is
/// just the largest sample.
pub const MIN_COUNT_P9999: u64 = 10_000;

/// Percentile curves per fleet from the summaries' latency figures.
pub fn percentile_data(r: &RunResult) -> LatencyPercentiles {
    let curves = r
        .fleets
        .iter()
        .filter_map(|(name, s)| {
            let l = s.latency.as_ref()?;
            let mut points = vec![
                (50.0, l.p50_ms),
                (90.0, l.p90_ms),
                (99.0, l.p99_ms),
                (99.9, l.p999_ms),
            ];
            if l.count >= MIN_COUNT_P9999 {
                points.push((99.99, l.p9999_ms));
            }
            Some(PercentileCurve {
                name: name.clone(),
                points,
            })
        })
        .collect();
    LatencyPercentiles {
        title: format!("{}: latency percentiles by fleet", r.scenario),
        curves,
    }
}

/// Fairness bars: one per tenant (coloured by the fleet of its clients), or one per fleet when
/// there are more than [`MAX_FAIRNESS_BARS`] tenants.
pub fn fairness_data(r: &RunResult) -> Fairness {
    let mut tenant_fleet: BTreeMap<&str, &str> = BTreeMap::new();
    for c in &r.clients {
        tenant_fleet
            .entry(&*c.tenant)
            .and_modify(|f| {
                if *f != &*c.fleet {
                    *f = "mixed fleets";
                }
            })
            .or_insert(&*c.fleet);
    }
    let per_tenant = r.tenants.len() <= MAX_FAIRNESS_BARS && r.tenants.len() > 1;
    let bars = if per_tenant {
        r.tenants
            .iter()
            .map(|t| FairnessBar {
                label: t.tenant.clone(),
                fleet: tenant_fleet
                    .get(t.tenant.as_str())
                    .copied()
                    .unwrap_or("?")
                    .to_owned(),
                demand: t.demand,
                served: t.successes,
            })
            .collect()
    } else {
        r.fleets
            .iter()
            .map(|(name, s)| FairnessBar {
                label: name.clone(),
                fleet: name.clone(),
                demand: s.logical_requests,
                served: s.successes,
            })
            .collect()
    };
    Fairness {
        title: format!(
            "{}: demand served per {}",
            r.scenario,
            if per_tenant { "tenant" } else { "fleet" }
        ),
        group_kind: if per_tenant { "tenant" } else { "fleet" }.to_owned(),
        bars,
        jain: if per_tenant {
            r.summary.fairness_tenants
        } else {
            None
        },
        jain_clients: r.summary.fairness_clients,
    }
}
