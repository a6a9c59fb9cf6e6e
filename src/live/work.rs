//! `GET|POST /v1/work`: the rate-limited endpoint.
//!
//! The way of a request: authenticate (401) -> validate the `Idempotency-Key` (400) -> read the
//! body, bounded (413) -> parse it (400/422) -> idempotency: replay a stored response without
//! charging anything, or 409 on a reused key -> limiter levels, charged only if all admit
//! (429/402 with `Retry-After`; 422 for a cost no level can ever admit; 503 if the shared store
//! is down and configured to fail closed) -> backend: bounded queue (503), service time,
//! deadline (504), injected errors (500) -> `release` to the limiters with the outcome ->
//! store the response for replay if the backend processed it. Everything after admission runs
//! in its own task, so a client that disconnects does not cancel admitted work.

use super::app::App;
use super::backend::Served;
use super::config::{Identity, Level};
use super::envelope::Problem;
use super::idempotency::{fingerprint, Begin, StoredResponse, Ticket};
use super::request::{authenticate, cost, idempotency_key, presented_key, read_body};
use super::respond::{headline, unix_now, Reply};
use super::store::{Verdict, SKIP};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use limiters::calendar::UnixTime;
use limiters::{Decision, Nanos, Outcome, OutcomeKind};
use serde_json::json;
use sim::engine::AttemptId;
use sim::model::Charge;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The `Server` header of an outage answer: the load balancer answers it, not the API (as a
/// cloud load balancer names itself, e.g. `awselb/2.0`), so a client can tell it from the
/// API's own 5xx: the limiters never saw it (the simulator's outage is not admitted).
pub const OUTAGE_SERVER: &str = "throttlelab-lb";

/// Releases an admitted request to the limiters exactly once, also when its task ends early
/// (a panic, runtime shutdown): a concurrency limit must get its slot back either way.
struct Admitted<'a> {
    app: &'a App,
    ids: Vec<&'a str>,
    cost: u32,
    start: Instant,
    done: bool,
}

