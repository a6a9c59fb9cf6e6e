//! Look-ahead: every few events, the world loads the client and request state of the next few
//! events behind them in the queue at once, so their cache misses overlap and that state is in
//! the cache when they are handled.
//!
//! Why: with a million clients the clients' state (40 MB) and the requests' slots are far
//! larger than the caches, and events visit them in random order: under `perf`, 58% of the
//! event loop's samples at 1,000,000 clients sat on the first load of the arriving client's
//! state, and 12% on the request slot of a retry. The engine knows its next events (the
//! current slot is sorted), so it can start those loads early, as event-list simulators and
//! packet processors do with software prefetch (here a plain load kept by
//! [`std::hint::black_box`]: the crate forbids `unsafe`, which the prefetch intrinsics need).
//! Nothing is written: outputs cannot change.

use super::{Event, World};
use std::hint::black_box;

/// Events warmed at once, every `BATCH` events: their loads are independent, so their misses
/// overlap (one kept load at a time stalled the loop on each miss in turn).
pub(crate) const BATCH: u64 = 8;

impl World {
    /// Every [`BATCH`] events (`events` counts them), load the state the events `BATCH` to
    /// `2 * BATCH` places on will read first.
    #[inline(always)]
    pub(crate) fn warm_ahead(&self, events: u64) {
        if !events.is_multiple_of(BATCH) {
            return;
        }
        for k in BATCH as usize..2 * BATCH as usize {
            match self.q.peek_ahead(k) {
                Some(Event::Arrival { client }) => {
                    black_box(self.clients.get(client as usize).map(|c| c.fleet));
                }
                Some(Event::Send { req, client, .. }) => {
                    black_box(self.reqs.get(req).map(|r| r.token));
                    black_box(self.clients.get(client as usize).map(|c| c.fleet));
                }
                Some(_) => {}
                None => break,
            }
        }
    }
}
