//! The way of an attempt through a deployment: the balancer picks a replica, the shared
//! levels decide (at once, or when the store's reply arrives), then the replica's own server
//! admits it into its backend or refuses it; when it leaves, the shared levels are released.
//! Every verdict is recorded against the exact one-server limiter ([`super::Recorder`]).

use super::{DeploymentRt, Received, Refusal, Waiting, JOB_BITS, JOB_MASK};
use crate::engine::{Event, EventQueue};
use crate::server::{JobMeta, Response};
use limiters::{LimiterError, Nanos, Outcome, OutcomeKind};

impl DeploymentRt {
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
}
