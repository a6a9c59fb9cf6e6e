//! The world: every piece of state of a run, and the loop that pops events and matches on
//! them. Client-side handlers live in `crate::client::flow`; server-side ones call into
//! [`crate::server::Server`].

use super::{AttemptId, Crn, Event, EventQueue, Purpose, Sampler, TraceEvent, TraceKind};
use crate::client::{ClientState, FleetRt, IdSpaces, Requests};
use crate::metrics::{LimiterScope, Recorder, ServerGauges};
use crate::model::{FaultKind, Scenario};
use crate::server::{JobMeta, Response, Server};
use crate::SimError;
use limiters::{Nanos, Registry};

/// Progress of a run, reported every few hundred thousand events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Simulated time reached.
    pub now: Nanos,
    /// The horizon.
    pub horizon: Nanos,
    /// Events processed so far.
    pub events: u64,
    /// Events pending in the queue.
    pub pending: usize,
}

/// The state of a run.
#[derive(Debug)]
pub(crate) struct World {
    pub q: EventQueue,
    pub now: Nanos,
    pub horizon: Nanos,
    pub fleets: Vec<FleetRt>,
    pub clients: Vec<ClientState>,
    pub reqs: Requests,
    pub server: Server,
    /// The replicas and their balancer, when the scenario has a `[deployment]`: every attempt
    /// goes to them instead of `server` (which still answers for the header dialect).
    pub deployment: Option<Box<crate::server::deployment::DeploymentRt>>,
    /// Unix seconds at t = 0 (header-reading clients see calendar times).
    pub epoch: u64,
    /// The idempotency-key store, when a fleet sends keys.
    pub idem: Option<crate::server::idempotency::IdemServer>,
    pub ids: IdSpaces,
    pub net: Sampler,
    /// Network delays, drawn per attempt identity (leg 0 the request, 1 the response).
    pub net_draws: Crn,
    /// Some draw needs an attempt's identity (else it is not hashed).
    pub ids_needed: bool,
    pub rec: Recorder,
    pub events: u64,
    /// The first error met inside a handler that cannot return one (reported by `run`).
    pub error: Option<SimError>,
    /// The trace, when asked for.
    pub trace: Option<Vec<TraceEvent>>,
    /// Most events a run may process at one instant before it is stopped as stalled.
    pub stall_limit: u64,
}

/// Events between two looks of the stall guard (a power of two dividing the progress period).
const STALL_STRIDE: u64 = 1 << 12;
/// Events at one instant that any run may take (a cron burst, a queue draining at once).
const STALL_BASE: u64 = 1 << 22;
/// Events per attempt of one client at one instant, with room to spare (arrival, send,
/// server receive, response, timeout, hedge copies: at most 8 events an attempt).
const STALL_PER_ATTEMPT: u64 = 8 * 8;

/// The stall guard's limit for `s`: a run that has every client make every attempt its retry
/// policy allows, all at the same instant, stays under it; a loop that never advances simulated
/// time (a closed loop answered at once, a rate faster than the nanosecond clock) passes it in
/// well under a second instead of eating memory until the process is killed.
fn stall_limit(s: &Scenario) -> u64 {
    s.fleets.iter().fold(STALL_BASE, |acc, f| {
        let concurrency = match f.arrival {
            crate::model::Arrival::Closed { concurrency, .. } => u64::from(concurrency),
            _ => 1,
        };
        let per_client = STALL_PER_ATTEMPT
            .saturating_mul(u64::from(f.retry.max_attempts.max(1)))
            .saturating_mul(concurrency);
        acc.saturating_add(u64::from(f.count).saturating_mul(per_client))
    })
}

/// Every non-2xx status the server of `s` can answer.
fn possible_statuses(s: &Scenario) -> Vec<u16> {
    let mut v: Vec<u16> = s.server.levels.iter().map(|l| l.status).collect();
    v.extend([503, 504]);
    if s.fleets.iter().any(|f| f.idempotency_key) {
        v.push(409);
    }
    let upstream_faults = s.server.upstreams.iter().flat_map(|u| &u.faults);
    for f in s.faults.iter().chain(upstream_faults) {
        match f.kind {
            FaultKind::ErrorRate { status, .. } | FaultKind::Outage { status } => v.push(status),
            _ => {}
        }
    }
    if s.deployment.is_some() {
        // A store that fails closed (500), a failed replica (502), none in rotation (503).
        v.extend([500, 502, 503]);
    }
    v.retain(|s| !(200..300).contains(s));
    v
}

