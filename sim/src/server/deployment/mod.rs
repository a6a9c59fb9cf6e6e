//! A deployment: N replicas of the server behind a balancer, and where each limiter level's
//! state lives (issue #15: "three pods at 60/min, synced every 10 s: how far over the limit
//! will we go?").
//!
//! Each replica is a whole [`Server`] (its own backend, workers, queue and faults) holding the
//! levels whose state is its own (`local`, `split`); the levels whose state is shared
//! (`central`, `synced`) are held here ([`SharedLevel`]) and decided first, as a gateway's
//! global rate-limit call precedes the route. A store's round trip is an event on the run's
//! one queue ([`crate::engine::Event::StoreReply`]), and so is a periodic sync
//! ([`crate::engine::Event::StoreSync`]): there is no second clock.
//!
//! A replica's `fail` window answers 502 to what the balancer still sends it, until its health
//! checks notice (`health_check_delay` after the failure); a `drain` takes it out of rotation at
//! once. Attempts already in a failed replica's backend still complete (the model does not
//! kill in-flight work). Job ids carry the replica in their top 8 bits.
//!
//! Here: the run-time deployment and its construction; an attempt's way through it is in
//! [`route`], the store's side (shared decisions, syncs, lease renewals) in [`store`].

mod balancer;
mod figures;
mod lease;
mod route;
mod share;
mod store;

pub use balancer::BalancerRt;
pub use figures::{replica_jain, DeploymentFigures, GroupFigures, LevelFigures, Recorder};
pub use lease::{proportional_share, Leases};
pub use share::{limit_of, split_params, store_state, SharedLevel};

use super::{JobMeta, Server};
use crate::engine::{Event, EventQueue, Purpose, Sampler, Stream};
use crate::model::{Deployment, EventKind, Placement, Scenario};
use limiters::{LimiterError, Nanos, Registry};

/// The `replica` of a [`Event::StoreSync`] that is a `leases` level's renewal at the store (the
/// other values are a grant's reply reaching that replica).
const RENEW: u32 = u32::MAX;

/// Bits of a job id below the replica index.
const JOB_BITS: u32 = 24;
const JOB_MASK: u32 = (1 << JOB_BITS) - 1;

/// What became of an attempt the deployment received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// Answered at once (the response was written).
    Answered,
    /// Admitted into a replica's backend: answered later.
    InBackend,
    /// Waiting for the store's reply ([`DeploymentRt::store_reply`]).
    AtStore,
}

/// A refusal by a shared level: its status and its decision (none for a store that failed
/// closed).
type Refusal = Option<(u16, Option<limiters::Decision>)>;

/// An attempt waiting for the store.
#[derive(Clone, Copy, Debug)]
struct Waiting {
    meta: JobMeta,
    replica: u32,
    denied: Refusal,
}

/// A deployment at run time.
#[derive(Debug)]
pub struct DeploymentRt {
    cfg: Deployment,
    replicas: Vec<Server>,
    shared: Vec<SharedLevel>,
    balancer: BalancerRt,
    outstanding: Vec<u32>,
    waiting: Vec<Option<Waiting>>,
    free: Vec<u32>,
    rtt: Vec<Sampler>,
    draws: Stream,
    up: Vec<u32>,
    /// No replica ever fails or drains: `up` is every replica, for the whole run.
    always_up: bool,
    /// The figures.
    pub rec: Recorder,
}

