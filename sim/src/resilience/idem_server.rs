//! The simulated server's side of idempotency keys: fleets with `idempotency_key = true` send
//! a key with every attempt of a logical request; before the limiters, the server looks it up
//! in an [`IdempotencyStore`] (24 h TTL as Stripe, at most a million keys): a replay answers the
//! stored status without executing or charging quota (seed 004), a replay while the first
//! attempt still executes gets 409 (Stripe), and the executing attempt stores its outcome.

use super::{IdemKey, IdemLookup, IdempotencyStore};
use crate::engine::World;
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

impl World {
    /// Before the limiters: `Some(response)` when the key answers the attempt (a replay or a
    /// 409), `None` to serve it normally.
    pub(crate) fn idem_before(&mut self, meta: &JobMeta) -> Option<Response> {
        let fi = self.clients[meta.client as usize].fleet as usize;
        if !self.fleets[fi].idempotency_key {
            return None;
        }
        let first_sent = self.reqs[meta.req].first_sent;
        let idem = self.idem.as_mut()?;
        let key = key_of(meta.client, meta.req, first_sent);
        let status = match idem.store.begin(self.now, key, u64::from(meta.client)) {
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
