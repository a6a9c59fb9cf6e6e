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

mod balancer;
mod figures;
mod lease;
mod share;

pub use balancer::BalancerRt;
pub use figures::{DeploymentFigures, GroupFigures, LevelFigures, Recorder};
pub use lease::{proportional_share, Leases};
pub use share::{limit_of, split_params, store_state, SharedLevel};

use super::{Admission, JobMeta, Response, Server};
use crate::engine::{Event, EventQueue, Purpose, Sampler, Stream};
use crate::model::{Deployment, EventKind, OnStoreError, Placement, Scenario};
use limiters::{LimiterError, Nanos, Outcome, OutcomeKind, Registry};

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
    fn health(&self, r: u32, now: Nanos) -> (bool, bool) {
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

    /// An attempt arrives at the balancer.
    pub fn receive(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        meta: JobMeta,
        resp: &mut Response,
    ) -> Result<Received, LimiterError> {
        if !self.always_up {
            self.up.clear();
            for r in 0..self.cfg.replicas {
                if !self.health(r, now).1 {
                    self.up.push(r);
                }
            }
        }
        if self.up.is_empty() {
            *resp = Response::rejected(503, None);
            return Ok(Received::Answered);
        }
        let r = self.balancer.pick(meta.key, &self.up, &self.outstanding);
        self.rec.attempt(r);
        if !self.always_up && self.health(r, now).0 {
            self.rec.out.failed_replica_502 += 1;
            *resp = Response::rejected(502, None);
            return Ok(Received::Answered);
        }
        let (latency, denied) = self.decide_shared(now, r, &meta)?;
        self.rec.decision_latency(latency);
        if latency.is_zero() {
            return self.go_on(now, q, r, meta, denied, resp);
        }
        let w = Waiting {
            meta,
            replica: r,
            denied,
        };
        let slot = match self.free.pop() {
            Some(i) => {
                self.waiting[i as usize] = Some(w);
                i
            }
            None => {
                self.waiting.push(Some(w));
                (self.waiting.len() - 1) as u32
            }
        };
        self.outstanding[r as usize] += 1;
        q.push(now + latency, Event::StoreReply { slot });
        Ok(Received::AtStore)
    }

    /// The shared levels' verdict on an attempt at replica `r`, and the latency they add.
    fn decide_shared(
        &mut self,
        now: Nanos,
        r: u32,
        m: &JobMeta,
    ) -> Result<(Nanos, Refusal), LimiterError> {
        let mut latency = Nanos::ZERO;
        let mut denied = None;
        for j in 0..self.shared.len() {
            let sl = &mut self.shared[j];
            let fleet = Some(m.fleet);
            let admission = if let Some(l) = sl.leases.as_mut() {
                // Decided on the replica's lease: no round trip.
                let d = l.admit(r as usize, now, m.cost);
                if d.allowed {
                    Admission::Allowed {
                        first: None,
                        delay: Nanos::ZERO,
                    }
                } else {
                    Admission::Denied {
                        status: sl.status,
                        decision: d,
                    }
                }
            } else if sl.synced() {
                let a = sl.own[r as usize].admit_as(fleet, now, m.key, m.tenant, m.cost)?;
                let allowed = matches!(a, Admission::Allowed { .. });
                if allowed {
                    sl.delta[r as usize].push((m.fleet, m.key, m.tenant, m.cost));
                }
                if sl.interval == Some(Nanos::ZERO) {
                    // Kong's `sync_rate = -1`: the usage is read from the store and the
                    // increment written on every request's way (a round trip each).
                    if allowed {
                        sl.sync(r as usize, now)?;
                    }
                    self.rec.store_call(false);
                    latency += self.rtt[j].sample(&mut self.draws);
                }
                a
            } else if let Some(d) = sl.cached(r as usize, sl.id(m.key, m.tenant), now) {
                // Refused from the replica's over-limit cache: no round trip, no store call.
                Admission::Denied {
                    status: sl.status,
                    decision: d,
                }
            } else {
                let (down, extra) = store_state(&self.cfg.events, r, now);
                let draws = &mut self.draws;
                let rtt = self.rtt[j].sample(draws) + extra;
                let timeout = sl.store.timeout;
                let late = timeout.is_some_and(|t| rtt > t);
                let central = if down {
                    None
                } else {
                    // The store decides (and counts) even a call the replica gives up on.
                    Some(sl.central.admit_as(fleet, now, m.key, m.tenant, m.cost)?)
                };
                self.rec.store_call(down || late);
                latency += match (down, late) {
                    (false, false) => rtt,
                    _ => timeout.unwrap_or(Nanos::ZERO),
                };
                if let (Some(Admission::Denied { decision, .. }), false) = (&central, late) {
                    let id = sl.id(m.key, m.tenant);
                    if let Some(cache) = sl.over.as_mut() {
                        let until = now + decision.retry_after.unwrap_or(decision.reset_after);
                        cache[r as usize].insert(id, (until, *decision));
                    }
                }
                match central {
                    Some(a) if !late => a,
                    _ => match sl.store.on_error {
                        OnStoreError::Open => Admission::Allowed {
                            first: None,
                            delay: Nanos::ZERO,
                        },
                        OnStoreError::Closed => {
                            // Envoy's filter with `failure_mode_deny` answers 500, no limit
                            // headers.
                            denied.get_or_insert((500, None));
                            continue;
                        }
                        OnStoreError::Local => {
                            sl.own[r as usize].admit_as(fleet, now, m.key, m.tenant, m.cost)?
                        }
                    },
                }
            };
            if let Admission::Denied { status, decision } = admission {
                denied.get_or_insert((status, Some(decision)));
            }
        }
        Ok((latency, denied))
    }

    /// After the shared levels: refuse, or hand the attempt to replica `r`.
    fn go_on(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        r: u32,
        meta: JobMeta,
        denied: Refusal,
        resp: &mut Response,
    ) -> Result<Received, LimiterError> {
        if let Some((status, decision)) = denied {
            self.rec
                .verdict(r, false, now, meta.fleet, meta.key, meta.tenant, meta.cost)?;
            *resp = Response::rejected(status, decision);
            return Ok(Received::Answered);
        }
        let answered = self.replicas[r as usize].receive(now, q, meta, resp)?;
        let admitted = !answered || resp.admitted;
        let by_limiter = answered && !resp.admitted && resp.decision.is_some();
        if admitted || by_limiter {
            self.rec.verdict(
                r,
                admitted,
                now,
                meta.fleet,
                meta.key,
                meta.tenant,
                meta.cost,
            )?;
        }
        if answered {
            if resp.admitted {
                self.release_shared(now, r, &meta, resp.status)?;
            }
            Ok(Received::Answered)
        } else {
            self.outstanding[r as usize] += 1;
            Ok(Received::InBackend)
        }
    }

    /// The store's reply to a waiting attempt arrived.
    pub fn store_reply(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        slot: u32,
    ) -> Result<Option<(JobMeta, Response, Received)>, LimiterError> {
        let Some(w) = self.waiting.get_mut(slot as usize).and_then(Option::take) else {
            return Ok(None);
        };
        self.free.push(slot);
        self.outstanding[w.replica as usize] -= 1;
        let mut resp = Response::rejected(0, None);
        let got = self.go_on(now, q, w.replica, w.meta, w.denied, &mut resp)?;
        Ok(Some((w.meta, resp, got)))
    }

    /// Release the shared levels of an admitted request that left replica `r` with `status`.
    fn release_shared(
        &mut self,
        now: Nanos,
        r: u32,
        m: &JobMeta,
        status: u16,
    ) -> Result<(), LimiterError> {
        let kind = match status {
            200..=299 => OutcomeKind::Success,
            503 => OutcomeKind::Dropped,
            504 => OutcomeKind::Timeout,
            _ => OutcomeKind::Failure,
        };
        let outcome = Outcome {
            kind,
            latency: Nanos::ZERO,
        };
        for sl in self.shared.iter_mut().filter(|sl| sl.leases.is_none()) {
            let levels = if sl.synced() {
                &mut sl.own[r as usize]
            } else {
                &mut sl.central
            };
            levels.release_as(Some(m.fleet), now, m.key, m.tenant, m.cost, outcome)?;
        }
        Ok(())
    }

    /// A backend event of a replica (the job id carries the replica).
    pub fn backend_event(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        ev: Event,
    ) -> Result<Option<(JobMeta, Response)>, LimiterError> {
        let (job, r) = match ev {
            Event::ServiceDone { job }
            | Event::BackendEnter { job }
            | Event::QueueTimeout { job, .. } => (job & JOB_MASK, job >> JOB_BITS),
            _ => return Ok(None),
        };
        let server = &mut self.replicas[r as usize];
        let done = match ev {
            Event::ServiceDone { .. } => server.service_done(now, q, job)?,
            Event::BackendEnter { .. } => server.backend_enter(now, q, job)?,
            Event::QueueTimeout { gen, .. } => server.queue_timeout(now, job, gen)?,
            _ => None,
        };
        if let Some((m, resp)) = &done {
            self.outstanding[r as usize] = self.outstanding[r as usize].saturating_sub(1);
            self.release_shared(now, r, m, resp.status)?;
        }
        Ok(done)
    }

    /// A periodic sync of replica `replica` for shared level `level`; schedules the next.
    pub fn store_sync(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        level: u32,
        replica: u32,
    ) -> Result<(), LimiterError> {
        let Some(sl) = self.shared.get_mut(level as usize) else {
            return Ok(());
        };
        if let Some(l) = sl.leases.as_mut() {
            if replica != RENEW {
                l.apply(replica as usize);
                return Ok(());
            }
            let n = self.cfg.replicas;
            let states: Vec<(bool, Nanos)> = (0..n)
                .map(|r| store_state(&self.cfg.events, r, now))
                .collect();
            let reachable: Vec<bool> = states.iter().map(|s| !s.0).collect();
            let grants = l.renew(&reachable);
            for r in 0..n {
                self.rec.store_call(states[r as usize].0);
                if grants[r as usize].is_some() {
                    let rtt =
                        self.rtt[level as usize].sample(&mut self.draws) + states[r as usize].1;
                    q.push(now + rtt, Event::StoreSync { level, replica: r });
                }
            }
            q.push(
                now + l.period,
                Event::StoreSync {
                    level,
                    replica: RENEW,
                },
            );
            return Ok(());
        }
        let (down, _) = store_state(&self.cfg.events, replica, now);
        if !down {
            // A replica cut off from the store keeps its delta for the next sync.
            sl.sync(replica as usize, now)?;
        }
        self.rec.store_call(down);
        if let Some(i) = sl.interval {
            q.push(now + i, Event::StoreSync { level, replica });
        }
        Ok(())
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
