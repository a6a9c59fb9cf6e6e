//! The backend behind the limiters: `workers` requests in service at once, a bounded FIFO
//! queue in front of them (full -> 503), and a service-time distribution, with two separate
//! time limits: a queue timeout (waited too long for a worker -> 504, service never starts)
//! and a deadline from admission, service included (seed 004's "504 ENGINE_TIMEOUT: Analysis
//! exceeded the 30s deadline": a request still queued or in service then gets 504; service is
//! cancelled and its worker freed). With unlimited
//! workers there is no queue; with unlimited workers and zero service time an admitted request
//! completes at once without an event (the fleet-429 reference model).
//!
//! Jobs live in a slab (`Vec` + free list); a slot's generation number tells a stale
//! queue-timeout event from a current one.

use super::Faults;
use crate::engine::{AttemptId, Crn, Event, EventQueue, Sampler};
use crate::model::Backend;
use limiters::{Decision, Nanos};
use std::collections::VecDeque;

/// Who a job is for (enough to answer the client and release the limiters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobMeta {
    /// Request slot of the client side.
    pub req: u32,
    /// Attempt token.
    pub token: u32,
    /// Global client index.
    pub client: u32,
    /// Fleet index (limiter levels may apply to some fleets only).
    pub fleet: u16,
    /// Key id.
    pub key: u32,
    /// Tenant id.
    pub tenant: u32,
    /// Cost charged.
    pub cost: u32,
    /// The upstream it is for (index in the server's upstreams; 0 without any).
    pub upstream: u8,
    /// Who sent it (client, request number, attempt): the key of its service time and fault
    /// draws, so compared variants share them.
    pub id: AttemptId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JobState {
    Free,
    Waiting,
    Queued,
    InService,
    Expired,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    meta: JobMeta,
    gen: u32,
    state: JobState,
    admitted_at: Nanos,
    started_at: Nanos,
    decision: Option<Decision>,
    /// In service, but its service ends past the deadline: the service-done event is the
    /// deadline, answered 504 with the work cancelled.
    cut: bool,
}

/// A job that left the backend.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finished {
    /// Who it was for.
    pub meta: JobMeta,
    /// 200, 503 (queue full) or 504 (queue timeout).
    pub status: u16,
    /// True when the work was done (the request was executed).
    pub executed: bool,
    /// Service time spent on it.
    pub work: Nanos,
    /// When the limiters admitted it.
    pub admitted_at: Nanos,
    /// The first limiter level's decision at admission.
    pub decision: Option<Decision>,
}

/// The backend at run time.
#[derive(Debug)]
pub struct BackendRt {
    workers: Option<u32>,
    busy: u32,
    queue_cap: u32,
    queue_timeout: Option<Nanos>,
    deadline: Option<Nanos>,
    service: Sampler,
    draws: Crn,
    queue: VecDeque<u32>,
    queued: u32,
    jobs: Vec<Job>,
    free: Vec<u32>,
    /// Or-ed into the job ids of the events this backend schedules: a deployment's replica
    /// index in the top bits (0 for the one server of a scenario without `[deployment]`).
    tag: u32,
}

impl BackendRt {
    /// A backend for `cfg` drawing each attempt's service time from `draws`.
    pub fn new(cfg: &Backend, draws: Crn) -> BackendRt {
        BackendRt {
            workers: cfg.workers,
            busy: 0,
            queue_cap: cfg.queue,
            queue_timeout: cfg.queue_timeout,
            deadline: cfg.deadline,
            service: Sampler::new(&cfg.service_time),
            draws,
            queue: VecDeque::new(),
            queued: 0,
            jobs: Vec::new(),
            free: Vec::new(),
            tag: 0,
        }
    }

    /// Or `tag` into the job ids of every event this backend (and its server) schedules.
    pub fn set_tag(&mut self, tag: u32) {
        self.tag = tag;
    }

    /// The id job `id` goes by on the event queue.
    #[inline(always)]
    pub fn event_id(&self, id: u32) -> u32 {
        id | self.tag
    }

    /// True when every job completes at once (unlimited workers, a zero service time): no
    /// job ever waits, queues or takes a worker.
    pub fn instant(&self) -> bool {
        self.workers.is_none() && self.service.is_zero()
    }

    /// Requests waiting in the queue.
    pub fn queue_len(&self) -> u32 {
        self.queued
    }

    /// Requests in service.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// A job slot for an admitted request (state: waiting to enter).
    pub fn alloc(&mut self, meta: JobMeta, now: Nanos, decision: Option<Decision>) -> u32 {
        let job = Job {
            meta,
            gen: 0,
            state: JobState::Waiting,
            admitted_at: now,
            started_at: now,
            decision,
            cut: false,
        };
        match self.free.pop() {
            Some(id) => {
                let j = &mut self.jobs[id as usize];
                let gen = j.gen.wrapping_add(1);
                *j = Job { gen, ..job };
                id
            }
            None => {
                self.jobs.push(job);
                (self.jobs.len() - 1) as u32
            }
        }
    }

