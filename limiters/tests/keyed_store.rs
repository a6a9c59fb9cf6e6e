//! Behaviour of the keyed stores: bounded memory, exact idle eviction, CLOCK protection of hot
//! keys, keyed hierarchies, and thread safety of the sharded store.

use limiters::hierarchy::check_all;
use limiters::keyed::{Keyed, ShardedKeyed};
use limiters::{ConcurrencyLimit, Decision, Limiter, Nanos, Outcome, Rate, TokenBucket};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn ms(v: u64) -> Nanos {
    Nanos::from_millis(v)
}

/// 10/s with a burst of 5: back to full 500ms after the last request.
fn bucket() -> TokenBucket {
    TokenBucket::new(Rate::per_second(10).unwrap(), 5).unwrap()
}

fn conc(max: u64) -> ConcurrencyLimit {
    ConcurrencyLimit::new(max, Nanos::from_secs(1)).unwrap()
}

/// A deterministic stream of pseudo-random keys (xorshift64*), so the test needs no RNG crate.
fn keys(seed: u64, n: usize) -> impl Iterator<Item = u64> {
    let mut x = seed | 1;
    (0..n).map(move |_| {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

#[test]
fn memory_stays_bounded_under_ten_times_max_keys_random_keys() {
    let max = 1_000;
    let mut k: Keyed<u64, _> = Keyed::from_prototype(conc(1), max, Nanos::from_secs(60)).unwrap();
    for (i, key) in keys(7, 10 * max).enumerate() {
        // Nothing is ever released, so nothing is idle: every eviction is forced.
        assert!(k.check_key(&key, Nanos(i as u64), 1).allowed);
        assert!(k.len() <= max);
    }
    assert_eq!(k.len(), max);
    assert_eq!(k.forced_evictions(), (9 * max) as u64);
    assert_eq!(k.idle_evictions(), 0);
}

#[test]
fn an_idle_evicted_key_behaves_as_if_never_evicted() {
    // Store under pressure (20 slots for 30 keys, of which 10 are active in any 500ms) vs a
    // store that never evicts.
    let idle = ms(500);
    let mut small: Keyed<u32, _> = Keyed::from_prototype(bucket(), 20, idle).unwrap();
    let mut reference: HashMap<u32, TokenBucket> = HashMap::new();
    let mut t = Nanos::ZERO;
    for round in 0..6u64 {
        for key in 0..30u32 {
            // Each key bursts 7 requests (5 pass, 2 are denied), then rests while the other
            // keys take their turn (30 keys * 50ms).
            for j in 0..7u64 {
                let now = t + Nanos(j);
                let a = small.check_key(&key, now, 1);
                let b = reference.entry(key).or_insert_with(bucket).check(now, 1);
                assert_eq!(a, b, "round {round} key {key} request {j}");
            }
            // The previous key, 60ms after its burst: not refilled, so it must not have been
            // dropped (a fresh state would admit it).
            let prev = (key + 29) % 30;
            let now = t + ms(10);
            let a = small.check_key(&prev, now, 1);
            let b = reference.entry(prev).or_insert_with(bucket).check(now, 1);
            assert_eq!(a, b, "round {round} previous key {prev}");
            t += ms(50);
        }
    }
    assert!(small.idle_evictions() > 50, "{small:?}");
    assert_eq!(small.forced_evictions(), 0, "{small:?}");
}

#[test]
fn a_busy_key_is_never_dropped_as_idle() {
    // A concurrency key with a request in flight is not at full capacity: keeping its state
    // is what stops a later release from freeing a slot of a fresh limiter.
    let mut k: Keyed<&str, _> = Keyed::from_prototype(conc(1), 10, Nanos::ZERO).unwrap();
    assert!(k.check_key(&"busy", Nanos::ZERO, 1).allowed);
    assert!(k.check_key(&"done", Nanos::ZERO, 1).allowed);
    k.release_key(&"done", ms(1), 1, Outcome::success(ms(1)));
    assert_eq!(k.evict_idle(Nanos::from_secs(3600)), 1);
    assert!(k.get(&"busy").is_some());
    assert!(!k.check_key(&"busy", Nanos::from_secs(3600), 1).allowed);
}

#[test]
fn a_hot_key_survives_a_flood_of_one_off_keys() {
    let mut k: Keyed<u64, _> = Keyed::from_prototype(conc(1), 100, Nanos::from_secs(60)).unwrap();
    let hot = u64::MAX;
    assert!(k.check_key(&hot, Nanos::ZERO, 1).allowed); // held in flight, never released
    for (i, key) in keys(11, 10_000).enumerate() {
        let now = Nanos(i as u64);
        k.check_key(&key, now, 1);
        // The hot key keeps being asked for (and denied: its one slot is in use).
        assert!(
            !k.check_key(&hot, now, 1).allowed,
            "hot key lost its state at {i}"
        );
    }
    assert!(k.forced_evictions() >= 9_900);
}

#[test]
fn the_incremental_sweep_lets_memory_follow_the_active_set() {
    let mut k: Keyed<u64, _> = Keyed::from_prototype(bucket(), 1_000_000, ms(500)).unwrap();
    for key in 0..10_000u64 {
        k.check_key(&key, Nanos::ZERO, 1);
    }
    // Ten seconds later every one of those is idle; a new population arrives.
    for key in 10_000..20_000u64 {
        k.check_key(&key, Nanos::from_secs(10), 1);
    }
    assert!(
        k.len() < 12_000,
        "len {} with only 10k active keys",
        k.len()
    );
    assert!(k.idle_evictions() >= 8_000);
    k.evict_idle(Nanos::from_secs(10));
    assert_eq!(
        k.len(),
        10_000,
        "the explicit sweep leaves exactly the active keys"
    );
    // peek on an unknown key answers as a fresh state, and stores nothing.
    let fresh = k.peek_key(&5, Nanos::from_secs(10), 1);
    assert_eq!(fresh, bucket().peek(Nanos::from_secs(10), 1));
    assert!(k.get(&5).is_none());
}

#[test]
fn keyed_levels_combine_with_check_all() {
    // Seed 002 shape: per-credential and per-org states live in different stores.
    let idle = Nanos::from_secs(60);
    let mut creds: Keyed<&str, _> = Keyed::from_prototype(conc(2), 100, idle).unwrap();
    let mut orgs: Keyed<&str, _> = Keyed::from_prototype(conc(3), 100, idle).unwrap();
    let mut go = |cred: &'static str| -> Decision {
        let now = Nanos::ZERO;
        let c = creds.state_mut(&cred, now);
        let o = orgs.state_mut(&"org", now);
        check_all(&mut [c as &mut dyn Limiter, o], now, 1)
    };
    assert!(go("a").allowed);
    assert!(go("a").allowed);
    assert!(!go("a").allowed); // credential a is full
    assert!(go("b").allowed); // the org's third slot
    let d = go("c");
    assert!(!d.allowed);
    assert_eq!(d.limit, 3, "denied by the org");
    assert_eq!(
        creds.get(&"c").map(|l| l.in_flight()),
        Some(0),
        "c was not charged"
    );
}

#[test]
fn invalid_store_parameters_are_errors() {
    assert_eq!(
        Keyed::<u8, _>::from_prototype(conc(1), 0, Nanos::ZERO)
            .unwrap_err()
            .param(),
        Some("max_keys")
    );
    let f = Arc::new(|| conc(1));
    assert!(ShardedKeyed::<u8, _>::new(0, 10, Nanos::ZERO, f.clone()).is_err());
    assert!(ShardedKeyed::<u8, _>::new(8, 7, Nanos::ZERO, f).is_err());
}

#[test]
fn sharded_store_never_over_admits_a_key_under_four_threads() {
    // No time passes (now = 0), so each key's bucket admits exactly its burst of 5, however
    // the four threads interleave.
    let store: Arc<ShardedKeyed<u32, TokenBucket>> =
        Arc::new(ShardedKeyed::new(8, 4_096, Nanos::from_secs(1), Arc::new(bucket)).unwrap());
    let admitted: Arc<Vec<AtomicU64>> = Arc::new((0..256).map(|_| AtomicU64::new(0)).collect());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let (store, admitted) = (store.clone(), admitted.clone());
            std::thread::spawn(move || {
                for round in 0..20u32 {
                    for i in 0..256u32 {
                        let key = (i + t * 64 + round) % 256;
                        if store.check_key(&key, Nanos::ZERO, 1).allowed {
                            admitted[key as usize].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("worker thread panicked");
    }
    for (key, n) in admitted.iter().enumerate() {
        assert_eq!(n.load(Ordering::Relaxed), 5, "key {key}");
    }
    assert_eq!(store.len(), 256);
    assert_eq!(store.evictions(), 0);
}

proptest! {
    #[test]
    fn keyed_never_exceeds_max_keys(
        max in 1usize..20,
        reqs in prop::collection::vec((0u16..200, 0u64..30, 0u32..3), 0..300),
    ) {
        let mut k: Keyed<u16, _> = Keyed::from_prototype(bucket(), max, ms(500)).unwrap();
        let mut t = Nanos::ZERO;
        for (key, dt, cost) in reqs {
            t += ms(dt);
            k.check_key(&key, t, cost);
            prop_assert!(k.len() <= max);
        }
    }

    #[test]
    fn keyed_with_only_idle_evictions_matches_a_store_that_forgets_nothing(
        reqs in prop::collection::vec((0u8..40, 0u64..200, 0u32..4), 0..300),
    ) {
        // 40 keys never fill 64 slots, so every eviction is an idle one, which must be exact.
        let mut k: Keyed<u8, _> = Keyed::from_prototype(bucket(), 64, ms(500)).unwrap();
        let mut truth: HashMap<u8, TokenBucket> = HashMap::new();
        let mut t = Nanos::ZERO;
        for (key, dt, cost) in reqs {
            t += ms(dt);
            let expected = truth.entry(key).or_insert_with(bucket).check(t, cost);
            prop_assert_eq!(k.check_key(&key, t, cost), expected);
        }
        prop_assert_eq!(k.forced_evictions(), 0);
    }
}
