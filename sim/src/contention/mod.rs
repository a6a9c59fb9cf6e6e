//! Optimistic-concurrency contention: the model of Marc Brooker's "Exponential Backoff and
//! Jitter" (AWS Architecture Blog, 2015). `N` clients each make one update to a single row:
//! read it (one round trip, which returns the row's version), then write it conditionally (one
//! round trip); the write fails, like an HTTP 409, if another write landed since the read.
//! After a failed write the client's retry policy decides how long to back off before it reads
//! again. The run ends when every client has written (or given up). The figures the post
//! plots: total write calls (the work the contention costs) and the time until the last
//! client has written.
//!
//! The rate-limited server of the rest of the simulator does not fit (its requests do not
//! depend on one another), so this is its own small event loop, reusing the engine's event
//! queue, RNG streams and samplers and the retry policies of [`crate::retry`] (the jitter
//! formulas live there, once). The server side is instantaneous and serial: the events of a
//! single row are applied in time order (ties in send order), as a database serialises them.
//! [`brooker_policy`] gives the published simulator's strategies with its attempt counter.

mod brooker;
pub use brooker::{brooker_policy, UnknownStrategy, STRATEGIES};

use crate::engine::{Event, EventQueue, Purpose, Sampler, Stream};
use crate::model::Distribution;
use crate::retry::{AttemptResult, RetryDecision, RetryPolicy, RetryState};
use limiters::Nanos;
use serde::Serialize;
use thiserror::Error;

/// An optimistic-concurrency experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Occ {
    /// Clients, each making one update; all start at t = 0.
    pub clients: u32,
    /// One-way network delay, drawn for each direction of each call.
    pub delay: Distribution,
    /// What a client does after a failed write (asked with status 409; it must retry 409 and
    /// its `max_attempts` counts writes).
    pub retry: RetryPolicy,
    /// Give up the run at this time (a guard against a policy that never lets clients finish).
    pub horizon: Nanos,
}

/// Why an experiment cannot run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OccError {
    /// No clients, or too many.
    #[error("`clients` must be 1 to 1,000,000, got {0}")]
    Clients(u32),
    /// The policy would give up on the first conflict.
    #[error("the retry policy must retry 409 (a failed conditional write)")]
    NoRetryOnConflict,
}

/// What one experiment produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OccResult {
    /// Clients.
    pub clients: u32,
    /// Conditional writes sent (successful ones included).
    pub writes: u64,
    /// Reads sent.
    pub reads: u64,
    /// Writes per client: 1 without contention.
    pub writes_per_client: f64,
    /// Clients whose write succeeded.
    pub completed: u32,
    /// Clients that gave up (the policy's `max_attempts`).
    pub gave_up: u32,
    /// When the last client finished (wrote or gave up), seconds; the horizon if some never did.
    pub completion_s: f64,
    /// Mean time from start to a client's successful write, seconds.
    pub mean_latency_s: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Client {
    read_version: u64,
    state: Option<RetryState>,
    done: bool,
}

/// Phases, carried in the events' `token`.
const READ: u32 = 0;
const WRITE: u32 = 1;

