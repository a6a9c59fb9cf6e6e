//! The world: every piece of state of a run, and the loop that pops events and matches on
//! them. Client-side handlers live in `crate::client::flow`, server-side ones in [`serve`]
//! (calling into [`crate::server::Server`]); [`build`] makes the world from a scenario.

use super::{Crn, Event, EventQueue, Sampler, TraceEvent, TraceKind};
use crate::client::{ClientState, FleetRt, IdSpaces, Requests};
use crate::metrics::{Recorder, ServerGauges};
use crate::server::Server;
use crate::SimError;
use limiters::Nanos;

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

mod build;
mod serve;

impl World {
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
}
