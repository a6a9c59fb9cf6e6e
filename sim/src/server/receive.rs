//! The way of one attempt through the server: faults, the limiter levels, the backend (a
//! worker, the queue, or the instant path of the reference model), and the response with the
//! levels' release when the job ends. [`super::Server`] holds the state; this is its
//! request path.

use super::{Admission, Finished, JobMeta, Response, Server, Shown};
use crate::engine::EventQueue;
use limiters::{LimiterError, Nanos, Outcome, OutcomeKind};

fn outcome_of(f: &Finished, now: Nanos) -> Outcome {
    let kind = match f.status {
        200..=299 => OutcomeKind::Success,
        503 => OutcomeKind::Dropped,
        504 => OutcomeKind::Timeout,
        _ => OutcomeKind::Failure,
    };
    Outcome {
        kind,
        latency: now - f.admitted_at,
    }
}

impl Server {
    fn complete(&mut self, now: Nanos, f: Finished) -> Result<(JobMeta, Response), LimiterError> {
        let m = f.meta;
        self.levels.release_as(
            Some(m.fleet),
            now,
            m.key,
            m.tenant,
            m.cost,
            outcome_of(&f, now),
        )?;
        Ok((
            m,
            Response {
                status: f.status,
                decision: f.decision,
                admitted: true,
                executed: f.executed,
                work: f.work,
            },
        ))
    }

    /// An attempt arrives. True when it is answered at once, the answer written into `resp`;
    /// otherwise the backend answers it later through [`Server::service_done`] or
    /// [`Server::queue_timeout`] (`resp` is then left as it was). The answer is written where
    /// the caller keeps it, not returned: a returned response (with its limiter decision)
    /// would be copied through memory on every attempt.
    #[inline]
    pub fn receive(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        meta: JobMeta,
        resp: &mut Response,
    ) -> Result<bool, LimiterError> {
        if self.direct {
            return self.receive_direct(now, q, meta, resp);
        }
        if let Some(status) = self.outage(now, meta.upstream) {
            *resp = Response::rejected(status, None);
            return Ok(true);
        }
        let admission =
            self.levels
                .admit_as(Some(meta.fleet), now, meta.key, meta.tenant, meta.cost)?;
        let levels = self.levels.take_shown();
        if !levels.is_empty() {
            self.shown
                .insert((meta.req, meta.token), Shown { at: now, levels });
        }
        let (first, delay) = match admission {
            Admission::Denied { status, decision } => {
                *resp = Response::rejected(status, Some(decision));
                return Ok(true);
            }
            Admission::Allowed { first, delay } => (first, delay),
        };
        if let Some(status) = self.injected_error(now, meta.upstream, meta.id) {
            self.levels.release_as(
                Some(meta.fleet),
                now,
                meta.key,
                meta.tenant,
                meta.cost,
                Outcome::failure(Nanos::ZERO),
            )?;
            *resp = Response {
                status,
                decision: first,
                admitted: true,
                executed: false,
                work: Nanos::ZERO,
            };
            return Ok(true);
        }
        if self.instant && delay.is_zero() {
            self.release_instant(now, &meta)?;
            *resp = Response {
                status: 200,
                decision: first,
                admitted: true,
                executed: true,
                work: Nanos::ZERO,
            };
            return Ok(true);
        }
        let id = self.backend.alloc(meta, now, first);
        if !delay.is_zero() {
            let job = self.backend.event_id(id);
            q.push(now + delay, crate::engine::Event::BackendEnter { job });
            return Ok(false);
        }
        match self.backend.enter(now, q, &mut self.faults, id) {
            Some(f) => {
                *resp = self.complete(now, f)?.1;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// What an instant backend does with an admitted request (served at once, 200, no work),
    /// without a job: release the levels with a success of zero latency.
    #[inline(always)]
    fn release_instant(&mut self, now: Nanos, meta: &JobMeta) -> Result<(), LimiterError> {
        self.levels.release_as(
            Some(meta.fleet),
            now,
            meta.key,
            meta.tenant,
            meta.cost,
            Outcome {
                kind: OutcomeKind::Success,
                latency: Nanos::ZERO,
            },
        )
    }

    /// [`Server::receive`] without faults, with one plain level and an instant backend: the
    /// response is built where it stays, the level's decision written into it.
    #[inline(always)]
    fn receive_direct(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        meta: JobMeta,
        resp: &mut Response,
    ) -> Result<bool, LimiterError> {
        let status = self.levels.admit_single_into(
            now,
            meta.key,
            meta.tenant,
            meta.cost,
            &mut resp.decision,
        )?;
        let (allowed, delay) = resp
            .decision
            .as_ref()
            .map_or((true, Nanos::ZERO), |d| (d.allowed, d.delay));
        resp.work = Nanos::ZERO;
        if !allowed {
            resp.status = status;
            resp.admitted = false;
            resp.executed = false;
        } else if !delay.is_zero() {
            // The level delays service (NGINX `delay`): as the job path does.
            let id = self.backend.alloc(meta, now, resp.decision);
            let job = self.backend.event_id(id);
            q.push(now + delay, crate::engine::Event::BackendEnter { job });
            return Ok(false);
        } else {
            self.release_instant(now, &meta)?;
            resp.status = 200;
            resp.admitted = true;
            resp.executed = true;
        }
        Ok(true)
    }

    /// [`Server::complete`] of a job the backend finished, if it finished one.
    fn complete_some(
        &mut self,
        now: Nanos,
        f: Option<Finished>,
    ) -> Result<Option<(JobMeta, Response)>, LimiterError> {
        f.map(|f| self.complete(now, f)).transpose()
    }

    /// A delayed admitted job enters the backend.
    pub fn backend_enter(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        job: u32,
    ) -> Result<Option<(JobMeta, Response)>, LimiterError> {
        let f = self.backend.enter(now, q, &mut self.faults, job);
        self.complete_some(now, f)
    }

    /// A job's service is over.
    pub fn service_done(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        job: u32,
    ) -> Result<Option<(JobMeta, Response)>, LimiterError> {
        let f = self.backend.done(now, q, &mut self.faults, job);
        self.complete_some(now, f)
    }

    /// A queued job's queue timeout fired.
    pub fn queue_timeout(
        &mut self,
        now: Nanos,
        job: u32,
        gen: u32,
    ) -> Result<Option<(JobMeta, Response)>, LimiterError> {
        let f = self.backend.queue_timeout(job, gen);
        self.complete_some(now, f)
    }
}
