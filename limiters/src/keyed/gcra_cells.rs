//! [`KeyedGcra`]: per-key GCRA with the rate parameters stored once per store and one `u64`
//! TAT per key (16 bytes of table per `u64` key, as in governor's keyed store), where
//! [`super::Keyed`]`<Gcra>` keeps a whole 56-byte [`crate::Gcra`] and CLOCK bookkeeping per key.
//!
//! # Why a key whose TAT has passed is exactly an absent key
//! [`GcraParams::step`] reads the TAT only through `max(TAT, t)`. A key with `TAT <= now`
//! therefore decides, at every `t >= now`, exactly like a key with TAT 0 (a new key): both see
//! `max(TAT, t) = t`. Dropping it and starting it again from 0 on its next request changes no
//! decision, provided time does not go backwards past `now` (one simulation clock, or the wall
//! clock of one process). This is the same idea as [`super::Keyed`]'s idle eviction, with the
//! idle test reduced to one comparison and no `idle_after` to tune.
//!
//! # Bounded memory
//! At most `max_keys` keys. A new key in a full store first drops every idle key (one O(n)
//! pass), and if that leaves less than an eighth of the store free, it also drops the keys
//! with the *smallest* TATs until an eighth is free. The next eighth of inserts then costs
//! nothing extra, so inserts are amortised O(1). The smallest TAT is the key nearest to full
//! capacity: forgetting it over-admits that key by the fewest requests (`(TAT - now) / T`,
//! less than the burst), and since every admission pushes a TAT forward, it is also roughly
//! the least recently used key. The choice is to evict rather than refuse new keys: refusing
//! would deny every new client (fail closed) while the store is full of active ones, which is
//! worse for an API than a bounded over-admission of the quietest key. Forced evictions are
//! counted ([`KeyedGcra::forced_evictions`]); a store that forces many is too small.

use super::FastBuildHasher;
use crate::{Decision, GcraParams, LimiterError, Nanos};
use std::collections::HashMap;
use std::hash::Hash;

/// Per-key GCRA decisions identical to one [`crate::Gcra`] per key (for a non-decreasing
/// `now`), in bounded memory.
///
/// ```
/// use limiters::keyed::KeyedGcra;
/// use limiters::{GcraParams, Nanos, Rate};
/// let params = GcraParams::new(Rate::per_second(10).unwrap(), 2).unwrap();
/// let mut k = KeyedGcra::new(params, 1000).unwrap();
/// assert!(k.check_key(&"alice", Nanos::ZERO, 2).allowed);
/// assert!(!k.check_key(&"alice", Nanos::ZERO, 1).allowed);
/// assert!(k.check_key(&"bob", Nanos::ZERO, 1).allowed); // keys are independent
/// assert_eq!(k.tat(&"alice"), Some(Nanos::from_millis(200)));
/// assert_eq!(k.evict_idle(Nanos::from_millis(200)), 2); // both back at full capacity
/// ```
#[derive(Debug)]
pub struct KeyedGcra<K> {
    params: GcraParams,
    map: HashMap<K, u64, FastBuildHasher>,
    max_keys: usize,
    idle_evictions: u64,
    forced_evictions: u64,
}

impl<K: Hash + Eq + Clone> KeyedGcra<K> {
    /// A store of at most `max_keys` (at least 1) keys sharing `params`.
    pub fn new(params: GcraParams, max_keys: usize) -> Result<KeyedGcra<K>, LimiterError> {
        if max_keys == 0 {
            return Err(LimiterError::invalid("max_keys", "must be at least 1"));
        }
        Ok(KeyedGcra {
            params,
            map: HashMap::with_hasher(FastBuildHasher::default()),
            max_keys,
            idle_evictions: 0,
            forced_evictions: 0,
        })
    }

    /// Decide on a request of `key` and charge it if admitted. A known key costs one hash
    /// probe; a new key is stored only if its admission leaves its TAT after `now`.
    #[inline]
    pub fn check_key(&mut self, key: &K, now: Nanos, cost: u32) -> Decision {
        if let Some(tat) = self.map.get_mut(key) {
            let (d, new) = self.params.step(*tat, now, cost);
            // A never-denial records `now` as seen, as `AtomicGcra` does (see `check_cell`).
            *tat = new.unwrap_or_else(|| (*tat).max(now.as_nanos()));
            return d;
        }
        let (d, new) = self.params.step(0, now, cost);
        if let Some(tat) = new.filter(|&t| t > now.as_nanos()) {
            if self.map.len() >= self.max_keys {
                let (idle, forced) = make_room(&mut self.map, self.max_keys, now, |t| *t);
                self.idle_evictions += idle;
                self.forced_evictions += forced;
            }
            self.map.insert(key.clone(), tat);
        }
        d
    }

