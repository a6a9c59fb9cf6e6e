//! Building a run's world from its scenario: the server (levels, faults, upstreams), the
//! fleets and their clients, the recorder sized for every status the server can answer, the
//! deployment if any, and the stall guard's limit; then the first arrivals on the queue.

use super::World;
use crate::client::{FleetRt, IdSpaces, Requests};
use crate::engine::{Crn, Event, EventQueue, Purpose, Sampler};
use crate::metrics::{LimiterScope, Recorder};
use crate::model::{FaultKind, Scenario};
use crate::server::Server;
use crate::SimError;
use limiters::{Nanos, Registry};

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
    if let Some(d) = &s.deployment {
        // A store that fails closed (500 unless `status_on_error`), a failed replica (502),
        // none in rotation (503).
        v.extend([500, 502, 503]);
        v.extend(
            d.placement
                .iter()
                .filter_map(|p| p.store())
                .map(|st| st.status_on_error),
        );
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
}
