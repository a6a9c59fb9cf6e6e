//! An admitted request's own task: the backend (bounded queue, service time, deadline,
//! injected errors), its response, and the idempotency record, so a client that disconnects
//! does not cancel admitted work; the request is released to the limiters exactly once however
//! the task ends.

use super::staging;
use crate::live::app::App;
use crate::live::backend::Served;
use crate::live::config::Identity;
use crate::live::envelope::Problem;
use crate::live::idempotency::{StoredResponse, Ticket};
use crate::live::respond::Reply;
use limiters::calendar::UnixTime;
use limiters::{Decision, Nanos, Outcome, OutcomeKind};
use serde::Serialize;
use sim::engine::AttemptId;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Releases an admitted request to the limiters exactly once, also when its task ends early
/// (a panic, runtime shutdown): a concurrency limit must get its slot back either way.
pub(super) struct Admitted<'a> {
    pub(super) app: &'a App,
    pub(super) ids: Vec<&'a str>,
    pub(super) cost: u32,
    pub(super) start: Instant,
    pub(super) done: bool,
}

impl Admitted<'_> {
    /// The synchronous part (in-memory levels); the outcome, the first time only.
    pub(super) fn release(&mut self, kind: OutcomeKind) -> Option<Outcome> {
        if self.done {
            return None;
        }
        self.done = true;
        let outcome = Outcome {
            kind,
            latency: Nanos::from(self.start.elapsed()),
        };
        if let Err(e) = self.app.store.release(&self.ids, self.cost, outcome) {
            errln!("throttlelab serve: release failed: {e:#}");
        }
        Some(outcome)
    }

    /// Release, and tell the Redis store too (a failed request's quota refund), before the
    /// response leaves, so the client's next request sees it as with the memory store.
    pub(super) async fn settle(&mut self, kind: OutcomeKind) {
        if let Some(outcome) = self.release(kind) {
            let store = &self.app.store;
            if let Err(e) = store.release_shared(&self.ids, self.cost, outcome).await {
                errln!("throttlelab serve: release failed: {e:#}");
            }
        }
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.release(OutcomeKind::Dropped);
    }
}

/// Set when the handler waiting for a job is dropped before the job answers (hyper drops it
/// when the client disconnects): the job's client is gone.
pub(super) struct Waiting(pub(super) Option<Arc<AtomicBool>>);

impl Waiting {
    /// The job answered while the handler still waited.
    pub(super) fn answered(mut self) {
        self.0 = None;
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(gone) = &self.0 {
            gone.store(true, Ordering::Relaxed);
        }
    }
}

/// The backend part of an admitted request, owned so that it runs in its own task.
pub(super) struct Job {
    pub(super) app: Arc<App>,
    pub(super) who: Identity,
    pub(super) cost: u32,
    pub(super) request_id: String,
    pub(super) decision: Option<Decision>,
    /// Every level's decision, for the headers (`None`: the level does not count it).
    pub(super) levels: Vec<Option<Decision>>,
    /// The calendar time of the decisions (their resets count from then).
    pub(super) decided_at: UnixTime,
    pub(super) ticket: Option<Ticket>,
    /// Set when the client disconnected before the answer.
    pub(super) gone: Arc<AtomicBool>,
    /// The logical request's `X-Throttlelab-Request` tag (duplicate executions).
    pub(super) tag: Option<String>,
    /// The upstream it is for (`X-Upstream`; 0 without upstreams).
    pub(super) upstream: usize,
    /// The attempt's identity, when the lab's load client sent it (its draws' key).
    pub(super) attempt: Option<AttemptId>,
}

impl Job {
    /// Delay, backend, `release` to the limiters, the on-completion record, and the response
    /// stored for replay.
    pub(super) async fn run(self) -> Reply {
        let Job {
            app,
            who,
            cost,
            request_id,
            decision,
            levels,
            decided_at,
            ticket,
            gone,
            tag,
            upstream,
            attempt,
        } = self;
        let to = (upstream, attempt);
        let (reply, work) = serve(&app, &who, (cost, to), &request_id, decision).await;
        if let (Some(tag), Some(_)) = (&tag, work) {
            // executed to completion, as the simulator's `executed`
            app.metrics.executions.executed(tag);
        }
        let reply = reply.rate_headers_at(&levels, &app.styles, decided_at);
        if let Some(work) = work.filter(|_| gone.load(Ordering::Relaxed)) {
            // executed for a client that had already given up (the simulator's wasted work:
            // only a completed service counts, with its service time)
            app.metrics.wasted(work);
        }
        if let Some(ticket) = ticket {
            // store only what the backend processed: a throttled request may be retried
            if reply.status() == 200 || reply.status() == 500 {
                ticket.complete(StoredResponse {
                    status: reply.status(),
                    body: reply.body().to_vec(),
                    request_id,
                });
            }
        }
        reply
    }
}

