//! Per-key limiter state for millions of keys (API keys, client IPs, tenants), in bounded memory.
//!
//! [`Keyed`] keeps one limiter per key, built by a factory when a key is first seen, inline in a
//! hash map (std's SwissTable with the Fx hasher of `rustc-hash`: keys here are short and not
//! attacker-chosen inside a simulation). A known key costs one hash probe and no allocation;
//! eviction walks a separate ring of the keys, so the hot path never touches it. [`ShardedKeyed`] is the thread-safe form for live mode and contended benches.
//!
//! # Idle eviction, and why it is exact
//! A key is *idle* when it has not been used for `idle_after` and its limiter says it is back to
//! full capacity (a `peek` at cost 0 admits with `reset_after == 0` or `remaining == limit`).
//! Rate algorithms are memoryless once full: a full token bucket, a GCRA whose theoretical
//! arrival time has passed, a fixed window with no count in the current window, a sliding log
//! with no entry inside the window, are each in exactly the state a new limiter starts in, so
//! dropping the state and rebuilding it from the factory on the next request gives the same
//! decisions as keeping it. For that, `idle_after` should be at least the algorithm's memory:
//! the period (fixed window, sliding log), two periods (sliding window counter, whose previous
//! window still weighs), `burst / rate` (token bucket, GCRA), the drain time of the queue (leaky
//! bucket). The full-capacity check guards the cases a short `idle_after` would get wrong,
//! including concurrency limits with requests in flight (never dropped while anything is in
//! flight). What is *not* exact is the learned limit of an adaptive algorithm (AIMD,
//! gradient): a rebuilt one starts from its initial limit again.
//!
//! # Bounded memory
//! At most `max_keys` keys are kept, whatever arrives: a new key in a full store first evicts
//! one. Eviction prefers idle keys (looking a few entries ahead of a CLOCK hand), then takes the
//! CLOCK victim: a key not used since the hand last passed it, the usual second-chance
//! approximation of least-recently-used. New keys start without their reference bit, so a flood
//! of one-off keys evicts other one-off keys before it evicts keys in steady use. Each new key
//! also advances an incremental sweep that drops idle keys under the hand, so memory follows
//! the active set without ever scanning the whole map on the request path. Non-idle evictions
//! are counted separately ([`Keyed::forced_evictions`]): their state was lost, and a store
//! that forces many is too small for its traffic.
//!
//! # GCRA keys in 8 bytes
//! [`KeyedGcra`] and [`ShardedKeyedGcra`] specialise the above to GCRA: the rate parameters
//! are stored once per store and each key holds only its TAT (a `u64`, or an `AtomicU64`
//! updated by compare-exchange under a shard's *read* lock), with the exact "TAT has passed"
//! eviction described in `gcra_cells`.

mod gcra_cells;
mod gcra_sharded;
mod sharded;
mod store;

pub use gcra_cells::KeyedGcra;
pub use gcra_sharded::ShardedKeyedGcra;
pub use sharded::ShardedKeyed;
pub use store::{KeyFactory, Keyed};

/// The hasher of every keyed store.
pub type FastBuildHasher = rustc_hash::FxBuildHasher;
