//! One candidate's closed-loop outcome: the replayed run under the candidate and the same run
//! without its levels (the baseline), read per simulated client (a log client in a tenant)
//! from the run's client trace, and per tenant from the run's tenant rows.
//!
//! - *would-be refusals*: attempts answered with a candidate level's refusal status;
//! - *retries induced*: attempts beyond the logical requests, minus the baseline's;
//! - *goodput lost*: the baseline's successful logical requests minus the candidate's;
//! - *first bite*: the first refusal;
//! - *latency added*: per tenant, the candidate's median and 99th percentile latency of
//!   successful logical requests minus the baseline's (first send to final answer: the retry
//!   waits are in it); per client, the mean of the same latency, candidate minus baseline
//!   (each success's latency read from the run's client trace).

use super::layout::{scenario, Layout};
use limiters::Nanos;
use sim::engine::TraceKind;
use sim::metrics::TenantRow;
use sim::model::Scenario;
use sim::{SimError, Simulation};

/// Figures of one simulated client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairFig {
    /// Logical requests (its originals within the horizon).
    pub demand: u64,
    /// Attempts sent.
    pub attempts: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Attempts refused by the candidate's levels.
    pub refused: u64,
    /// The first refusal.
    pub first: Option<Nanos>,
    /// Attempts in the baseline.
    pub base_attempts: u64,
    /// Successes in the baseline.
    pub base_successes: u64,
    /// Sum of the successes' latencies (ns), candidate.
    pub latency_ns: u128,
    /// The same in the baseline.
    pub base_latency_ns: u128,
}

impl PairFig {
    /// Retries beyond the baseline's.
    pub fn retries_induced(&self) -> i64 {
        (self.attempts.saturating_sub(self.demand) as i64)
            - (self.base_attempts.saturating_sub(self.demand) as i64)
    }

    /// Successes lost against the baseline.
    pub fn goodput_lost(&self) -> i64 {
        self.base_successes as i64 - self.successes as i64
    }

    /// Mean latency of a success added against the baseline (ms); `None` without a success
    /// on either side.
    pub fn mean_latency_added_ms(&self) -> Option<f64> {
        let mean = |sum: u128, n: u64| (n > 0).then(|| sum as f64 / n as f64 / 1e6);
        Some(
            mean(self.latency_ns, self.successes)?
                - mean(self.base_latency_ns, self.base_successes)?,
        )
    }

    /// Add `o` (a client in several tenants, a tenant's clients).
    pub fn add(&mut self, o: &PairFig) {
        self.demand += o.demand;
        self.attempts += o.attempts;
        self.successes += o.successes;
        self.refused += o.refused;
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.base_attempts += o.base_attempts;
        self.base_successes += o.base_successes;
        self.latency_ns += o.latency_ns;
        self.base_latency_ns += o.base_latency_ns;
    }
}

/// A tenant's latency, candidate and baseline (ms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantLatency {
    /// Median and 99th percentile under the candidate.
    pub cand: (Option<f64>, Option<f64>),
    /// The same in the baseline.
    pub base: (Option<f64>, Option<f64>),
}

/// One candidate's outcome.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per pair.
    pub pairs: Vec<PairFig>,
    /// Per tenant name (as the log names it): latency.
    pub latency: Vec<(String, TenantLatency)>,
    /// Simulator events of the candidate's run.
    pub events: u64,
}

/// The tenant name of a row: fleets name tenants `<prefix>-<n>`, one each here.
fn tenant_name(row: &TenantRow) -> String {
    row.tenant
        .strip_suffix("-0")
        .unwrap_or(&row.tenant)
        .to_string()
}

/// Replay `layout` against `candidate` for `duration` (epoch: Unix seconds of time 0).
pub fn run(
    candidate: &Scenario,
    layout: &Layout,
    duration: Nanos,
    epoch: u64,
    seed: u64,
) -> Result<Outcome, SimError> {
    let statuses: Vec<u16> = candidate.server.levels.iter().map(|l| l.status).collect();
    let s = scenario(candidate, layout, duration, epoch, false);
    let (r, trace) = Simulation::new(&s, seed).run_traced()?;
    let pairs_n = layout.originals.len();
    let mut pairs = vec![PairFig::default(); pairs_n];
    for e in &trace {
        let p = layout.members[e.fleet as usize][e.client as usize] as usize;
        let f = &mut pairs[p];
        match e.kind {
            TraceKind::Arrival => f.demand += 1,
            TraceKind::Attempt { .. } | TraceKind::Hedge { .. } => f.attempts += 1,
            TraceKind::Success { latency_ns } => {
                f.successes += 1;
                f.latency_ns += u128::from(latency_ns);
            }
            TraceKind::Response { status } if statuses.contains(&status) => {
                f.refused += 1;
                f.first.get_or_insert(e.at);
            }
            _ => {}
        }
    }
    let b = scenario(candidate, layout, duration, epoch, true);
    let (base, base_trace) = Simulation::new(&b, seed).run_traced()?;
    for e in &base_trace {
        if let TraceKind::Success { latency_ns } = e.kind {
            let p = layout.members[e.fleet as usize][e.client as usize] as usize;
            pairs[p].base_latency_ns += u128::from(latency_ns);
        }
    }
    let fleet_index = |name: &str| s.fleets.iter().position(|f| f.name == name);
    for row in &base.clients {
        if let Some(fi) = fleet_index(&row.fleet) {
            let p = layout.members[fi][row.index as usize] as usize;
            pairs[p].base_attempts = row.attempts;
            pairs[p].base_successes = row.successes;
        }
    }
    let latency = r
        .tenants
        .iter()
        .map(|t| {
            let b = base.tenants.iter().find(|b| b.tenant == t.tenant);
            (
                tenant_name(t),
                TenantLatency {
                    cand: (t.latency_p50_ms, t.latency_p99_ms),
                    base: b.map_or((None, None), |b| (b.latency_p50_ms, b.latency_p99_ms)),
                },
            )
        })
        .collect();
    Ok(Outcome {
        pairs,
        latency,
        events: r.events,
    })
}