/// Serve an admitted request: wait out a delayed admission, then the backend. Also returns
/// the service time of a request the backend executed to completion.
pub(super) async fn serve(
    app: &App,
    who: &Identity,
    (cost, (upstream, attempt)): (u32, (usize, Option<AttemptId>)),
    request_id: &str,
    decision: Option<Decision>,
) -> (Reply, Option<Duration>) {
    let env = app.config.envelope;
    let (ids, later) = staging(app, who);
    let _in_flight = app.metrics.in_flight();
    let mut admitted = Admitted {
        app,
        ids,
        cost,
        start: Instant::now(),
        done: false,
    };
    if let Some(d) = decision.filter(|d| !d.delay.is_zero()) {
        // NGINX-style delayed admission (leaky bucket with `delay`): wait, then serve
        tokio::time::sleep(d.delay.into()).await;
    }
    let served = app.backend.serve(&app.metrics, upstream, attempt).await;
    let work = match served {
        Served::Ok { service, .. } => Some(service),
        _ => None,
    };
    let reply = match served {
        Served::Ok { waited, service } => {
            admitted.settle(OutcomeKind::Success).await;
            if let Some(later) = &later {
                // record on completion; beyond the limit the record is refused (saturates)
                if let Err(e) = app.store.decide(later, cost, true).await {
                    errln!("throttlelab serve: limiter error: {e:#}");
                }
            }
            let body = Success {
                cost,
                key: &who.key,
                ok: true,
                queued_ms: waited.as_secs_f64() * 1e3,
                request_id,
                service_ms: service.as_secs_f64() * 1e3,
                tenant: &who.tenant,
            };
            Reply::raw(200, body.to_bytes(), "application/json")
        }
        Served::Failed(status) => {
            admitted.settle(OutcomeKind::Failure).await;
            Reply::problem(&Problem::Injected(status), env, request_id)
        }
        Served::QueueFull => {
            admitted.settle(OutcomeKind::Dropped).await;
            Reply::problem(&Problem::QueueFull, env, request_id).header("retry-after", "1")
        }
        Served::DeadlineExceeded => {
            admitted.settle(OutcomeKind::Timeout).await;
            Reply::problem(&Problem::DeadlineExceeded, env, request_id)
        }
    };
    (reply, work)
}

/// The body of a served request, serialized straight from borrowed fields (no map of owned
/// keys as `serde_json::json!` builds per response). The fields are in the order a
/// `serde_json::Value` map sorts them, so the bytes are the same as before.
#[derive(Serialize)]
struct Success<'a> {
    cost: u32,
    key: &'a str,
    ok: bool,
    queued_ms: f64,
    request_id: &'a str,
    service_ms: f64,
    tenant: &'a str,
}

impl Success<'_> {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(192);
        // writing plain fields into a Vec cannot fail
        let _ = serde_json::to_writer(&mut out, self);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The served body keeps the bytes of the `json!` map it replaced (clients and the
    /// recorded runs read it).
    #[test]
    fn the_success_body_is_the_json_map_it_replaced() {
        for (waited, service) in [(0.0, 0.0), (1.25, 17.000_001), (0.000_5, 3e-7)] {
            let s = Success {
                cost: 7,
                key: "key-\"1",
                ok: true,
                queued_ms: waited,
                request_id: "0b0e-id",
                service_ms: service,
                tenant: "org-0",
            };
            let map = json!({
                "ok": true,
                "request_id": "0b0e-id",
                "key": "key-\"1",
                "tenant": "org-0",
                "cost": 7u32,
                "queued_ms": waited,
                "service_ms": service,
            });
            assert_eq!(String::from_utf8(s.to_bytes()).unwrap(), map.to_string());
        }
    }
}