    fn release_slot(&mut self, id: u32) {
        self.jobs[id as usize].state = JobState::Free;
        self.free.push(id);
    }

    fn finished(&mut self, id: u32, status: u16, executed: bool, work: Nanos) -> Finished {
        let j = self.jobs[id as usize];
        Finished {
            meta: j.meta,
            status,
            executed,
            work,
            admitted_at: j.admitted_at,
            decision: j.decision,
        }
    }

    fn capacity(&self, now: Nanos, faults: &Faults) -> u32 {
        match self.workers {
            Some(w) => faults.capacity(now, w),
            None => u32::MAX,
        }
    }

    /// Start serving job `id`; `Some` when it completes at once (unlimited workers, zero
    /// service time).
    fn start(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        faults: &mut Faults,
        id: u32,
    ) -> Option<Finished> {
        let who = self.jobs[id as usize].meta.id;
        let draws = self.draws;
        let service =
            self.service.sample_from(|| draws.stream(who, 0)) + faults.extra_latency(now, who);
        if self.workers.is_none() && service.is_zero() {
            let f = self.finished(id, 200, true, Nanos::ZERO);
            self.release_slot(id);
            return Some(f);
        }
        let mut end = now + service;
        let j = &mut self.jobs[id as usize];
        if let Some(d) = self.deadline {
            let due = j.admitted_at + d;
            if end > due {
                // cancelled at the deadline: the worker is busy until then
                end = due.max(now);
                j.cut = true;
            }
        }
        j.state = JobState::InService;
        j.started_at = now;
        self.busy += 1;
        q.push(end, Event::ServiceDone { job: id | self.tag });
        None
    }

    /// When a job queued at `now` times out: the earlier of its queue timeout and its deadline
    /// from admission.
    fn wait_limit(&self, now: Nanos, id: u32) -> Option<Nanos> {
        let queued = self.queue_timeout.map(|t| now + t);
        let due = self
            .deadline
            .map(|d| self.jobs[id as usize].admitted_at + d);
        match (queued, due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// An admitted job enters the backend: served, queued, or refused with 503.
    pub fn enter(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        faults: &mut Faults,
        id: u32,
    ) -> Option<Finished> {
        if self.busy < self.capacity(now, faults) {
            return self.start(now, q, faults, id);
        }
        if self.queued >= self.queue_cap {
            let f = self.finished(id, 503, false, Nanos::ZERO);
            self.release_slot(id);
            return Some(f);
        }
        let limit = self.wait_limit(now, id);
        if limit.is_some_and(|t| t <= now) {
            // delayed past its deadline before it reached the backend
            let f = self.finished(id, 504, false, Nanos::ZERO);
            self.release_slot(id);
            return Some(f);
        }
        let j = &mut self.jobs[id as usize];
        j.state = JobState::Queued;
        let gen = j.gen;
        self.queue.push_back(id);
        self.queued += 1;
        if let Some(t) = limit {
            q.push(
                t,
                Event::QueueTimeout {
                    job: id | self.tag,
                    gen,
                },
            );
        }
        None
    }

    /// Start queued jobs while workers are free (expired entries are dropped on the way).
    pub fn fill_workers(&mut self, now: Nanos, q: &mut EventQueue, faults: &mut Faults) {
        let cap = self.capacity(now, faults);
        while self.busy < cap {
            let Some(id) = self.queue.pop_front() else {
                break;
            };
            match self.jobs[id as usize].state {
                JobState::Queued => {
                    self.queued -= 1;
                    // Bounded workers: `start` never completes at once.
                    let _ = self.start(now, q, faults, id);
                }
                JobState::Expired => self.release_slot(id),
                _ => {}
            }
        }
    }

    /// A job's service is over: it succeeded (or its deadline cancelled it: 504); its worker
    /// takes the next queued job.
    pub fn done(
        &mut self,
        now: Nanos,
        q: &mut EventQueue,
        faults: &mut Faults,
        id: u32,
    ) -> Option<Finished> {
        if self.jobs.get(id as usize).map(|j| j.state) != Some(JobState::InService) {
            return None;
        }
        let j = self.jobs[id as usize];
        let work = now - j.started_at;
        let f = if j.cut {
            self.finished(id, 504, false, work)
        } else {
            self.finished(id, 200, true, work)
        };
        self.busy -= 1;
        self.release_slot(id);
        self.fill_workers(now, q, faults);
        Some(f)
    }

    /// A queued job's queue timeout fired: 504 if it is still waiting.
    pub fn queue_timeout(&mut self, id: u32, gen: u32) -> Option<Finished> {
        let j = self.jobs.get_mut(id as usize)?;
        if j.gen != gen || j.state != JobState::Queued {
            return None;
        }
        // Leave the slot in the deque; it is freed when popped.
        j.state = JobState::Expired;
        self.queued -= 1;
        Some(self.finished(id, 504, false, Nanos::ZERO))
    }
}