    /// What `check_key` would answer, charging and creating nothing.
    pub fn peek_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        let tat = self.map.get(key).copied().unwrap_or(0);
        self.params.step(tat, now, cost).0
    }

    /// The stored TAT of `key` (`None`: absent, i.e. at full capacity).
    pub fn tat(&self, key: &K) -> Option<Nanos> {
        self.map.get(key).map(|&t| Nanos(t))
    }

    /// Drop every key at full capacity at `now` (exact, see the module docs); returns how many.
    pub fn evict_idle(&mut self, now: Nanos) -> usize {
        let before = self.map.len();
        self.map.retain(|_, t| *t > now.as_nanos());
        let dropped = before - self.map.len();
        self.idle_evictions += dropped as u64;
        dropped
    }

    /// The shared rate parameters.
    pub fn params(&self) -> GcraParams {
        self.params
    }
    /// Keys stored.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// The bound on keys stored.
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }
    /// Keys dropped at full capacity (exact: nothing lost).
    pub fn idle_evictions(&self) -> u64 {
        self.idle_evictions
    }
    /// Keys dropped before full capacity to stay within `max_keys` (state lost).
    pub fn forced_evictions(&self) -> u64 {
        self.forced_evictions
    }
    /// All evictions.
    pub fn evictions(&self) -> u64 {
        self.idle_evictions + self.forced_evictions
    }
}

/// Make room in a full map of TATs (see "Bounded memory" in the module docs): drop the idle
/// keys, then, if less than `max / 8` (at least 1) is free, the smallest TATs until it is.
/// Returns (idle, forced) evictions.
pub(super) fn make_room<K, V>(
    map: &mut HashMap<K, V, FastBuildHasher>,
    max: usize,
    now: Nanos,
    tat: impl Fn(&mut V) -> u64,
) -> (u64, u64) {
    let t = now.as_nanos();
    let before = map.len();
    map.retain(|_, v| tat(v) > t);
    let idle = (before - map.len()) as u64;
    let target = max - (max / 8).max(1);
    if map.len() <= target {
        return (idle, 0);
    }
    let excess = map.len() - target;
    let mut tats: Vec<u64> = map.values_mut().map(&tat).collect();
    let (_, &mut threshold, _) = tats.select_nth_unstable(excess - 1);
    // Everything below the threshold goes; of the keys at it, only as many as still needed.
    let below = tats.iter().filter(|&&v| v < threshold).count();
    let mut at_threshold = excess - below;
    map.retain(|_, v| {
        let v = tat(v);
        if v < threshold {
            return false;
        }
        if v == threshold && at_threshold > 0 {
            at_threshold -= 1;
            return false;
        }
        true
    });
    (idle, excess as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: usize) -> KeyedGcra<u32> {
        let params = GcraParams::new("10/s".parse().unwrap(), 3).unwrap();
        KeyedGcra::new(params, max).unwrap()
    }

    #[test]
    fn zero_max_keys_is_an_error() {
        let params = GcraParams::new("10/s".parse().unwrap(), 3).unwrap();
        let e = KeyedGcra::<u32>::new(params, 0).unwrap_err();
        assert_eq!(e.param(), Some("max_keys"));
    }

    #[test]
    fn never_and_cost_zero_create_no_state() {
        let mut k = store(10);
        assert!(k.check_key(&1, Nanos::ZERO, 4).is_never());
        assert!(k.check_key(&2, Nanos::ZERO, 0).allowed);
        assert!(k.is_empty());
    }

    #[test]
    fn full_store_of_busy_keys_evicts_the_smallest_tats() {
        let mut k = store(8);
        // Key i is charged i+1 times at 0: TAT (i+1)*100ms for i < 3, all stay busy.
        for i in 0..8u32 {
            for _ in 0..=(i % 3) {
                assert!(k.check_key(&i, Nanos::ZERO, 1).allowed);
            }
        }
        assert_eq!(k.len(), 8);
        assert!(k.check_key(&100, Nanos::ZERO, 1).allowed);
        // 8 - max(8/8, 1) = 7 kept before the insert, then the new key.
        assert_eq!(k.len(), 8);
        assert_eq!(k.forced_evictions(), 1);
        // The evicted key had the smallest TAT (100ms): one of keys 0, 3, 6.
        let gone: Vec<u32> = (0..8).filter(|i| k.tat(i).is_none()).collect();
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0] % 3, 0);
    }
}
