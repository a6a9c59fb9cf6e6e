//! The server side of idempotency keys (seeds 002 and 004; Stripe's `Idempotency-Key`; IETF
//! draft-ietf-httpapi-idempotency-key-header): the first request with a key executes and its
//! response is stored; a replay with the same key and the same body returns the stored
//! response without executing again and without consuming quota (seed 004:
//! `X-Idempotent-Replay: true`); the same key with a different body is refused with 409
//! (seed 002 `idempotency.key_mismatch`, seed 004 `IDEMPOTENCY_KEY_CONFLICT`); a replay while
//! the first is still executing is refused with 409 too (Stripe's behaviour).
//!
//! The store is bounded and keys expire after a TTL (Stripe keeps them 24 hours). Insertion
//! order is expiry order (one TTL for all), so one FIFO serves both expiry and eviction of the
//! oldest when full. Without a key, a retried non-idempotent request executes again: the
//! simulator counts those duplicates.

use limiters::Nanos;
use std::collections::{HashMap, VecDeque};

/// An idempotency key, scoped by the caller (e.g. `(api key id << 32) | client sequence`).
pub type IdemKey = u64;

/// What the server does with a request carrying a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdemLookup {
    /// New key: execute (the store now holds it as in progress).
    Execute,
    /// Seen and completed: answer with the stored status, execute nothing, charge nothing.
    Replay {
        /// The stored response status.
        status: u16,
    },
    /// Same key, different body: 409.
    Conflict,
    /// Same key, the first request still executing: 409.
    InProgress,
}

impl IdemLookup {
    /// The status a refusal is answered with (409), or `None` when the lookup is not a refusal.
    pub fn refusal_status(self) -> Option<u16> {
        matches!(self, IdemLookup::Conflict | IdemLookup::InProgress).then_some(409)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    body: u64,
    status: Option<u16>,
    expires: Nanos,
    generation: u64,
}

/// The store.
///
/// ```
/// use sim::server::idempotency::{IdemLookup, IdempotencyStore};
/// use limiters::Nanos;
/// let mut s = IdempotencyStore::new(Nanos::from_secs(86_400), 1000);
/// let t = Nanos::ZERO;
/// assert_eq!(s.begin(t, 7, 0xb0d7), IdemLookup::Execute);
/// assert_eq!(s.begin(t, 7, 0xb0d7), IdemLookup::InProgress);
/// s.complete(t, 7, 201, true);
/// assert_eq!(s.begin(t, 7, 0xb0d7), IdemLookup::Replay { status: 201 });
/// assert_eq!(s.begin(t, 7, 0xdead), IdemLookup::Conflict);
/// ```
#[derive(Clone, Debug)]
pub struct IdempotencyStore {
    ttl: Nanos,
    capacity: usize,
    map: HashMap<IdemKey, Entry>,
    order: VecDeque<(IdemKey, u64)>,
    next_generation: u64,
    evicted: u64,
}

impl IdempotencyStore {
    /// A store keeping keys for `ttl`, at most `capacity` of them (at least 1).
    pub fn new(ttl: Nanos, capacity: usize) -> IdempotencyStore {
        IdempotencyStore {
            ttl,
            capacity: capacity.max(1),
            map: HashMap::new(),
            order: VecDeque::new(),
            next_generation: 0,
            evicted: 0,
        }
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Keys evicted early because the store was full.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn expire(&mut self, now: Nanos) {
        while let Some(&(key, generation)) = self.order.front() {
            match self.map.get(&key) {
                Some(e) if e.generation == generation => {
                    if e.expires > now {
                        break;
                    }
                    self.map.remove(&key);
                }
                _ => {} // stale: the key was re-inserted later
            }
            self.order.pop_front();
        }
    }

    fn evict_oldest(&mut self) {
        while let Some((key, generation)) = self.order.pop_front() {
            if self
                .map
                .get(&key)
                .is_some_and(|e| e.generation == generation)
            {
                self.map.remove(&key);
                self.evicted += 1;
                return;
            }
        }
    }

    /// A request with `key` and a body hash `body` arrives at `now`.
    pub fn begin(&mut self, now: Nanos, key: IdemKey, body: u64) -> IdemLookup {
        self.expire(now);
        if let Some(e) = self.map.get(&key) {
            return if e.body != body {
                IdemLookup::Conflict
            } else {
                match e.status {
                    Some(status) => IdemLookup::Replay { status },
                    None => IdemLookup::InProgress,
                }
            };
        }
        if self.map.len() >= self.capacity {
            self.evict_oldest();
        }
        let generation = self.next_generation;
        self.next_generation += 1;
        self.map.insert(
            key,
            Entry {
                body,
                status: None,
                expires: now + self.ttl,
                generation,
            },
        );
        self.order.push_back((key, generation));
        IdemLookup::Execute
    }

    /// The request admitted under `key` finished with `status`. Following Stripe ("results are
    /// only saved if an API endpoint started executing"), a request that never executed (a
    /// limiter's 429/402, a full queue's 503) releases its key so a retry may execute; an
    /// executed one stores its status, failures included.
    pub fn complete(&mut self, _now: Nanos, key: IdemKey, status: u16, executed: bool) {
        if !executed {
            self.map.remove(&key);
        } else if let Some(e) = self.map.get_mut(&key) {
            e.status = Some(status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_expire_after_the_ttl_and_the_oldest_goes_when_full() {
        let mut s = IdempotencyStore::new(Nanos::from_secs(10), 2);
        assert_eq!(s.begin(Nanos::ZERO, 1, 1), IdemLookup::Execute);
        s.complete(Nanos::ZERO, 1, 200, true);
        assert_eq!(
            s.begin(Nanos::from_millis(9_999), 1, 1),
            IdemLookup::Replay { status: 200 }
        );
        assert_eq!(s.begin(Nanos::from_secs(10), 1, 1), IdemLookup::Execute);
        assert_eq!(s.begin(Nanos::from_secs(11), 2, 1), IdemLookup::Execute);
        assert_eq!(s.begin(Nanos::from_secs(12), 3, 1), IdemLookup::Execute);
        assert_eq!(s.len(), 2);
        assert_eq!(s.evicted(), 1);
        // Key 1 (the oldest) was evicted: it executes again.
        assert_eq!(s.begin(Nanos::from_secs(12), 1, 1), IdemLookup::Execute);
        assert_eq!(s.begin(Nanos::from_secs(12), 3, 2), IdemLookup::Conflict);
        assert_eq!(IdemLookup::Conflict.refusal_status(), Some(409));
        assert_eq!(IdemLookup::Execute.refusal_status(), None);
    }

    #[test]
    fn a_request_that_never_executed_releases_the_key() {
        let mut s = IdempotencyStore::new(Nanos::from_secs(10), 10);
        s.begin(Nanos::ZERO, 5, 9);
        s.complete(Nanos::ZERO, 5, 429, false);
        assert_eq!(s.begin(Nanos::ZERO, 5, 9), IdemLookup::Execute);
        s.complete(Nanos::ZERO, 5, 500, true);
        assert_eq!(
            s.begin(Nanos::ZERO, 5, 9),
            IdemLookup::Replay { status: 500 }
        );
    }
}
