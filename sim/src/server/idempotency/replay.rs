//! The simulated server's side of idempotency keys: fleets with `idempotency_key = true` send
//! a key with every attempt of a logical request; before the limiters, the server looks it up
//! in an [`IdempotencyStore`] (24 h TTL as Stripe, at most a million keys): a replay answers the
//! stored status without executing or charging quota (seed 004), a replay while the first
//! attempt still executes gets 409 (Stripe), and the executing attempt stores its outcome.
//!
//! A request's body fingerprint is its client's index, unless the fleet's clients rebuild the
//! body on retry (`[fleet.<name>.idempotency] changed_body_probability`): a retry then carries
//! a different body with that probability, and meets the stored first body with 409 (seed
//! 002's `idempotency.key_mismatch`, "Same key, different body"), as the live server answers
//! (`src/live/idempotency.rs`: the fingerprint is a hash of method, path and body).

use super::{IdemKey, IdemLookup, IdempotencyStore};
use crate::engine::{mix64, Purpose, Stream, World};
use crate::server::{JobMeta, Response};
use limiters::Nanos;
use std::collections::HashSet;

/// Keys are kept this long (Stripe: 24 hours).
pub const IDEM_TTL: Nanos = Nanos::from_secs(24 * 3600);
/// At most this many keys are held; the oldest go first.
pub const IDEM_CAPACITY: usize = 1_000_000;

/// The store and the attempts executing under a key.
#[derive(Debug)]
pub struct IdemServer {
    store: IdempotencyStore,
    executing: HashSet<(u32, u32)>,
}

impl Default for IdemServer {
    fn default() -> IdemServer {
        IdemServer {
            store: IdempotencyStore::new(IDEM_TTL, IDEM_CAPACITY),
            executing: HashSet::new(),
        }
    }
}

/// The key of a logical request: its client, slot and first send identify it.
fn key_of(client: u32, req: u32, first_sent: Nanos) -> IdemKey {
    let mut z = (u64::from(client) << 32 | u64::from(req)) ^ first_sent.as_nanos().rotate_left(29);
    // SplitMix64 finaliser: spread the bits.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The salt of fleet `fleet`'s changed-body coins under `seed`.
pub fn body_salt(seed: u64, fleet: &str) -> u64 {
    rand::RngCore::next_u64(&mut Stream::derive(
        seed,
        Purpose::IdempotencyBody,
        fleet,
        0,
    ))
}

/// Whether attempt `attempt` (1 = the first) of logical request `request` of `client` carries
/// a body other than the first attempt's: never the first; a retry with probability `p`, each
/// retry on its own. A coin by identity (a hash of the fleet's `salt`, the client, the request
/// and the attempt), so it takes no draw from any stream: a variant that reorders requests
/// gives the same attempt the same coin. The live fleet flips it the same way.
///
/// ```
/// use sim::server::idempotency::body_changed;
/// assert!(!body_changed(7, 0, 1, 1, 1.0)); // a first attempt never changes
/// assert!(body_changed(7, 0, 1, 2, 1.0));
/// assert!(!body_changed(7, 0, 1, 2, 0.0));
/// let n = (0..10_000u64).filter(|&r| body_changed(7, 3, r, 2, 0.25)).count();
/// assert!((2_300..2_700).contains(&n), "{n}");
/// ```
pub fn body_changed(salt: u64, client: u32, request: u64, attempt: u32, p: f64) -> bool {
    if attempt <= 1 || p <= 0.0 {
        return false;
    }
    let id = mix64(request ^ (u64::from(client) << 40) ^ u64::from(attempt).rotate_left(20));
    let z = mix64(salt ^ id);
    ((z >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
}

impl World {
    /// Before the limiters: `Some(response)` when the key answers the attempt (a replay or a
    /// 409), `None` to serve it normally.
    pub(crate) fn idem_before(&mut self, meta: &JobMeta) -> Option<Response> {
        let fi = self.clients[meta.client as usize].fleet as usize;
        if !self.fleets[fi].idempotency_key {
            return None;
        }
        let r = &self.reqs[meta.req];
        let (first_sent, attempt) = (r.first_sent, r.retry.attempts);
        let f = &self.fleets[fi];
        let key = key_of(meta.client, meta.req, first_sent);
        let body = if body_changed(f.body_salt, meta.client, key, attempt, f.changed_body) {
            mix64(key ^ u64::from(attempt))
        } else {
            u64::from(meta.client)
        };
        let idem = self.idem.as_mut()?;
        let status = match idem.store.begin(self.now, key, body) {
            IdemLookup::Execute => {
                idem.executing.insert((meta.req, meta.token));
                return None;
            }
            IdemLookup::Replay { status } => status,
            IdemLookup::Conflict | IdemLookup::InProgress => 409,
        };
        Some(Response {
            status,
            decision: None,
            admitted: false,
            executed: false,
            work: Nanos::ZERO,
        })
    }

    /// The server answered an attempt: an attempt that executed under a key stores its outcome
    /// (or releases the key if it never executed).
    pub(crate) fn idem_after(&mut self, meta: &JobMeta, resp: &Response) {
        let Some(idem) = self.idem.as_mut() else {
            return;
        };
        if idem.executing.remove(&(meta.req, meta.token)) {
            let key = key_of(meta.client, meta.req, self.reqs[meta.req].first_sent);
            idem.store
                .complete(self.now, key, resp.status, resp.executed);
        }
    }
}