impl Admitted<'_> {
    /// The synchronous part (in-memory levels); the outcome, the first time only.
    fn release(&mut self, kind: OutcomeKind) -> Option<Outcome> {
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
    async fn settle(&mut self, kind: OutcomeKind) {
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

/// The handler.
pub async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Some(status) = app.backend.outage() {
        // an outage window: the load balancer answers, before auth and limiters, so without
        // rate-limit headers (the simulator's outage answer carries no decision)
        let reply = Reply::problem(&Problem::Injected(status), app.config.envelope, &request_id)
            .header("server", OUTAGE_SERVER);
        return app.finish(reply, &request_id);
    }
    // the upstream (model) the request is for: its own outage answers as the load balancer's
    let named = headers
        .get(super::backend::UPSTREAM_HEADER)
        .and_then(|v| v.to_str().ok());
    let Some(upstream) = app.backend.upstream(named) else {
        let field = (
            super::backend::UPSTREAM_HEADER.into(),
            "unknown upstream".into(),
        );
        return app
            .reject(Problem::Validation(vec![field]), None, &request_id)
            .await;
    };
    if let Some(status) = app.backend.upstream_outage(upstream) {
        let reply = Reply::problem(&Problem::Injected(status), app.config.envelope, &request_id)
            .header("server", OUTAGE_SERVER);
        return app.finish(reply, &request_id);
    }
    let who = match authenticate(&headers, &app.config.keys) {
        Ok(who) => Cow::Borrowed(who),
        // open registration: an unknown key is a client (and org) of its own
        Err(Problem::InvalidKey) if app.config.open_keys.is_some() => {
            match presented_key(&headers) {
                Ok(key) => Cow::Owned(open_identity(key)),
                Err(p) => return app.reject(p, None, &request_id).await,
            }
        }
        Err(p) => return app.reject(p, None, &request_id).await,
    };
    let who: &Identity = &who;
    match prepare(&app, who, &method, &uri, &headers, body).await {
        Err(p) => app.reject(p, Some(who), &request_id).await,
        Ok(Prepared::Replay(stored)) => {
            app.metrics.replay();
            let d = app.peek(Some(who)).await;
            let reply = Reply::raw(stored.status, stored.body, "application/json")
                .rate_headers(&d, &app.styles)
                .header("x-idempotent-replay", "true");
            app.finish(reply, &stored.request_id)
        }
        Ok(Prepared::Fresh { cost, ticket }) => {
            let tag = headers
                .get(super::executions::HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let attempt = super::attempt_id::parse(&headers);
            let to = (upstream, attempt);
            let reply = execute(&app, who, (cost, tag, to), &request_id, ticket).await;
            app.finish(reply, &request_id)
        }
    }
}

enum Prepared {
    Replay(StoredResponse),
    Fresh { cost: u32, ticket: Option<Ticket> },
}

async fn prepare(
    app: &App,
    who: &Identity,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Prepared, Problem> {
    let idem = idempotency_key(headers)?;
    let bytes = read_body(
        headers,
        body,
        app.config.max_body,
        app.config.header_timeout,
    )
    .await?;
    let cost = cost(&bytes, uri.query())?;
    let ticket = match idem {
        Some(key) if method == Method::POST => {
            let fp = fingerprint(method.as_str(), uri.path(), &bytes);
            match app.idem.begin(&who.tenant, &who.key, &key, fp) {
                Begin::Fresh(t) => Some(t),
                Begin::Replay(stored) => return Ok(Prepared::Replay(stored)),
                Begin::Mismatch => return Err(Problem::IdempotencyMismatch),
                Begin::InProgress => return Err(Problem::IdempotencyInProgress),
            }
        }
        _ => None,
    };
    Ok(Prepared::Fresh { cost, ticket })
}

/// An unconfigured key's identity under open registration: a client and org of its own, named
/// `open-<128 bits of SHA-256 of the key>` so the presented secret never reaches a metrics
/// label, a log line or a store key.
fn open_identity(key: &str) -> Identity {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("open-{hex}");
    Identity {
        key: name.clone(),
        tenant: name,
    }
}

/// Which levels count a request of `who`, and when: `admit[i]` is the scope id charged at
/// admission (or [`SKIP`]), `later[i]` the id charged when the request succeeds (levels with
/// `charge = "on_completion"`, seed 001's check-then-record metering), `None` without any.
/// A level restricted to fleets that `who`'s key does not belong to is skipped in both
/// (either store: the memory store and the Redis script both honour [`SKIP`]).
fn staging<'a>(app: &App, who: &'a Identity) -> (Vec<&'a str>, Option<Vec<&'a str>>) {
    let ids = app.ids(who);
    let levels = &app.config.levels;
    if levels.iter().all(Level::is_plain) {
        return (ids, None);
    }
    let mut admit = Vec::with_capacity(ids.len());
    let mut later = Vec::with_capacity(ids.len());
    for (id, l) in ids.into_iter().zip(levels) {
        let on_completion = l.charge == Charge::OnCompletion;
        let applies = l.applies(who);
        admit.push(if applies && !on_completion { id } else { SKIP });
        later.push(if applies && on_completion { id } else { SKIP });
    }
    let later = later.iter().any(|id| *id != SKIP).then_some(later);
    (admit, later)
}

/// The decision the headers show (see [`headline`]) among the levels that count the request.
fn headline_of(ds: &[Decision], counted: &[bool]) -> Option<(usize, Decision)> {
    if counted.iter().all(|c| *c) {
        return headline(ds);
    }
    let idx: Vec<usize> = (0..ds.len()).filter(|i| counted[*i]).collect();
    let sub: Vec<Decision> = idx.iter().map(|i| ds[*i]).collect();
    headline(&sub).map(|(j, d)| (idx[j], d))
}

/// Limiters, then (once admitted) the backend in its own task, see [`Job`]. A denied request
/// drops its idempotency `ticket`, freeing the key for a retry.
async fn execute(
    app: &Arc<App>,
    who: &Identity,
    (cost, tag, (upstream, attempt)): (u32, Option<String>, (usize, Option<AttemptId>)),
    request_id: &str,
    ticket: Option<Ticket>,
) -> Reply {
    let env = app.config.envelope;
    let (ids, later) = staging(app, who);
    // levels charged on completion are only peeked now: concurrent requests all see the same
    // remaining count (the check-then-record race the scenario models)
    let peeked = match &later {
        Some(later) => match app.store.decide(later, cost, false).await {
            Ok(Verdict::Decided(ds)) => Some(ds),
            // the shared store is down: fail closed here too (even when no level is charged
            // at admission), or admit without the check
            Ok(Verdict::FailClosed) => {
                return Reply::problem(&Problem::StoreUnavailable, env, request_id)
                    .header("retry-after", "1")
            }
            Ok(Verdict::FailOpen) => None,
            Err(e) => {
                errln!("throttlelab serve: limiter error: {e:#}");
                return Reply::problem(&Problem::Internal, env, request_id);
            }
        },
        None => None,
    };
    if let (Some(p), Some(later)) = (&peeked, &later) {
        let counted: Vec<bool> = later.iter().map(|id| *id != SKIP).collect();
        if let Some((i, d)) = headline_of(p, &counted).filter(|(_, d)| !d.allowed) {
            // denied by a level charged on completion: nothing was charged
            let shown = shown(app, p, &counted);
            return deny(app, i, &d, cost, request_id, &shown);
        }
    }
    let decided_at = unix_now();
    let verdict = match app.store.decide(&ids, cost, true).await {
        Ok(v) => v,
        Err(e) => {
            errln!("throttlelab serve: limiter error: {e:#}");
            return Reply::problem(&Problem::Internal, env, request_id);
        }
    };
    let mut levels: Vec<Option<Decision>> = Vec::new();
    let decision: Option<Decision> = match verdict {
        Verdict::FailClosed => {
            return Reply::problem(&Problem::StoreUnavailable, env, request_id)
                .header("retry-after", "1")
        }
        Verdict::FailOpen => None,
        Verdict::Decided(mut ds) => {
            let mut counted: Vec<bool> = ids.iter().map(|id| *id != SKIP).collect();
            if let (Some(p), Some(later)) = (&peeked, &later) {
                for (i, id) in later.iter().enumerate() {
                    if *id != SKIP {
                        ds[i] = p[i];
                        counted[i] = true;
                    }
                }
            }
            for (i, (d, level)) in ds.iter().zip(&app.config.levels).enumerate() {
                if counted[i] {
                    app.metrics
                        .limiter_state(i, level.scope.as_str(), who.id(level.scope), d);
                }
            }
            let head = headline_of(&ds, &counted);
            levels = shown(app, &ds, &counted);
            if let Some((i, d)) = head.filter(|(_, d)| !d.allowed) {
                return deny(app, i, &d, cost, request_id, &levels);
            }
            head.map(|(_, d)| d)
        }
    };
    app.metrics.admitted();
    let gone = Arc::new(AtomicBool::new(false));
    let job = Job {
        app: Arc::clone(app),
        who: who.clone(),
        cost,
        request_id: request_id.to_owned(),
        decision,
        levels,
        decided_at,
        ticket,
        gone: Arc::clone(&gone),
        tag,
        upstream,
        attempt,
    };
    // awaited here, but not cancelled with the handler: when the client disconnects (hyper
    // drops this future) the admitted work still holds its worker or queue slot, completes,
    // releases its limiters and stores its idempotent response, as in the simulator (seed
    // 004: an abandoned request "runs twice" with its retry); the job learns that its client
    // is gone and counts its work as wasted
    let waiting = Waiting(Some(gone));
    let joined = tokio::spawn(job.run()).await;
    waiting.answered();
    match joined {
        Ok(reply) => reply,
        Err(e) => {
            errln!("throttlelab serve: backend task failed: {e}");
            Reply::problem(&Problem::Internal, env, request_id)
        }
    }
}

/// Set when the handler waiting for a job is dropped before the job answers (hyper drops it
/// when the client disconnects): the job's client is gone.
struct Waiting(Option<Arc<AtomicBool>>);

impl Waiting {
    /// The job answered while the handler still waited.
    fn answered(mut self) {
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
struct Job {
    app: Arc<App>,
    who: Identity,
    cost: u32,
    request_id: String,
    decision: Option<Decision>,
    /// Every level's decision, for the headers (`None`: the level does not count it).
    levels: Vec<Option<Decision>>,
    /// The calendar time of the decisions (their resets count from then).
    decided_at: UnixTime,
    ticket: Option<Ticket>,
    /// Set when the client disconnected before the answer.
    gone: Arc<AtomicBool>,
    /// The logical request's `X-Throttlelab-Request` tag (duplicate executions).
    tag: Option<String>,
    /// The upstream it is for (`X-Upstream`; 0 without upstreams).
    upstream: usize,
    /// The attempt's identity, when the lab's load client sent it (its draws' key).
    attempt: Option<AttemptId>,
}

impl Job {
    /// Delay, backend, `release` to the limiters, the on-completion record, and the response
    /// stored for replay.
    async fn run(self) -> Reply {
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
async fn serve(
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
            Reply::json(
                200,
                &json!({
                    "ok": true,
                    "request_id": request_id,
                    "key": who.key,
                    "tenant": who.tenant,
                    "cost": cost,
                    "queued_ms": waited.as_secs_f64() * 1e3,
                    "service_ms": service.as_secs_f64() * 1e3,
                }),
            )
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

/// The decisions the headers show, by level: those of the levels that count the request
/// (`counted`), with each level's fixed `Retry-After` on its denials.
fn shown(app: &App, ds: &[Decision], counted: &[bool]) -> Vec<Option<Decision>> {
    ds.iter()
        .zip(counted)
        .zip(&app.config.levels)
        .map(|((d, c), level)| c.then(|| with_fixed_retry(level, *d)))
        .collect()
}

/// `d` with `level`'s fixed `Retry-After` (seed 000: always 60 s) if it is a denial that can
/// pass later (a denial that can never pass keeps none).
fn with_fixed_retry(level: &Level, mut d: Decision) -> Decision {
    if let (false, Some(fixed), Some(_)) = (d.allowed, level.retry_after, d.retry_after) {
        d.retry_after = Some(Nanos::from(fixed));
    }
    d
}

/// A denial by level `i`; `shown` is every level's decision, for the headers.
fn deny(
    app: &App,
    i: usize,
    d: &Decision,
    cost: u32,
    request_id: &str,
    shown: &[Option<Decision>],
) -> Reply {
    let level = &app.config.levels[i];
    let d = with_fixed_retry(level, *d);
    let problem = if d.is_never() && level.status != 402 {
        Problem::CostOverCapacity {
            cost: u64::from(cost),
            limit: d.limit,
        }
    } else {
        Problem::Denied {
            status: level.status,
            quota: level.status == 402 || level.algorithm == "quota",
            required: u64::from(cost),
            available: d.remaining,
        }
    };
    Reply::problem(&problem, app.config.envelope, request_id).rate_headers(shown, &app.styles)
}