impl DeploymentRt {
    /// Build the replicas of `s` (which has a deployment) for a run with `seed`.
    pub fn new(
        s: &Scenario,
        d: &Deployment,
        seed: u64,
        registry: &Registry,
    ) -> Result<DeploymentRt, (usize, LimiterError)> {
        let n = d.replicas;
        let mut own_cfg = s.server.clone();
        own_cfg.levels.clear();
        let mut shared = Vec::new();
        for (i, l) in s.server.levels.iter().enumerate() {
            match d.placement.get(i).unwrap_or(&Placement::Local) {
                Placement::Local => own_cfg.levels.push(l.clone()),
                Placement::Split => {
                    let mut l = l.clone();
                    l.params = split_params(&l.params, n).map_err(|e| (i, e))?;
                    own_cfg.levels.push(l);
                }
                p => shared.push(SharedLevel::build(i, l, p, n, registry)?),
            }
        }
        let names: Vec<&str> = s.fleets.iter().map(|f| f.name.as_str()).collect();
        let mut replicas = Vec::with_capacity(n as usize);
        for r in 0..n {
            // Each replica draws service times and fault coins per attempt identity from the
            // run's seed, as the one server does: the same attempt meets the same draws. A
            // fault with a `replica` is in that replica's backend only.
            let faults: Vec<_> = (s.faults.iter().enumerate())
                .filter(|(i, _)| d.fault_hits(*i, r))
                .map(|(_, f)| f.clone())
                .collect();
            let mut server = Server::new(&own_cfg, registry, &faults, seed)?;
            server.set_upstreams(&s.server.upstreams, seed);
            server.bind_fleets(&names);
            server.on_calendar(s.epoch);
            server.set_job_tag(r << JOB_BITS);
            replicas.push(server);
        }
        for sl in &mut shared {
            sl.central.bind_fleets(&names);
            sl.central.on_calendar(s.epoch);
            for o in &mut sl.own {
                o.bind_fleets(&names);
                o.on_calendar(s.epoch);
            }
        }
        let states: Vec<&str> = (0..s.server.levels.len())
            .map(|i| d.placement.get(i).map_or("local", Placement::as_str))
            .collect();
        let mut rec = Recorder::new(&s.server.levels, &states, n, d.balancer.as_str(), registry)?;
        rec.bind_fleets(&names);
        Ok(DeploymentRt {
            rtt: shared.iter().map(|l| Sampler::new(&l.store.rtt)).collect(),
            cfg: d.clone(),
            balancer: BalancerRt::new(&d.balancer, seed),
            outstanding: vec![0; n as usize],
            replicas,
            shared,
            waiting: Vec::new(),
            free: Vec::new(),
            draws: Stream::derive(seed, Purpose::Store, "deployment", 0),
            up: (0..n).collect(),
            always_up: !d
                .events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Fail | EventKind::Drain)),
            rec,
        })
    }

    /// The first sync of every `synced` level with an interval, to schedule at time 0.
    pub fn first_syncs(&self) -> Vec<(Nanos, Event)> {
        let mut out = Vec::new();
        for (j, sl) in self.shared.iter().enumerate() {
            if let Some(l) = &sl.leases {
                let replica = RENEW;
                out.push((
                    l.period,
                    Event::StoreSync {
                        level: j as u32,
                        replica,
                    },
                ));
            }
            if let Some(i) = sl.interval.filter(|i| !i.is_zero()) {
                for r in 0..self.cfg.replicas {
                    out.push((
                        i,
                        Event::StoreSync {
                            level: j as u32,
                            replica: r,
                        },
                    ));
                }
            }
        }
        out
    }

    /// Times at which a capacity-drop fault starts or ends (the replicas share the faults).
    pub fn capacity_change(&mut self, now: Nanos, q: &mut EventQueue) {
        for r in &mut self.replicas {
            r.capacity_change(now, q);
        }
    }

    /// Whether replica `r` is down at `now`, and whether the balancer knows it.
    pub(super) fn health(&self, r: u32, now: Nanos) -> (bool, bool) {
        let mut down = false;
        let mut known = false;
        for e in self
            .cfg
            .events
            .iter()
            .filter(|e| e.replica == Some(r) && e.active(now))
        {
            match e.kind {
                EventKind::Fail => {
                    down = true;
                    known |= now >= e.at + self.cfg.health_check_delay;
                }
                EventKind::Drain => known = true,
                _ => {}
            }
        }
        (down, known)
    }

    /// The figures at the end of a run of `duration`, tenants named by `tenant_name`.
    pub fn finish(self, duration: Nanos, tenant_name: &dyn Fn(u32) -> String) -> DeploymentFigures {
        self.rec.finish(duration, tenant_name)
    }

    /// The time series' gauges: queues and workers summed over the replicas, the limiter
    /// state of replica 0's first own level, of the first shared level's store, or, for
    /// `leases`, the room left in every replica's lease (the store side of a `leases` level
    /// decides nothing and holds no limiter: read, the gauge was missing).
    pub(crate) fn gauges(&self, now: Nanos, hot: Option<u32>) -> crate::metrics::ServerGauges {
        let limiter = match self.shared.first() {
            Some(sl) if sl.index == 0 && sl.leases.is_some() => {
                sl.leases.as_ref().map(|l| l.state(now))
            }
            Some(sl) if sl.index == 0 && !sl.synced() => sl.central.first_level_state(now, hot),
            Some(sl) if sl.index == 0 => sl.own[0].first_level_state(now, hot),
            _ => self.replicas[0].limiter_state(now, hot),
        };
        crate::metrics::ServerGauges {
            queue_len: self.replicas.iter().map(|r| u64::from(r.queue_len())).sum(),
            busy: self.replicas.iter().map(|r| u64::from(r.busy())).sum(),
            limiter,
        }
    }
}
