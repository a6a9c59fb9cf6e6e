//! `GET|POST /v1/work`: the rate-limited endpoint.
//!
//! The way of a request: authenticate (401) -> validate the `Idempotency-Key` (400) -> read the
//! body, bounded (413) -> parse it (400/422) -> idempotency: replay a stored response without
//! charging anything, or 409 on a reused key -> limiter levels, charged only if all admit
//! (429/402 with `Retry-After`; 422 for a cost no level can ever admit; 503 if the shared store
//! is down and configured to fail closed) -> backend: bounded queue (503), service time,
//! deadline (504), injected errors (500) -> `release` to the limiters with the outcome ->
//! store the response for replay if the backend processed it. Everything after admission runs
//! as a job a disconnect cannot cancel: polled once in the handler (a job that never waits
//! ends there), moved into its own task as soon as it must wait ([`execute`]).

use super::app::App;
use super::config::{Identity, Level};
use super::envelope::Problem;
use super::idempotency::{fingerprint, Begin, StoredResponse, Ticket};
use super::request::{authenticate, cost, idempotency_key, presented_key, read_body};
use super::respond::Reply;
use super::store::SKIP;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Method, Response, Uri};
use sim::model::Charge;
use std::borrow::Cow;
use std::sync::Arc;

/// The `Server` header of an outage answer: the load balancer answers it, not the API (as a
/// cloud load balancer names itself, e.g. `awselb/2.0`), so a client can tell it from the
/// API's own 5xx: the limiters never saw it (the simulator's outage is not admitted).
pub const OUTAGE_SERVER: &str = "throttlelab-lb";

/// The header names read per request, as constants (a `&str` name is parsed on every lookup).
const UPSTREAM: HeaderName = HeaderName::from_static(super::backend::UPSTREAM_HEADER);
const EXECUTION_TAG: HeaderName = HeaderName::from_static(super::executions::HEADER);

mod decide;
mod execute;
mod job;

use execute::execute;

/// The handler.
pub async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    let arrived = app.config.arrival_header.then(super::respond::unix_now);
    // the id is written into a stack buffer: no formatter and no allocation per request
    let mut id_buf = uuid::Uuid::encode_buffer();
    let request_id: &str = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id_buf);
    if let Some(status) = app.backend.outage() {
        // an outage window: the load balancer answers, before auth and limiters, so without
        // rate-limit headers (the simulator's outage answer carries no decision)
        let reply = Reply::problem(&Problem::Injected(status), app.config.envelope, request_id)
            .header("server", OUTAGE_SERVER);
        return app.finish(reply, request_id);
    }
    // the upstream (model) the request is for: its own outage answers as the load balancer's
    let named = headers.get(&UPSTREAM).and_then(|v| v.to_str().ok());
    let Some(upstream) = app.backend.upstream(named) else {
        let field = (
            super::backend::UPSTREAM_HEADER.into(),
            "unknown upstream".into(),
        );
        return app
            .reject(Problem::Validation(vec![field]), None, request_id)
            .await;
    };
    if let Some(status) = app.backend.upstream_outage(upstream) {
        let reply = Reply::problem(&Problem::Injected(status), app.config.envelope, request_id)
            .header("server", OUTAGE_SERVER);
        return app.finish(reply, request_id);
    }
    let who = match authenticate(&headers, &app.config.keys) {
        Ok(who) => Cow::Borrowed(who),
        // open registration: an unknown key is a client (and org) of its own
        Err(Problem::InvalidKey) if app.config.open_keys.is_some() => {
            match presented_key(&headers) {
                Ok(key) => Cow::Owned(open_identity(key)),
                Err(p) => return app.reject(p, None, request_id).await,
            }
        }
        Err(p) => return app.reject(p, None, request_id).await,
    };
    let who: &Identity = &who;
    match prepare(&app, who, &method, &uri, &headers, body).await {
        Err(p) => app.reject(p, Some(who), request_id).await,
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
                .get(&EXECUTION_TAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let attempt = super::attempt_id::parse(&headers);
            let to = (upstream, attempt);
            let mut reply = execute(&app, who, (cost, tag, to), request_id, ticket).await;
            if let Some(t) = arrived {
                reply = reply.header(super::config::ARRIVED_HEADER, &t.0.to_string());
            }
            app.finish(reply, request_id)
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
pub(super) fn staging<'a>(app: &App, who: &'a Identity) -> (Vec<&'a str>, Option<Vec<&'a str>>) {
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
