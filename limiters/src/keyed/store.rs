//! [`Keyed`]: one limiter state per key, bounded, with idle eviction (see the module docs).

use super::FastBuildHasher;
use crate::{Decision, Limiter, LimiterError, Nanos, Outcome};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

/// Builds a fresh limiter state for a new key.
pub type KeyFactory<L> = Arc<dyn Fn() -> L + Send + Sync>;

/// How many entries an eviction looks at for an idle one before it settles for the least
/// recently used candidate the clock found.
const LOOKAHEAD: usize = 8;
/// Entries the incremental idle sweep examines per new key.
const SWEEP_PER_INSERT: usize = 2;

#[derive(Debug)]
struct Slot<L> {
    limiter: L,
    last_seen: Nanos,
    /// CLOCK reference bit: set on every use, cleared as the hand passes.
    referenced: bool,
}

/// Per-key limiter state for many keys, in bounded memory.
///
/// ```
/// use limiters::keyed::Keyed;
/// use limiters::{ConcurrencyLimit, Nanos};
/// let proto = ConcurrencyLimit::new(1, Nanos::from_secs(1)).unwrap();
/// let mut k = Keyed::from_prototype(proto, 1000, Nanos::from_secs(60)).unwrap();
/// assert!(k.check_key(&"alice", Nanos::ZERO, 1).allowed);
/// assert!(!k.check_key(&"alice", Nanos::ZERO, 1).allowed);
/// assert!(k.check_key(&"bob", Nanos::ZERO, 1).allowed); // keys are independent
/// assert_eq!(k.len(), 2);
/// ```
pub struct Keyed<K, L> {
    /// Key -> state, inline in the table: a known key costs one probe.
    map: HashMap<K, Slot<L>, FastBuildHasher>,
    /// Every stored key once, in no particular order: the CLOCK ring the hand walks. Kept
    /// apart from the map so that the hot path touches only the map.
    ring: Vec<K>,
    factory: KeyFactory<L>,
    /// A never-used state: what `peek_key` answers for an unknown key.
    fresh: L,
    idle_after: Nanos,
    max_keys: usize,
    hand: usize,
    idle_evictions: u64,
    forced_evictions: u64,
}

impl<K, L> std::fmt::Debug for Keyed<K, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("len", &self.map.len())
            .field("max_keys", &self.max_keys)
            .field("idle_after", &self.idle_after)
            .field("idle_evictions", &self.idle_evictions)
            .field("forced_evictions", &self.forced_evictions)
            .finish()
    }
}

/// True when `d` (a `peek` at cost 0) shows a limiter back at full capacity.
fn at_full_capacity(d: &Decision) -> bool {
    d.allowed && (d.reset_after.is_zero() || d.remaining >= d.limit)
}

impl<K: Hash + Eq + Clone, L: Limiter> Keyed<K, L> {
    /// A store holding at most `max_keys` keys; a key unused for `idle_after` whose limiter is
    /// back to full capacity is dropped as idle. `factory` builds the state of a new key.
    pub fn new(
        max_keys: usize,
        idle_after: Nanos,
        factory: KeyFactory<L>,
    ) -> Result<Keyed<K, L>, LimiterError> {
        if max_keys == 0 {
            return Err(LimiterError::invalid("max_keys", "must be at least 1"));
        }
        let fresh = factory();
        Ok(Keyed {
            map: HashMap::with_hasher(FastBuildHasher::default()),
            ring: Vec::new(),
            factory,
            fresh,
            idle_after,
            max_keys,
            hand: 0,
            idle_evictions: 0,
            forced_evictions: 0,
        })
    }

    /// A store whose new keys start as clones of `prototype` (which should be unused).
    pub fn from_prototype(
        prototype: L,
        max_keys: usize,
        idle_after: Nanos,
    ) -> Result<Keyed<K, L>, LimiterError>
    where
        L: Clone + Sync + 'static,
    {
        Keyed::new(max_keys, idle_after, Arc::new(move || prototype.clone()))
    }

    /// Decide on a request of `key`, creating its state if needed. Amortised O(1): one hash
    /// lookup and no allocation for a known key.
    #[inline]
    pub fn check_key(&mut self, key: &K, now: Nanos, cost: u32) -> Decision {
        if let Some(slot) = self.map.get_mut(key) {
            slot.last_seen = slot.last_seen.max(now);
            slot.referenced = true;
            return slot.limiter.check(now, cost);
        }
        self.insert(key.clone(), now).check(now, cost)
    }

    /// What `check_key` would answer, charging and creating nothing.
    pub fn peek_key(&self, key: &K, now: Nanos, cost: u32) -> Decision {
        match self.map.get(key) {
            Some(slot) => slot.limiter.peek(now, cost),
            None => self.fresh.peek(now, cost),
        }
    }

    /// Report a completion for `key`. A key no longer stored (evicted) is ignored: idle
    /// eviction only drops states at full capacity, which have nothing in flight.
    pub fn release_key(&mut self, key: &K, now: Nanos, cost: u32, outcome: Outcome) {
        if let Some(slot) = self.map.get_mut(key) {
            slot.last_seen = slot.last_seen.max(now);
            slot.limiter.release(now, cost, outcome);
        }
    }