impl World {
    /// Build the world of `s` with `seed` (the scenario must be valid).
    pub fn new(s: &Scenario, seed: u64, registry: &Registry) -> Result<World, SimError> {
        let server =
            Server::new(&s.server, registry, &s.faults, seed).map_err(|(level, source)| {
                SimError::Model(crate::model::ModelError::Limiter { level, source })
            })?;
        let mut server = server;
        server.set_upstreams(&s.server.upstreams, seed);
        let names: Vec<&str> = s.fleets.iter().map(|f| f.name.as_str()).collect();
        server.bind_fleets(&names);
        server.keep_shown(s.fleets.iter().any(|f| f.headers.is_some()));
        server.on_calendar(s.epoch);
        let ids = IdSpaces::new(&s.fleets);
        let mut fleets = Vec::with_capacity(s.fleets.len());
        let mut clients = Vec::new();
        let total: u64 = s.fleets.iter().map(|f| u64::from(f.count)).sum();
        clients.reserve_exact(usize::try_from(total).unwrap_or(0));
        let mut first = 0u32;
        for (i, f) in s.fleets.iter().enumerate() {
            let mut rt = FleetRt::new(f, first, ids.identity(f));
            rt.body_salt = crate::server::idempotency::body_salt(seed, &f.name);
            clients.extend(rt.clients(seed, i as u16));
            first += f.count;
            fleets.push(rt);
        }
        let rec = Recorder::with_options(
            fleets.len(),
            s.duration,
            s.bucket,
            &possible_statuses(s),
            s.arrival_resolution,
            LimiterScope::of(server.first_limiter_scope()),
        )
        .with_tenants(ids.tenant_slots() as usize);
        // Not sized by the client count: idle clients schedule nothing, and the wheel's slots
        // grow to what is pending.
        let mut q = EventQueue::new();
        for e in server.capacity_edges() {
            q.push(e, Event::CapacityChange);
        }
        let deployment = match &s.deployment {
            None => None,
            Some(d) => {
                let d = crate::server::deployment::DeploymentRt::new(s, d, seed, registry)
                    .map_err(|(level, source)| {
                        SimError::Model(crate::model::ModelError::Limiter { level, source })
                    })?;
                for (t, e) in d.first_syncs() {
                    q.push(t, e);
                }
                Some(Box::new(d))
            }
        };
        let mut w = World {
            q,
            now: Nanos::ZERO,
            horizon: s.duration,
            fleets,
            clients,
            reqs: Requests::default(),
            server,
            deployment,
            epoch: s.epoch,
            idem: s
                .fleets
                .iter()
                .any(|f| f.idempotency_key)
                .then(crate::server::idempotency::IdemServer::default),
            ids,
            net: Sampler::new(&s.network.delay),
            net_draws: Crn::new(seed, Purpose::Network),
            ids_needed: !s.faults.is_empty()
                || s.server.upstreams.iter().any(|u| !u.faults.is_empty())
                || !Sampler::new(&s.network.delay).is_const()
                || !Sampler::new(&s.server.backend.service_time).is_const(),
            rec,
            events: 0,
            error: None,
            trace: None,
            stall_limit: stall_limit(s),
        };
        w.schedule_first_arrivals();
        Ok(w)
    }

    /// Record a step of global client `c` if tracing.
    #[inline(always)]
    pub fn trace(&mut self, c: u32, kind: TraceKind) {
        if self.trace.is_some() {
            self.trace_step(c, kind);
        }
    }

    #[cold]
    #[inline(never)]
    fn trace_step(&mut self, c: u32, kind: TraceKind) {
        if let Some(t) = self.trace.as_mut() {
            let fleet = self.clients[c as usize].fleet;
            t.push(TraceEvent {
                at: self.now,
                fleet,
                client: c - self.fleets[fleet as usize].first,
                kind,
            });
        }
    }

    fn gauges(&self) -> ServerGauges {
        if let Some(d) = &self.deployment {
            return d.gauges(self.now, self.rec.hottest());
        }
        ServerGauges {
            queue_len: u64::from(self.server.queue_len()),
            busy: u64::from(self.server.busy()),
            limiter: self.server.limiter_state(self.now, self.rec.hottest()),
        }
    }

    /// Run to the horizon.
    pub fn run(&mut self, progress: &mut dyn FnMut(Progress)) -> Result<(), SimError> {
        // The stall guard looks every STALL_STRIDE events, not at every event (a comparison per
        // event cost 0.54% of fleet-429's instructions): time never goes back, so the same
        // instant at two looks means every event between was at that instant. `still` is the
        // instant of the last look and the events counted at it since; a stall is stopped
        // within two strides of the limit.
        let mut still = (self.now, 0u64);
        while let Some((t, ev)) = self.q.pop() {
            if t >= self.horizon {
                break;
            }
            if t >= self.rec.next_edge() {
                let g = self.gauges();
                self.rec.roll(t, g);
            }
            self.now = t;
            self.events += 1;
            if self.events & (STALL_STRIDE - 1) == 0 {
                self.look_for_stall(&mut still)?;
                if self.events & 0x3_FFFF == 0 {
                    progress(Progress {
                        now: t,
                        horizon: self.horizon,
                        events: self.events,
                        pending: self.q.len(),
                    });
                }
            }
            self.warm_ahead(self.events);
            self.dispatch(ev)?;
            if let Some(e) = self.error.take() {
                return Err(e);
            }
        }
        self.now = self.horizon;
        let g = self.gauges();
        self.rec.close_all(g);
        Ok(())
    }

