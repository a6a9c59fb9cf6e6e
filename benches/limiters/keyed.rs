//! Keyed subjects: ours ([`Keyed`], [`ShardedKeyed`], and the GCRA-only [`KeyedGcra`] and
//! [`ShardedKeyedGcra`] with one TAT per key) and governor's keyed limiter, all
//! pre-populated with keys `0..n` and then checked in one fixed pseudo-random order.
//!
//! Pre-population matters: the benches time the lookup of a known key (the hot path of a
//! limiter with many clients), not the creation of new ones.

use std::sync::Arc;
use std::time::Duration;

use governor::clock::FakeRelativeClock;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use limiters::keyed::{Keyed, KeyedGcra, ShardedKeyed, ShardedKeyedGcra};
use limiters::{GcraParams, Limiter, Nanos};

use crate::sink;
use crate::subjects::{SharedClock, SharedSubject, Subject};

/// How long a key may sit unused before it may be dropped: far longer than any bench runs in
/// simulated time, so no key is ever evicted (checked after pre-population).
const IDLE_AFTER: Nanos = Nanos::from_secs(24 * 3_600);

/// A fixed pseudo-random sequence of keys in `0..n` (xorshift64*, reduced by multiply-shift):
/// the same for every keyed subject, so they all see the same order. No `rand` needed.
#[derive(Clone, Debug)]
pub struct KeyOrder {
    n: u64,
    state: u64,
}

impl KeyOrder {
    const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

    /// The order of stream 0 over `n` keys.
    pub fn new(n: u64) -> KeyOrder {
        KeyOrder::with_stream(n, 0)
    }

    /// Stream `stream` over `n` keys (one per thread in the 2-thread benches).
    pub fn with_stream(n: u64, stream: u64) -> KeyOrder {
        // xorshift must not start at zero; the odd multiplier keeps streams apart.
        let state = Self::SEED ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        KeyOrder {
            n,
            state: state.max(1),
        }
    }

    /// The next key, in `0..n`.
    #[inline(always)]
    pub fn next_key(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((u128::from(r) * u128::from(self.n)) >> 64) as u64
    }
}

type GovKeyed = RateLimiter<
    u64,
    DefaultKeyedStateStore<u64>,
    FakeRelativeClock,
    governor::middleware::NoOpMiddleware<governor::nanos::Nanos>,
>;

/// Governor's keyed limiter (its default store, a `DashMap`) on its `FakeRelativeClock`,
/// pre-populated with every key. Shared between threads as it is.
#[derive(Debug)]
pub struct GovernorKeyed {
    lim: GovKeyed,
    clock: FakeRelativeClock,
    n: u64,
}

impl GovernorKeyed {
    pub fn new(quota: Quota, n: u64) -> GovernorKeyed {
        let clock = FakeRelativeClock::default();
        let lim: GovKeyed = RateLimiter::dashmap_with_clock(quota, clock.clone());
        for key in 0..n {
            assert!(lim.check_key(&key).is_ok(), "pre-populating key {key}");
        }
        assert_eq!(lim.len(), n as usize, "governor holds every key");
        GovernorKeyed { lim, clock, n }
    }
}

impl SharedSubject for GovernorKeyed {
    const KEYED: bool = true;
    fn keys(&self) -> u64 {
        self.n
    }
    fn advance(&self, ns: u64) {
        self.clock.advance(Duration::from_nanos(ns));
    }
    #[inline(always)]
    fn check(&self, key: u64) -> bool {
        sink(self.lim.check_key(&key)).is_ok()
    }
}

/// Our single-threaded [`Keyed`] store, with `now` kept beside it and its own key order.
#[derive(Debug)]
pub struct OursKeyed<L> {
    store: Keyed<u64, L>,
    now: u64,
    order: KeyOrder,
}

impl<L: Limiter + Clone + Sync + 'static> OursKeyed<L> {
    /// `prototype` (unused) is cloned for each of the `n` keys.
    pub fn new(prototype: L, n: u64) -> OursKeyed<L> {
        let max_keys = usize::try_from(n).expect("key count fits in usize");
        let mut store = Keyed::from_prototype(prototype, max_keys, IDLE_AFTER)
            .expect("valid keyed-store parameters");
        for key in 0..n {
            assert!(
                store.check_key(&key, Nanos::ZERO, 1).allowed,
                "pre-populating key {key}"
            );
        }
        assert_eq!(store.len(), max_keys, "every key stored");
        assert_eq!(store.evictions(), 0, "no key evicted");
        OursKeyed {
            store,
            now: 0,
            order: KeyOrder::new(n),
        }
    }
}

