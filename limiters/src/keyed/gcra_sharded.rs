//! [`ShardedKeyedGcra`]: the thread-safe [`super::KeyedGcra`]. Each shard is a read-mostly
//! `RwLock<HashMap<K, AtomicU64>>`: a known key takes the shared read lock and updates its TAT
//! with the same lock-free compare-exchange loop as [`crate::AtomicGcra`], so threads checking
//! known keys never exclude each other; only a new key takes its shard's write lock, once.
//! Eviction (exact for idle keys, smallest TAT first otherwise) is [`super::KeyedGcra`]'s, per
//! shard, under the write lock.

use super::gcra_cells::make_room;
use super::FastBuildHasher;
use crate::atomic::core::check_cell;
use crate::{Decision, GcraParams, LimiterError, Nanos};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

type Cells<K> = HashMap<K, AtomicU64, FastBuildHasher>;

/// One shard, on its own cache lines so that two threads' read locks on different shards do
/// not bounce one line between cores.
#[repr(align(128))]
struct Shard<K> {
    map: RwLock<Cells<K>>,
    idle_evictions: AtomicU64,
    forced_evictions: AtomicU64,
}

/// Per-key GCRA shared between threads: one `AtomicU64` TAT per key, rate parameters once.
/// No over-admission: every admission of a key is a successful compare-exchange on its one
/// cell, from the TAT the previous admission wrote.
///
/// ```
/// use limiters::keyed::ShardedKeyedGcra;
/// use limiters::{GcraParams, Nanos, Rate};
/// let params = GcraParams::new(Rate::per_second(10).unwrap(), 2).unwrap();
/// let k = ShardedKeyedGcra::new(params, 4, 1024).unwrap();
/// assert!(k.check_key(&7u64, Nanos::ZERO, 2).allowed);
/// assert!(!k.check_key(&7u64, Nanos::ZERO, 1).allowed);
/// assert_eq!(k.len(), 1);
/// ```
pub struct ShardedKeyedGcra<K> {
    params: GcraParams,
    shards: Box<[Shard<K>]>,
    per_shard: usize,
    hasher: FastBuildHasher,
}

impl<K> std::fmt::Debug for ShardedKeyedGcra<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedKeyedGcra")
            .field("params", &self.params)
            .field("shards", &self.shards.len())
            .field("per_shard", &self.per_shard)
            .finish()
    }
}

impl<K: Hash + Eq + Clone> ShardedKeyedGcra<K> {
    /// `shards` shards (at least 1) sharing `max_keys` (at least `shards`): each holds
    /// `max_keys / shards`, so the total never exceeds `max_keys`.
    pub fn new(
        params: GcraParams,
        shards: usize,
        max_keys: usize,
    ) -> Result<ShardedKeyedGcra<K>, LimiterError> {
        if shards == 0 {
            return Err(LimiterError::invalid("shards", "must be at least 1"));
        }
        if max_keys < shards {
            return Err(LimiterError::invalid(
                "max_keys",
                format!("must be at least the number of shards ({shards}), got {max_keys}"),
            ));
        }
        let shards = (0..shards)
            .map(|_| Shard {
                map: RwLock::new(HashMap::with_hasher(FastBuildHasher::default())),
                idle_evictions: AtomicU64::new(0),
                forced_evictions: AtomicU64::new(0),
            })
            .collect::<Vec<_>>()
            .into_boxed_slice();
        Ok(ShardedKeyedGcra {
            params,
            per_shard: max_keys / shards.len(),
            shards,
            hasher: FastBuildHasher::default(),
        })
    }

    fn shard(&self, key: &K) -> &Shard<K> {
        // Bits 32.. choose the shard; the map inside uses the low and the top bits.
        let h = self.hasher.hash_one(key);
        &self.shards[((h >> 32) as usize) % self.shards.len()]
    }

