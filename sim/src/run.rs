//! The entry point: [`run`] a scenario with a seed, or configure a [`Simulation`] (a custom
//! limiter registry, fleet gates, a progress callback). Pure and deterministic: no I/O, no
//! clock; the same scenario and seed give the same [`RunResult`], byte for byte once
//! serialised.

use crate::engine::{Progress, TraceEvent, World};
use crate::metrics::{
    jain_of_ratios, recovery_of_fleets, recovery_window, Arrivals, ClientRow, RunResult, Series,
    SummaryInputs, TenantRow,
};
use crate::model::{ModelError, Scenario};
use crate::retry::ClientGate;
use limiters::{LimiterError, Nanos, Registry};
use std::collections::BTreeMap;
use std::sync::Arc;
use thiserror::Error;

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimError {
    /// The scenario is invalid.
    #[error("invalid scenario: {0}")]
    Model(#[from] ModelError),
    /// A limiter failed while running.
    #[error("limiter: {0}")]
    Limiter(#[from] LimiterError),
    /// A gate was given for a fleet the scenario does not have.
    #[error("no fleet named `{0}` to attach a gate to")]
    UnknownFleet(String),
    /// Simulated time stopped advancing: more events at one instant than any client could
    /// cause by every attempt its policy allows (see `World::stall_limit`).
    #[error(
        "simulated time stopped advancing at {at}: {events} events in a row at that instant; \
         something loops without a delay (a think time, network delay or retry backoff that is \
         almost always zero)"
    )]
    Stalled {
        /// The instant.
        at: Nanos,
        /// Events processed at it.
        events: u64,
    },
}

/// Run `scenario` with `seed` and the built-in limiters.
///
/// ```
/// use sim::model::{Arrival, Fleet, Scenario};
/// use limiters::Nanos;
/// let mut s = Scenario::new("tiny");
/// s.duration = Nanos::from_secs(10);
/// s.fleets.push(Fleet::new("web", 5, Arrival::Poisson { rate: "2/s".parse().unwrap() }));
/// let r = sim::run(&s, 1).unwrap();
/// assert_eq!(r.summary.successes, r.summary.logical_requests);
/// assert!(r.summary.logical_requests > 50);
/// ```
pub fn run(scenario: &Scenario, seed: u64) -> Result<RunResult, SimError> {
    Simulation::new(scenario, seed).run()
}

/// A configured run.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    seed: u64,
    registry: Option<&'a Registry>,
    gates: BTreeMap<String, Box<dyn ClientGate>>,
    progress: Option<&'a mut dyn FnMut(Progress)>,
    trace: bool,
    network_replica: u64,
}

