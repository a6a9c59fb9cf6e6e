//! [`ShardedKeyed`]: a thread-safe [`Keyed`] store, split into independently locked shards so
//! that threads working on different keys rarely wait for each other.

use super::{FastBuildHasher, KeyFactory, Keyed};
use crate::{Decision, Limiter, LimiterError, Nanos, Outcome};
use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard};

/// `shards` [`Keyed`] stores behind their own mutex; a key always maps to the same shard, so
/// every decision for a key is made under that shard's lock (no over-admission across threads).
///
/// ```
/// use limiters::keyed::ShardedKeyed;
/// use limiters::{ConcurrencyLimit, Nanos};
/// use std::sync::Arc;
/// let factory = Arc::new(|| ConcurrencyLimit::new(2, Nanos::from_secs(1)).unwrap());
/// let store: ShardedKeyed<u64, _> = ShardedKeyed::new(8, 1024, Nanos::from_secs(60), factory).unwrap();
/// assert!(store.check_key(&7, Nanos::ZERO, 2).allowed);
/// assert!(!store.check_key(&7, Nanos::ZERO, 1).allowed);
/// assert_eq!(store.len(), 1);
/// ```
pub struct ShardedKeyed<K, L> {
    shards: Box<[Mutex<Keyed<K, L>>]>,
    hasher: FastBuildHasher,
}

impl<K, L> std::fmt::Debug for ShardedKeyed<K, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedKeyed")
            .field("shards", &self.shards.len())
            .finish()
    }
}

impl<K: Hash + Eq + Clone, L: Limiter> ShardedKeyed<K, L> {
    /// `shards` stores (at least 1) sharing `max_keys`: each holds `max_keys / shards`, so the
    /// total never exceeds `max_keys` (which must be at least `shards`).
    pub fn new(
        shards: usize,
        max_keys: usize,
        idle_after: Nanos,
        factory: KeyFactory<L>,
    ) -> Result<ShardedKeyed<K, L>, LimiterError> {
        if shards == 0 {
            return Err(LimiterError::invalid("shards", "must be at least 1"));
        }
        if max_keys < shards {
            return Err(LimiterError::invalid(
                "max_keys",
                format!("must be at least the number of shards ({shards}), got {max_keys}"),
            ));
        }
        let per_shard = max_keys / shards;
        let shards = (0..shards)
            .map(|_| Keyed::new(per_shard, idle_after, factory.clone()).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?
            .into_boxed_slice();
        Ok(ShardedKeyed {
            shards,
            hasher: FastBuildHasher::default(),
        })
    }

    /// The locked shard of `key`. A poisoned lock (a panic while it was held) still holds a
    /// consistent store, so it is used rather than propagated.
    pub fn shard(&self, key: &K) -> MutexGuard<'_, Keyed<K, L>> {
        // Bits 32.. choose the shard; the map inside uses the low and the top bits.
        let h = self.hasher.hash_one(key);
        let i = ((h >> 32) as usize) % self.shards.len();
        self.shards[i].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`Keyed::check_key`] under the key's shard lock.
    pub fn check_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        self.shard(key).check_key(key, now, cost)
    }
    /// [`Keyed::peek_key`] under the key's shard lock.
    pub fn peek_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        self.shard(key).peek_key(key, now, cost)
    }
    /// [`Keyed::release_key`] under the key's shard lock.
    pub fn release_key(&self, key: &K, now: Nanos, cost: u32, outcome: Outcome) {
        self.shard(key).release_key(key, now, cost, outcome)
    }

    fn sum(&self, f: impl Fn(&Keyed<K, L>) -> u64) -> u64 {
        self.shards
            .iter()
            .map(|s| f(&s.lock().unwrap_or_else(|e| e.into_inner())))
            .sum()
    }
    /// Keys stored over all shards (locks each shard in turn: a snapshot, not atomic).
    pub fn len(&self) -> usize {
        self.sum(|k| k.len() as u64) as usize
    }
    /// True when no shard stores a key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Evictions over all shards.
    pub fn evictions(&self) -> u64 {
        self.sum(Keyed::evictions)
    }
    /// Forced (non-idle) evictions over all shards.
    pub fn forced_evictions(&self) -> u64 {
        self.sum(Keyed::forced_evictions)
    }
    /// The bound on keys over all shards.
    pub fn max_keys(&self) -> usize {
        self.sum(|k| k.max_keys() as u64) as usize
    }
}