    /// Decide on a request of `key` and charge it if admitted. A known key: read lock and a
    /// compare-exchange. A poisoned lock still guards a consistent map (a TAT is one word), so
    /// it is used rather than propagated.
    #[inline]
    pub fn check_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        let shard = self.shard(key);
        {
            let map = shard.map.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(cell) = map.get(key) {
                return check_cell(&self.params, cell, now, cost);
            }
        }
        self.insert(shard, key, now, cost)
    }

    /// A key not seen under the read lock: decide under the write lock (another thread may have
    /// created it meanwhile), creating its cell if it is admitted with a TAT after `now`.
    #[cold]
    fn insert(&self, shard: &Shard<K>, key: &K, now: Nanos, cost: u32) -> Decision {
        let mut map = shard.map.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(cell) = map.get(key) {
            return check_cell(&self.params, cell, now, cost);
        }
        let (d, new) = self.params.step(0, now, cost);
        if let Some(tat) = new.filter(|&t| t > now.as_nanos()) {
            if map.len() >= self.per_shard {
                let (idle, forced) = make_room(&mut map, self.per_shard, now, |c| *c.get_mut());
                shard.idle_evictions.fetch_add(idle, Ordering::Relaxed);
                shard.forced_evictions.fetch_add(forced, Ordering::Relaxed);
            }
            map.insert(key.clone(), AtomicU64::new(tat));
        }
        d
    }

    /// What `check_key` would answer, charging and creating nothing.
    pub fn peek_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        let map = self
            .shard(key)
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let tat = map.get(key).map_or(0, |c| c.load(Ordering::Acquire));
        self.params.step(tat, now, cost).0
    }

    /// The stored TAT of `key` (`None`: absent, i.e. at full capacity).
    pub fn tat(&self, key: &K) -> Option<Nanos> {
        let map = self
            .shard(key)
            .map
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(key).map(|c| Nanos(c.load(Ordering::Acquire)))
    }

    /// Drop every key at full capacity at `now` from every shard; returns how many.
    pub fn evict_idle(&self, now: Nanos) -> usize {
        let mut total = 0;
        for shard in self.shards.iter() {
            let mut map = shard.map.write().unwrap_or_else(PoisonError::into_inner);
            let before = map.len();
            map.retain(|_, c| *c.get_mut() > now.as_nanos());
            let dropped = before - map.len();
            shard
                .idle_evictions
                .fetch_add(dropped as u64, Ordering::Relaxed);
            total += dropped;
        }
        total
    }

    fn sum(&self, f: impl Fn(&Shard<K>) -> u64) -> u64 {
        self.shards.iter().map(f).sum()
    }
    /// Keys stored over all shards (a snapshot, shard by shard).
    pub fn len(&self) -> usize {
        self.sum(|s| s.map.read().unwrap_or_else(PoisonError::into_inner).len() as u64) as usize
    }
    /// True when no shard stores a key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The bound on keys over all shards.
    pub fn max_keys(&self) -> usize {
        self.per_shard * self.shards.len()
    }
    /// The shared rate parameters.
    pub fn params(&self) -> GcraParams {
        self.params
    }
    /// Keys dropped at full capacity (exact).
    pub fn idle_evictions(&self) -> u64 {
        self.sum(|s| s.idle_evictions.load(Ordering::Relaxed))
    }
    /// Keys dropped before full capacity to stay within `max_keys` (state lost).
    pub fn forced_evictions(&self) -> u64 {
        self.sum(|s| s.forced_evictions.load(Ordering::Relaxed))
    }
    /// All evictions.
    pub fn evictions(&self) -> u64 {
        self.idle_evictions() + self.forced_evictions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> GcraParams {
        GcraParams::new("10/s".parse().unwrap(), 3).unwrap()
    }

    #[test]
    fn bad_shape_is_an_error() {
        let e = ShardedKeyedGcra::<u32>::new(params(), 0, 10).unwrap_err();
        assert_eq!(e.param(), Some("shards"));
        let e = ShardedKeyedGcra::<u32>::new(params(), 4, 3).unwrap_err();
        assert_eq!(e.param(), Some("max_keys"));
    }

    #[test]
    fn a_raced_insert_charges_the_existing_cell() {
        let k = ShardedKeyedGcra::new(params(), 2, 100).unwrap();
        let shard = k.shard(&5u32);
        // The slow path on a key that exists by then must not reset its TAT.
        assert!(k.check_key(&5, Nanos::ZERO, 3).allowed);
        assert!(!k.insert(shard, &5, Nanos::ZERO, 1).allowed);
        assert_eq!(k.tat(&5), Some(Nanos::from_millis(300)));
    }
}