impl<L: Limiter> Subject for OursKeyed<L> {
    #[inline(always)]
    fn advance(&mut self, ns: u64) {
        self.now += ns;
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        let key = self.order.next_key();
        sink(self.store.check_key(&key, Nanos(self.now), 1)).allowed
    }
}

/// Our thread-safe [`ShardedKeyed`] store, with a [`SharedClock`] beside it.
#[derive(Debug)]
pub struct OursSharded<L> {
    store: ShardedKeyed<u64, L>,
    clock: SharedClock,
    n: u64,
}

impl<L: Limiter + Clone + Send + Sync + 'static> OursSharded<L> {
    /// `shards` shards; room for twice `n` keys, as shards fill unevenly.
    pub fn new(prototype: L, n: u64, shards: usize) -> OursSharded<L> {
        let max_keys = usize::try_from(2 * n).expect("key count fits in usize");
        let factory = Arc::new(move || prototype.clone());
        let store = ShardedKeyed::new(shards, max_keys.max(shards), IDLE_AFTER, factory)
            .expect("valid keyed-store parameters");
        for key in 0..n {
            assert!(
                store.check_key(&key, Nanos::ZERO, 1).allowed,
                "pre-populating key {key}"
            );
        }
        assert_eq!(store.len() as u64, n, "every key stored");
        assert_eq!(store.evictions(), 0, "no key evicted");
        OursSharded {
            store,
            clock: SharedClock::default(),
            n,
        }
    }
}

impl<L: Limiter + Send> SharedSubject for OursSharded<L> {
    const KEYED: bool = true;
    fn keys(&self) -> u64 {
        self.n
    }
    fn advance(&self, ns: u64) {
        self.clock.advance(ns);
    }
    #[inline(always)]
    fn check(&self, key: u64) -> bool {
        sink(self.store.check_key(&key, self.clock.now(), 1)).allowed
    }
}

/// Our single-threaded [`KeyedGcra`] (one `u64` TAT per key), `now` and key order beside it.
#[derive(Debug)]
pub struct OursKeyedGcra {
    store: KeyedGcra<u64>,
    now: u64,
    order: KeyOrder,
}

impl OursKeyedGcra {
    /// Room for exactly `n` keys, as [`OursKeyed`].
    pub fn new(params: GcraParams, n: u64) -> OursKeyedGcra {
        let max_keys = usize::try_from(n).expect("key count fits in usize");
        let mut store = KeyedGcra::new(params, max_keys).expect("valid keyed-store parameters");
        for key in 0..n {
            assert!(
                store.check_key(&key, Nanos::ZERO, 1).allowed,
                "pre-populating key {key}"
            );
        }
        assert_eq!(store.len(), max_keys, "every key stored");
        assert_eq!(store.evictions(), 0, "no key evicted");
        OursKeyedGcra {
            store,
            now: 0,
            order: KeyOrder::new(n),
        }
    }
}

impl Subject for OursKeyedGcra {
    #[inline(always)]
    fn advance(&mut self, ns: u64) {
        self.now += ns;
    }
    #[inline(always)]
    fn check(&mut self) -> bool {
        let key = self.order.next_key();
        sink(self.store.check_key(&key, Nanos(self.now), 1)).allowed
    }
}

/// Our thread-safe [`ShardedKeyedGcra`] (one `AtomicU64` TAT per key, read-locked shards),
/// with a [`SharedClock`] beside it.
#[derive(Debug)]
pub struct OursShardedGcra {
    store: ShardedKeyedGcra<u64>,
    clock: SharedClock,
    n: u64,
}

impl OursShardedGcra {
    /// `shards` shards; room for twice `n` keys, as [`OursSharded`].
    pub fn new(params: GcraParams, n: u64, shards: usize) -> OursShardedGcra {
        let max_keys = usize::try_from(2 * n).expect("key count fits in usize");
        let store = ShardedKeyedGcra::new(params, shards, max_keys.max(shards))
            .expect("valid keyed-store parameters");
        for key in 0..n {
            assert!(
                store.check_key(&key, Nanos::ZERO, 1).allowed,
                "pre-populating key {key}"
            );
        }
        assert_eq!(store.len() as u64, n, "every key stored");
        assert_eq!(store.evictions(), 0, "no key evicted");
        OursShardedGcra {
            store,
            clock: SharedClock::default(),
            n,
        }
    }
}

impl SharedSubject for OursShardedGcra {
    const KEYED: bool = true;
    fn keys(&self) -> u64 {
        self.n
    }
    fn advance(&self, ns: u64) {
        self.clock.advance(ns);
    }
    #[inline(always)]
    fn check(&self, key: u64) -> bool {
        sink(self.store.check_key(&key, self.clock.now(), 1)).allowed
    }
}
