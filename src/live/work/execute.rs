//! After the front of `/v1/work` (authentication, body, idempotency): the limiter levels,
//! charged only if all admit, then the admitted request handed to its own task ([`super::job`]).

use super::decide::{deny, headline_of, shown};
use super::job::{Job, Waiting};
use super::staging;
use crate::live::app::App;
use crate::live::config::{Identity, StoreConfig};
use crate::live::envelope::Problem;
use crate::live::idempotency::Ticket;
use crate::live::respond::{unix_now, Reply};
use crate::live::store::{Verdict, SKIP};
use limiters::Decision;
use sim::engine::AttemptId;
use std::future::Future as _;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::task::Poll;

/// Limiters, then (once admitted) the backend in its own task, see [`Job`]. A denied request
/// drops its idempotency `ticket`, freeing the key for a retry.
pub(super) async fn execute(
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
            Ok(Verdict::FailClosed) => return fail_closed(app, request_id),
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
        Verdict::FailClosed => return fail_closed(app, request_id),
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
    //
    // The job's first poll runs here, in the handler's task: a job that finishes without
    // waiting (a free worker, no service time, the memory store) answers without a task of
    // its own and without waking this one, and there is no await point where a disconnect
    // could cancel it. A job that must wait moves, as it is, into its own task.
    let waiting = Waiting(Some(gone));
    let mut run = Box::pin(job.run());
    let first = std::future::poll_fn(|cx| Poll::Ready(run.as_mut().poll(cx))).await;
    let joined = match first {
        Poll::Ready(reply) => Ok(reply),
        Poll::Pending => tokio::spawn(run).await,
    };
    waiting.answered();
    match joined {
        Ok(reply) => reply,
        Err(e) => {
            errln!("throttlelab serve: backend task failed: {e}");
            Reply::problem(&Problem::Internal, env, request_id)
        }
    }
}

/// The refusal of a store that failed closed: the configured status without `Retry-After`
/// (Envoy's `status_on_error`, as the simulator answers it), else 503 with `Retry-After: 1`.
fn fail_closed(app: &App, request_id: &str) -> Reply {
    let env = app.config.envelope;
    match app.config.store {
        StoreConfig::Redis {
            closed_status: Some(status),
            ..
        } => Reply::problem(&Problem::StoreUnavailable(status), env, request_id),
        _ => Reply::problem(&Problem::StoreUnavailable(503), env, request_id)
            .header("retry-after", "1"),
    }
}