impl std::fmt::Debug for Simulation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("scenario", &self.scenario.name)
            .field("seed", &self.seed)
            .field("gates", &self.gates.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> Simulation<'a> {
    /// A run of `scenario` with `seed`.
    pub fn new(scenario: &'a Scenario, seed: u64) -> Simulation<'a> {
        Simulation {
            scenario,
            seed,
            registry: None,
            gates: BTreeMap::new(),
            progress: None,
            trace: false,
            network_replica: 0,
        }
    }

    /// Draw the network delays from replica `r` of the run's network stream (0, the default:
    /// the run's own). Everything else (arrivals, jitter, service times, faults) keeps its
    /// draws, so the replicas of a run differ only in the network's timing noise: how far a
    /// figure moves with them measures how sensitive the scenario is to timing (`check-live`
    /// judges a live run against that spread).
    pub fn network_replica(mut self, r: u64) -> Self {
        self.network_replica = r;
        self
    }

    /// Use `registry` instead of [`Registry::builtin`].
    pub fn registry(mut self, registry: &'a Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Attach a fleet-wide gate (retry budget, circuit breaker) to fleet `fleet`.
    pub fn gate(mut self, fleet: &str, gate: Box<dyn ClientGate>) -> Self {
        self.gates.insert(fleet.to_string(), gate);
        self
    }

    /// Call `cb` every 262,144 events.
    pub fn progress(mut self, cb: &'a mut dyn FnMut(Progress)) -> Self {
        self.progress = Some(cb);
        self
    }

    /// Validate and run.
    pub fn run(self) -> Result<RunResult, SimError> {
        self.run_inner().map(|(r, _)| r)
    }

    /// Validate and run, keeping a trace of every client step (memory grows with the run).
    pub fn run_traced(mut self) -> Result<(RunResult, Vec<TraceEvent>), SimError> {
        self.trace = true;
        self.run_inner().map(|(r, t)| (r, t.unwrap_or_default()))
    }

    fn run_inner(self) -> Result<(RunResult, Option<Vec<TraceEvent>>), SimError> {
        let builtin;
        let registry = match self.registry {
            Some(r) => r,
            None => {
                builtin = Registry::builtin();
                &builtin
            }
        };
        let s = self.scenario;
        s.validate(registry)?;
        let mut world = World::new(s, self.seed, registry)?;
        if self.network_replica != 0 {
            world.net_draws = crate::engine::Crn::named(
                self.seed,
                crate::engine::Purpose::Network,
                &format!("network/replica/{}", self.network_replica),
            );
        }
        if self.trace {
            world.trace = Some(Vec::new());
        }
        for (name, gate) in self.gates {
            let f = world
                .fleets
                .iter_mut()
                .find(|f| f.name == name)
                .ok_or(SimError::UnknownFleet(name))?;
            f.gate = Some(gate);
        }
        let mut noop = |_: Progress| {};
        let cb: &mut dyn FnMut(Progress) = match self.progress {
            Some(cb) => cb,
            None => &mut noop,
        };
        world.run(cb)?;
        let mut result = assemble(s, self.seed, &world);
        let ids = &world.ids;
        let name = |t: u32| ids.tenant_name(t);
        result.deployment = world.deployment.take().map(|d| d.finish(s.duration, &name));
        Ok((result, world.trace.take()))
    }
}

/// The fault window (first start, last end) over the faults and the windows of trigger
/// fleets (load spikes), if the scenario has any.
fn fault_window(s: &Scenario) -> Option<(Nanos, Nanos)> {
    let windows = s
        .faults
        .iter()
        .map(|f| (f.start, f.end()))
        .chain(s.fleets.iter().filter_map(|f| f.trigger_window(s.duration)));
    windows.fold(None, |acc, (a, b)| match acc {
        None => Some((a, b)),
        Some((x, y)) => Some((x.min(a), y.max(b))),
    })
}

fn assemble(s: &Scenario, seed: u64, w: &World) -> RunResult {
    let fault = fault_window(s);
    let recovery_window = recovery_window(s);
    // Per-tenant totals over all fleets: tenant id -> (clients, demand, successes, attempts, give-ups).
    let mut tenants: BTreeMap<u32, [u64; 5]> = BTreeMap::new();
    let mut fleet_tenants: Vec<BTreeMap<u32, (u64, u64)>> = vec![BTreeMap::new(); w.fleets.len()];
    let mut clients = Vec::with_capacity(w.clients.len());
    // One shared name per tenant and per fleet, however many rows name it.
    let mut tenant_names: BTreeMap<u32, Arc<str>> = BTreeMap::new();
    // Tenant id -> its slot in the recorder's per-tenant counters.
    let mut slots: BTreeMap<u32, u32> = BTreeMap::new();
    for (fi, f) in w.fleets.iter().enumerate() {
        let fleet: Arc<str> = Arc::from(f.name.as_str());
        for i in 0..f.count {
            let c = f.first + i;
            let cs = &w.clients[c as usize];
            let tenant = f.identity.tenant(i);
            slots.insert(tenant, cs.tenant);
            let t = tenants.entry(tenant).or_insert([0; 5]);
            t[0] += 1;
            t[1] += u64::from(cs.demand);
            t[2] += u64::from(cs.successes);
            t[3] += u64::from(cs.attempts);
            t[4] += u64::from(cs.give_ups);
            let ft = fleet_tenants[fi].entry(tenant).or_insert((0, 0));
            ft.0 += u64::from(cs.successes);
            ft.1 += u64::from(cs.demand);
            clients.push(ClientRow {
                client: c,
                fleet: Arc::clone(&fleet),
                index: i,
                tenant: Arc::clone(
                    tenant_names
                        .entry(tenant)
                        .or_insert_with(|| Arc::from(w.ids.tenant_name(tenant))),
                ),
                key: w.ids.key_name(f.identity.key(i)),
                demand: u64::from(cs.demand),
                successes: u64::from(cs.successes),
                attempts: u64::from(cs.attempts),
                give_ups: u64::from(cs.give_ups),
            });
        }
    }
    let client_pairs = |range: std::ops::Range<usize>| {
        jain_of_ratios(
            w.clients[range]
                .iter()
                .map(|c| (u64::from(c.successes), u64::from(c.demand))),
        )
    };
    let mut fleets = BTreeMap::new();
    let mut series_fleets = BTreeMap::new();
    for (fi, f) in w.fleets.iter().enumerate() {
        let range = f.first as usize..(f.first + f.count) as usize;
        let inputs = SummaryInputs {
            clients: u64::from(f.count),
            duration: s.duration,
            fairness_clients: client_pairs(range),
            fairness_tenants: jain_of_ratios(fleet_tenants[fi].values().copied()),
            fault,
            recovery_window,
        };
        fleets.insert(f.name.clone(), w.rec.summary(&[fi], inputs));
        series_fleets.insert(f.name.clone(), w.rec.series(&[fi], false));
    }
    let all: Vec<usize> = (0..w.fleets.len()).collect();
    let mut summary = w.rec.summary(
        &all,
        SummaryInputs {
            clients: w.clients.len() as u64,
            duration: s.duration,
            fairness_clients: client_pairs(0..w.clients.len()),
            fairness_tenants: jain_of_ratios(tenants.values().map(|t| (t[2], t[1]))),
            // Set below from the fleets' verdicts.
            fault: None,
            recovery_window,
        },
    );
    // The run's recovery is its fleets' verdict, not that of their summed goodput.
    summary.recovery = recovery_of_fleets(
        fleets
            .iter()
            .map(|(n, f)| (n.as_str(), f.recovery.as_ref())),
    );
    let mut tenant_rows: Vec<TenantRow> = tenants
        .iter()
        .map(|(id, t)| {
            let mut row = TenantRow::from_counts(w.ids.tenant_name(*id), *t);
            w.rec.fill_tenant(slots[id] as usize, &mut row);
            row
        })
        .collect();
    tenant_rows.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    RunResult {
        scenario: s.name.clone(),
        seed,
        duration_s: s.duration.as_secs_f64(),
        events: w.events,
        summary,
        fleets,
        series: Series {
            bucket_s: s.bucket.as_secs_f64(),
            latency_bucket_s: s.bucket.as_secs_f64() * w.rec.latency_every as f64,
            limiter_scope: s.server.levels.first().map(|l| {
                match l.scope {
                    crate::model::Scope::Global => "global",
                    crate::model::Scope::Key => "hottest key",
                    crate::model::Scope::Tenant => "hottest tenant",
                }
                .to_owned()
            }),
            total: w.rec.series(&all, true),
            fleets: series_fleets,
        },
        clients,
        tenants: tenant_rows,
        retry_delays: w
            .fleets
            .iter()
            .enumerate()
            .map(|(fi, f)| (f.name.clone(), w.rec.fleets[fi].delays.result()))
            .collect(),
        arrivals: Arrivals {
            resolution_s: w.rec.arrivals.res.as_secs_f64(),
            fleets: w
                .fleets
                .iter()
                .enumerate()
                .map(|(fi, f)| (f.name.clone(), w.rec.arrivals.fleet(fi).to_vec()))
                .collect(),
        },
        live: false,
        keyed: w.server.keyed_figures(),
        deployment: None,
    }
}