    /// The stall guard's look, every [`STALL_STRIDE`] events: `still` holds the instant of the
    /// previous look and the events counted at it.
    #[cold]
    fn look_for_stall(&self, still: &mut (Nanos, u64)) -> Result<(), SimError> {
        if still.0 != self.now {
            *still = (self.now, 0);
            return Ok(());
        }
        still.1 += STALL_STRIDE;
        if still.1 > self.stall_limit {
            return Err(SimError::Stalled {
                at: self.now,
                events: still.1,
            });
        }
        Ok(())
    }

    #[inline]
    fn dispatch(&mut self, ev: Event) -> Result<(), SimError> {
        // A deployment's attempts and backend events take their own ways, out of line, so the
        // one server's ways stay as they were (their cost is checked with callgrind).
        match ev {
            Event::Arrival { client } => self.on_arrival(client),
            Event::Send { req, token, client } => self.on_send(req, token, client),
            Event::ServerRecv { req, token } => {
                if self.deployment.is_some() {
                    self.deployment_recv(req, token)?
                } else {
                    self.server_recv(req, token)?
                }
            }
            Event::ClientRecv { req, token } => self.client_recv(req, token),
            Event::AttemptTimeout { req, token } => self.on_attempt_timeout(req, token),
            Event::ServiceDone { job } => {
                if self.deployment.is_some() {
                    self.deployment_event(ev)?
                } else if let Some((m, r)) = self.server.service_done(self.now, &mut self.q, job)? {
                    self.server_responded(m, &r);
                }
            }
            Event::QueueTimeout { job, gen } => {
                if self.deployment.is_some() {
                    self.deployment_event(ev)?
                } else if let Some((m, r)) = self.server.queue_timeout(self.now, job, gen)? {
                    self.server_responded(m, &r);
                }
            }
            Event::BackendEnter { job } => {
                if self.deployment.is_some() {
                    self.deployment_event(ev)?
                } else if let Some((m, r)) =
                    self.server.backend_enter(self.now, &mut self.q, job)?
                {
                    self.server_responded(m, &r);
                }
            }
            Event::Hedge { req, token } => self.on_hedge(req, token),
            Event::CapacityChange => {
                if self.deployment.is_some() {
                    self.deployment_event(ev)?
                } else {
                    self.server.capacity_change(self.now, &mut self.q)
                }
            }
            Event::StoreReply { .. } | Event::StoreSync { .. } => self.deployment_event(ev)?,
        }
        Ok(())
    }

    /// A backend or store event of a deployment's replicas.
    #[cold]
    #[inline(never)]
    fn deployment_event(&mut self, ev: Event) -> Result<(), SimError> {
        use crate::server::deployment::Received;
        let Some(d) = self.deployment.as_deref_mut() else {
            return Ok(());
        };
        match ev {
            Event::StoreReply { slot } => {
                if let Some((m, r, got)) = d.store_reply(self.now, &mut self.q, slot)? {
                    let fi = self.clients[m.client as usize].fleet as usize;
                    if got == Received::InBackend || r.admitted {
                        self.rec.admitted(fi);
                    }
                    if got == Received::Answered {
                        self.responded(m, fi, &r);
                    }
                }
            }
            Event::StoreSync { level, replica } => {
                d.store_sync(self.now, &mut self.q, level, replica)?
            }
            Event::CapacityChange => d.capacity_change(self.now, &mut self.q),
            _ => {
                if let Some((m, r)) = d.backend_event(self.now, &mut self.q, ev)? {
                    self.server_responded(m, &r);
                }
            }
        }
        Ok(())
    }

    /// [`World::server_recv`] of a deployment: the balancer picks a replica.
    #[cold]
    #[inline(never)]
    pub(crate) fn deployment_recv(&mut self, req: u32, token: u32) -> Result<(), SimError> {
        use crate::server::deployment::Received;
        let meta = self.job_meta(req, token);
        let fi = meta.fleet as usize;
        let keyed = self.fleets[fi].idempotency_key;
        self.rec.server_arrival(fi, self.now, meta.key, meta.tenant);
        if keyed {
            if let Some(resp) = self.idem_before(&meta) {
                self.responded(meta, fi, &resp);
                return Ok(());
            }
        }
        let Some(d) = self.deployment.as_deref_mut() else {
            return Ok(());
        };
        let mut resp = Response::rejected(0, None);
        match d.receive(self.now, &mut self.q, meta, &mut resp)? {
            Received::Answered => {
                if resp.admitted {
                    self.rec.admitted(fi);
                }
                self.responded(meta, fi, &resp);
            }
            Received::InBackend => self.rec.admitted(fi),
            Received::AtStore => {}
        }
        Ok(())
    }