/// Run `occ` with `seed`.
///
/// ```
/// use sim::contention::{run_occ, Occ};
/// use sim::model::{Distribution, RetryPolicy, Strategy, StatusSet};
/// use limiters::Nanos;
/// let mut retry = RetryPolicy::new(Strategy::Immediate, 1_000);
/// retry.retry_on = StatusSet::of(&[409]);
/// let occ = Occ { clients: 1, delay: Distribution::Constant(Nanos::from_millis(10)),
///                 retry, horizon: Nanos::from_secs(60) };
/// let r = run_occ(&occ, 1).unwrap();
/// assert_eq!((r.writes, r.reads, r.completed), (1, 1, 1));
/// assert!((r.completion_s - 0.04).abs() < 1e-9);   // two round trips of 2 x 10 ms
/// ```
pub fn run_occ(occ: &Occ, seed: u64) -> Result<OccResult, OccError> {
    if occ.clients == 0 || occ.clients > 1_000_000 {
        return Err(OccError::Clients(occ.clients));
    }
    if !occ.retry.retries(&AttemptResult::status(409)) {
        return Err(OccError::NoRetryOnConflict);
    }
    let n = occ.clients as usize;
    let net = Sampler::new(&occ.delay);
    let mut net_rng = Stream::derive(seed, Purpose::Network, "occ", 0);
    let mut jitter: Vec<Stream> = (0..n)
        .map(|i| Stream::derive(seed, Purpose::Jitter, "occ", i as u64))
        .collect();
    let mut clients = vec![Client::default(); n];
    let mut q = EventQueue::with_capacity(2 * n);
    let (mut version, mut reads, mut writes) = (0u64, 0u64, 0u64);
    let (mut completed, mut gave_up, mut last) = (0u32, 0u32, Nanos::ZERO);
    let mut latency_sum = 0f64;
    for c in 0..occ.clients {
        reads += 1;
        q.push(net.sample(&mut net_rng), server(c, READ));
    }
    while let Some((now, ev)) = q.pop() {
        if now >= occ.horizon {
            last = occ.horizon;
            break;
        }
        match ev {
            // Server side: a read returns the version; a write lands only if it is unchanged.
            Event::ServerRecv { req, token } => {
                let cl = &mut clients[req as usize];
                let ok = match token {
                    READ => {
                        cl.read_version = version;
                        true
                    }
                    _ => {
                        let ok = cl.read_version == version;
                        if ok {
                            version += 1;
                        }
                        ok
                    }
                };
                let back = now + net.sample(&mut net_rng);
                q.push(
                    back,
                    Event::ClientRecv {
                        req,
                        token: token * 2 + u32::from(ok),
                    },
                );
            }
            // Client side.
            Event::ClientRecv { req, token } => {
                let i = req as usize;
                match token {
                    // Read answered: write conditionally.
                    t if t == READ * 2 + 1 => {
                        writes += 1;
                        // The state counts writes: 1 after the first, +1 for each retry.
                        match &mut clients[i].state {
                            Some(st) => st.attempts += 1,
                            None => clients[i].state = Some(RetryState::first()),
                        }
                        q.push(now + net.sample(&mut net_rng), server(req, WRITE));
                    }
                    // Write landed.
                    t if t == WRITE * 2 + 1 => {
                        clients[i].done = true;
                        completed += 1;
                        latency_sum += now.as_secs_f64();
                        last = last.max(now);
                    }
                    // Conflict: back off, then read again.
                    _ => {
                        let st = clients[i].state.get_or_insert_with(RetryState::first);
                        match occ
                            .retry
                            .decide(st, &AttemptResult::status(409), &mut jitter[i])
                        {
                            RetryDecision::Retry(d) => q.push(
                                now + d,
                                Event::Send {
                                    req,
                                    token: READ,
                                    client: req,
                                },
                            ),
                            RetryDecision::GiveUp(_) => {
                                clients[i].done = true;
                                gave_up += 1;
                                last = last.max(now);
                            }
                        }
                    }
                }
            }
            // Backoff over: read again.
            Event::Send { req, .. } => {
                reads += 1;
                q.push(now + net.sample(&mut net_rng), server(req, READ));
            }
            _ => {}
        }
    }
    if clients.iter().any(|c| !c.done) {
        last = occ.horizon;
    }
    Ok(OccResult {
        clients: occ.clients,
        writes,
        reads,
        writes_per_client: writes as f64 / f64::from(occ.clients),
        completed,
        gave_up,
        completion_s: last.as_secs_f64(),
        mean_latency_s: if completed > 0 {
            latency_sum / f64::from(completed)
        } else {
            0.0
        },
    })
}

fn server(req: u32, token: u32) -> Event {
    Event::ServerRecv { req, token }
}
