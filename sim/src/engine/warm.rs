//! Look-ahead: before it handles an event, the world loads the client and request state of an
//! event a few places behind it in the queue, so that state is on its way into the cache
//! while the current event is handled.
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

/// How far ahead: an event's handling (about 150 to 300 ns at that size) hides most of a miss.
pub(crate) const AHEAD: usize = 3;

impl World {
    /// Load the state the event [`AHEAD`] places on will read first.
    #[inline(always)]
    pub(crate) fn warm_ahead(&self) {
        match self.q.peek_ahead(AHEAD) {
            Some(Event::Arrival { client }) => {
                black_box(self.clients.get(client as usize).map(|c| c.fleet));
            }
            Some(Event::Send { req, client, .. }) => {
                black_box(self.reqs.get(req).map(|r| r.token));
                black_box(self.clients.get(client as usize).map(|c| c.fleet));
            }
            _ => {}
        }
    }
}