    /// What the server knows of attempt `token` of request `req`: its client, fleet, key,
    /// tenant, cost, upstream and identity (one server or a deployment's replica alike).
    #[inline(always)]
    fn job_meta(&self, req: u32, token: u32) -> JobMeta {
        let c = self.reqs[req].client;
        let cs = &self.clients[c as usize];
        let f = &self.fleets[cs.fleet as usize];
        let i = c - f.first;
        JobMeta {
            req,
            token,
            client: c,
            fleet: cs.fleet,
            key: f.identity.key(i),
            tenant: f.identity.tenant(i),
            cost: f.cost,
            upstream: self.reqs[req].upstream,
            // Hashed only when a draw needs it (the response leg's network delay, a random
            // service time, a fault coin): most scenarios' samplers are constants.
            id: if self.ids_needed {
                self.attempt_id(req, token)
            } else {
                AttemptId::default()
            },
        }
    }

    /// The identity of attempt `token` of request `req`: fleet, client index in the fleet,
    /// the client's request number, and the how-manieth send of the request.
    #[inline]
    pub fn attempt_id(&self, req: u32, token: u32) -> AttemptId {
        let r = &self.reqs[req];
        let f = &self.fleets[self.clients[r.client as usize].fleet as usize];
        AttemptId::new(
            f.name_hash,
            r.client - f.first,
            r.seq,
            u32::from((token as u16).wrapping_sub(r.base)),
        )
    }

    /// An attempt reaches the server (of a scenario without `[deployment]`: its callers send
    /// a deployment's attempts to [`World::deployment_recv`], out of the hot path).
    #[inline]
    pub fn server_recv(&mut self, req: u32, token: u32) -> Result<(), SimError> {
        let meta = self.job_meta(req, token);
        let fi = meta.fleet as usize;
        let keyed = self.fleets[fi].idempotency_key;
        self.rec.server_arrival(fi, self.now, meta.key, meta.tenant);
        if keyed {
            if let Some(resp) = self.idem_before(&meta) {
                self.responded(meta, fi, &resp);
                return Ok(());
            }
        }
        let mut resp = Response::rejected(0, None);
        if self
            .server
            .receive(self.now, &mut self.q, meta, &mut resp)?
        {
            if resp.admitted {
                self.rec.admitted(fi);
            }
            self.responded(meta, fi, &resp);
        } else {
            // Answered later by the backend: admitted now.
            self.rec.admitted(fi);
        }
        Ok(())
    }

    /// The server answered an attempt: account for it, and send the response on its way if the
    /// client still waits for it.
    pub fn server_responded(&mut self, meta: JobMeta, resp: &Response) {
        let fi = self.clients[meta.client as usize].fleet as usize;
        self.responded(meta, fi, resp);
    }

    /// [`World::server_responded`] for an attempt of fleet `fi` (the attempt's whole way runs
    /// in one function when nothing delays it: the fleet is looked up once).
    #[inline(always)]
    fn responded(&mut self, meta: JobMeta, fi: usize, resp: &Response) {
        let req = meta.req;
        self.idem_after(&meta, resp);
        let tenant = self.clients[meta.client as usize].tenant;
        self.rec.response(fi, tenant, resp.status);
        let idempotent = self.fleets[fi].idempotent;
        let r = &mut self.reqs[req];
        r.outstanding = r.outstanding.saturating_sub(1);
        let current = r.is_live(meta.token);
        if resp.executed {
            let duplicate = r.executed > 0 && !idempotent;
            r.executed = r.executed.saturating_add(1);
            if duplicate {
                self.rec.duplicate(fi);
            }
            if !current {
                self.rec.wasted(fi, resp.work);
            }
        }
        if current {
            let draws = self.net_draws;
            let d = self.net.sample_from(|| draws.stream(meta.id, 1));
            if d.is_zero() {
                let decision = resp.decision.as_ref();
                self.read(req, meta.token, meta.client, fi, resp.status, decision);
            } else {
                if self.fleets[fi].hedge.is_some() {
                    // Several copies may have responses on the way: each keeps its own.
                    self.reqs.park(req, meta.token, resp.status, resp.decision);
                } else {
                    self.reqs.post(req, resp.status, resp.decision);
                }
                self.q.push(
                    self.now + d,
                    Event::ClientRecv {
                        req,
                        token: meta.token,
                    },
                );
            }
        } else if self.reqs[req].done && self.reqs[req].outstanding == 0 {
            self.reqs.free(req);
        }
    }
}