    /// The state of `key`, created if needed and marked used: for callers that combine
    /// several stores' states, e.g. [`crate::hierarchy::check_all`] over a per-credential
    /// and a per-org store.
    pub fn state_mut(&mut self, key: &K, now: Nanos) -> &mut L {
        if !self.map.contains_key(key) {
            return self.insert(key.clone(), now);
        }
        // The entry API keeps the borrow checker content on a hit (a conditional early return
        // of `get_mut` is not accepted yet); it clones the key, which `check_key` does not.
        let factory = &self.factory;
        let slot = self.map.entry(key.clone()).or_insert_with(|| Slot {
            limiter: factory(),
            last_seen: now,
            referenced: false,
        });
        slot.last_seen = slot.last_seen.max(now);
        slot.referenced = true;
        &mut slot.limiter
    }

    /// The state of `key`, if stored.
    pub fn get(&self, key: &K) -> Option<&L> {
        self.map.get(key).map(|s| &s.limiter)
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
    /// Keys dropped because they were idle at full capacity (exact: nothing lost).
    pub fn idle_evictions(&self) -> u64 {
        self.idle_evictions
    }
    /// Keys dropped while not idle, to stay within `max_keys` (their state was lost).
    pub fn forced_evictions(&self) -> u64 {
        self.forced_evictions
    }
    /// All evictions.
    pub fn evictions(&self) -> u64 {
        self.idle_evictions + self.forced_evictions
    }

    /// Drop every idle key now (O(n); the hot path never needs it, but a simulator may call it
    /// periodically to keep memory at the active set). Returns how many were dropped.
    pub fn evict_idle(&mut self, now: Nanos) -> usize {
        let before = self.map.len();
        let idle_after = self.idle_after;
        self.map
            .retain(|_, s| !Self::slot_is_idle(s, now, idle_after));
        let map = &self.map;
        self.ring.retain(|k| map.contains_key(k));
        let dropped = before - self.map.len();
        self.idle_evictions += dropped as u64;
        self.hand = 0;
        dropped
    }

    fn slot_is_idle(slot: &Slot<L>, now: Nanos, idle_after: Nanos) -> bool {
        now.saturating_sub(slot.last_seen) >= idle_after
            && at_full_capacity(&slot.limiter.peek(now, 0))
    }

    /// Add `key` (absent) with a fresh state, making room first; returns its state.
    fn insert(&mut self, key: K, now: Nanos) -> &mut L {
        self.sweep_step(now);
        if self.map.len() >= self.max_keys {
            self.evict_one(now);
        }
        let slot = Slot {
            limiter: (self.factory)(),
            last_seen: now,
            referenced: false,
        };
        self.ring.push(key.clone());
        &mut self.map.entry(key).or_insert(slot).limiter
    }

    /// Incremental idle sweep: look at a few entries under the hand, drop the idle ones.
    fn sweep_step(&mut self, now: Nanos) {
        for _ in 0..SWEEP_PER_INSERT {
            if self.ring.is_empty() {
                return;
            }
            if self.hand >= self.ring.len() {
                self.hand = 0;
            }
            if self.idle_at(self.hand, now) {
                // swap_remove brings the last key under the hand: it is looked at next.
                self.remove_at(self.hand);
                self.idle_evictions += 1;
            } else {
                self.hand += 1;
            }
        }
    }

    /// Whether the key at ring position `i` is idle.
    fn idle_at(&self, i: usize, now: Nanos) -> bool {
        self.map
            .get(&self.ring[i])
            .is_some_and(|s| Self::slot_is_idle(s, now, self.idle_after))
    }

    /// Drop the key at ring position `i` from the ring and the map.
    fn remove_at(&mut self, i: usize) {
        let key = self.ring.swap_remove(i);
        self.map.remove(&key);
    }

    /// Drop one entry: the first idle one within the lookahead, else the CLOCK victim (the
    /// first entry found without its reference bit, i.e. not used since the hand last passed).
    fn evict_one(&mut self, now: Nanos) {
        let len = self.ring.len();
        let mut victim = None;
        let mut looked = 0;
        while looked < LOOKAHEAD.max(len + 1) {
            if self.hand >= len {
                self.hand = 0;
            }
            let Some(slot) = self.map.get_mut(&self.ring[self.hand]) else {
                break; // unreachable: the ring holds exactly the map's keys
            };
            if Self::slot_is_idle(slot, now, self.idle_after) {
                self.remove_at(self.hand);
                self.idle_evictions += 1;
                return;
            }
            if !slot.referenced {
                victim.get_or_insert(self.hand);
            } else {
                slot.referenced = false;
            }
            looked += 1;
            self.hand += 1;
            if looked >= LOOKAHEAD && victim.is_some() {
                break;
            }
        }
        // A full turn clears every reference bit, so a victim always exists here.
        if let Some(i) = victim.or((len > 0).then_some(0)) {
            self.remove_at(i);
            self.forced_evictions += 1;
        }
    }
}
