//! Requests a fleet's gate told to wait, woken in the simulator's order.
//!
//! A client-side rate limiter out of tokens (the AWS SDK's adaptive mode) tells each asking
//! request to come back when the next token is due, so every request that asks before then is
//! told the same instant. The simulator's queue serves events at one instant in the order they
//! were scheduled (`sim::engine::EventQueue`: by time, then sequence), so the request that has
//! waited longest asks first and gets the token. Tokio wakes the sleepers of one timer tick in
//! its own order, and another request got it live: at 32.3 s of seed 000 (45 s, seed 42),
//! eight `lab` requests woke together, the one served first live was on the other API key,
//! whose rolling window still had room, and an attempt the simulator refused (429) was
//! admitted, after which the fleet's adaptive rate went its own way (issue #13). Here a woken
//! request asks the gate only when no request due at or before its own instant, and told
//! earlier, is still to ask.

use limiters::Nanos;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One fleet's waiting requests, by (due time, order told).
#[derive(Debug, Default)]
pub struct Waiters {
    due: Mutex<BTreeSet<(Nanos, u64)>>,
    seq: AtomicU64,
}

/// A request's place among the waiters; leaving it (or dropping it) frees the place.
#[derive(Debug)]
pub struct Place<'a> {
    room: &'a Waiters,
    key: (Nanos, u64),
    left: bool,
}

impl Waiters {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<(Nanos, u64)>> {
        self.due.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request told to come back at `at`, after every request told so before it.
    pub fn enter(&self, at: Nanos) -> Place<'_> {
        let key = (at, self.seq.fetch_add(1, Ordering::Relaxed));
        self.lock().insert(key);
        Place {
            room: self,
            key,
            left: false,
        }
    }
}

impl Place<'_> {
    /// Whether this request is next (no earlier place is left), leaving if it is.
    pub fn try_leave(&mut self) -> bool {
        let mut due = self.room.lock();
        if due.first() == Some(&self.key) {
            due.remove(&self.key);
            self.left = true;
        }
        self.left
    }

    /// Wait (yielding) until every request due before this one, or at the same instant and
    /// told earlier, has asked; then leave. Call it once this one's instant has come: those
    /// before it are due too, so they are awake or about to be.
    pub async fn turn(mut self) {
        while !self.try_leave() {
            tokio::task::yield_now().await;
        }
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if !self.left {
            self.room.lock().remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_one_instant_the_request_told_first_goes_first() {
        let w = Waiters::default();
        let t = Nanos::from_millis(32_299);
        let mut first = w.enter(t);
        let mut second = w.enter(t);
        let mut earlier = w.enter(t - Nanos(1));
        assert!(!second.try_leave());
        assert!(!first.try_leave(), "an earlier instant goes first");
        assert!(earlier.try_leave());
        assert!(!second.try_leave());
        assert!(first.try_leave());
        assert!(second.try_leave());
    }

    #[test]
    fn a_dropped_place_does_not_block_the_others() {
        let w = Waiters::default();
        let t = Nanos::from_secs(1);
        let gone = w.enter(t);
        let mut next = w.enter(t);
        assert!(!next.try_leave());
        drop(gone);
        assert!(next.try_leave());
    }
}
