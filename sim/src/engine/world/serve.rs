//! The server side of the event loop: an attempt arriving at the server (or a deployment's
//! balancer and replicas), its job, and the response sent back, each call into
//! [`crate::server::Server`]; the client side is `crate::client::flow`.

use super::World;
use crate::engine::{AttemptId, Event};
use crate::server::{JobMeta, Response};
use crate::SimError;

impl World {
    /// A backend or store event of a deployment's replicas.
    #[cold]
    #[inline(never)]
    pub(super) fn deployment_event(&mut self, ev: Event) -> Result<(), SimError> {
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
