//! `KeyedGcra` / `ShardedKeyedGcra` against one `Gcra` per key: identical decisions, exact idle
//! eviction, bounded memory, and no over-admission across threads.

use limiters::keyed::{KeyedGcra, ShardedKeyedGcra};
use limiters::{Decision, Gcra, GcraParams, Limiter, Nanos, Rate};
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// (key, gap since the previous request in ms, cost): time never goes backwards.
fn ops() -> impl Strategy<Value = Vec<(u8, u64, u32)>> {
    prop::collection::vec((0u8..12, 0u64..400, 0u32..5), 1..300)
}

fn rate_burst() -> impl Strategy<Value = (Rate, u64)> {
    ((1u64..20), (1u64..4), (1u64..5))
        .prop_map(|(count, secs, burst)| (Rate::new(count, Nanos::from_secs(secs)).unwrap(), burst))
}

/// Feed `ops` to a `HashMap<u8, Gcra>` reference and to `check`, failing at the first op
/// whose decisions differ; stops early when `stop` says the store lost state.
fn compare(
    rate: Rate,
    burst: u64,
    ops: &[(u8, u64, u32)],
    mut check: impl FnMut(u8, Nanos, u32) -> Decision,
    mut stop: impl FnMut() -> bool,
) -> Result<(), TestCaseError> {
    let mut reference: HashMap<u8, Gcra> = HashMap::new();
    let mut now = Nanos::ZERO;
    for (i, &(key, gap, cost)) in ops.iter().enumerate() {
        now += Nanos::from_millis(gap);
        let want = reference
            .entry(key)
            .or_insert_with(|| Gcra::new(rate, burst).unwrap())
            .check(now, cost);
        let got = check(key, now, cost);
        if stop() {
            return Ok(());
        }
        prop_assert_eq!(
            got,
            want,
            "op {} (key {}, now {:?}, cost {})",
            i,
            key,
            now,
            cost
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn keyed_gcra_equals_a_gcra_per_key((rate, burst) in rate_burst(), ops in ops()) {
        let mut store = KeyedGcra::new(GcraParams::new(rate, burst).unwrap(), 1000).unwrap();
        compare(rate, burst, &ops, |k, now, c| store.check_key(&k, now, c), || false)?;
    }

    #[test]
    fn sharded_keyed_gcra_equals_a_gcra_per_key((rate, burst) in rate_burst(), ops in ops()) {
        let params = GcraParams::new(rate, burst).unwrap();
        let store = ShardedKeyedGcra::new(params, 4, 1000).unwrap();
        compare(rate, burst, &ops, |k, now, c| store.check_key(&k, now, c), || false)?;
    }

    /// A store of 3 keys for 12 keys evicts constantly; as long as every eviction was of an
    /// idle key, decisions are still exactly those of a `Gcra` per key.
    #[test]
    fn idle_eviction_is_exact((rate, burst) in rate_burst(), ops in ops()) {
        let store = std::cell::RefCell::new(
            KeyedGcra::new(GcraParams::new(rate, burst).unwrap(), 3).unwrap(),
        );
        compare(
            rate,
            burst,
            &ops,
            |k, now, c| store.borrow_mut().check_key(&k, now, c),
            || store.borrow().forced_evictions() > 0,
        )?;
    }

    #[test]
    fn bounded_under_ten_times_max_keys(keys in prop::collection::vec(any::<u32>(), 1000), max in 1usize..100) {
        let params = GcraParams::new(Rate::per_second(1).unwrap(), 5).unwrap();
        let mut single = KeyedGcra::new(params, max).unwrap();
        let shards = max.min(4);
        let sharded = ShardedKeyedGcra::new(params, shards, max).unwrap();
        for (i, key) in keys.iter().take(10 * max).enumerate() {
            // Every key busy (TAT 1 s ahead), time creeping: forced evictions are needed.
            let now = Nanos::from_millis(i as u64);
            prop_assert!(single.check_key(key, now, 1).allowed);
            prop_assert!(sharded.check_key(key, now, 1).allowed);
            prop_assert!(single.len() <= max, "{} > {}", single.len(), max);
            prop_assert!(sharded.len() <= max, "{} > {}", sharded.len(), max);
        }
    }
}

#[test]
fn idle_keys_go_first_and_come_back_full() {
    let params = GcraParams::new(Rate::per_second(10).unwrap(), 2).unwrap();
    let mut k = KeyedGcra::new(params, 4).unwrap();
    for key in 0..4u32 {
        assert!(k.check_key(&key, Nanos::ZERO, 1).allowed); // TAT 100 ms
    }
    // Key 3 busy until 300 ms; keys 0..3 idle at 150 ms.
    assert!(k.check_key(&3, Nanos::from_millis(100), 2).allowed);
    assert!(k.check_key(&9, Nanos::from_millis(150), 1).allowed);
    assert_eq!((k.idle_evictions(), k.forced_evictions()), (3, 0));
    assert_eq!(k.len(), 2);
    assert_eq!(k.tat(&3), Some(Nanos::from_millis(300)));
    // An evicted key has its whole burst, as it would have had if kept.
    let d = k.check_key(&0, Nanos::from_millis(150), 2);
    assert!(d.allowed);
    assert_eq!(d.remaining, 0);
}

#[test]
fn four_threads_never_over_admit_a_key() {
    const KEYS: u64 = 64;
    const BURST: u64 = 5;
    let params = GcraParams::new(Rate::per_second(10).unwrap(), BURST).unwrap();
    let store = Arc::new(ShardedKeyedGcra::new(params, 4, 1024).unwrap());
    let handles: Vec<_> = (0..4u64)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let mut admitted = vec![[0u64; 2]; KEYS as usize];
                for round in 0..20u64 {
                    for i in 0..KEYS {
                        // Each thread walks the keys in its own order, racing the inserts too.
                        let key = (i * (2 * t + 1) + round) % KEYS;
                        // Two instants: the burst at 0, then 1 more at 100 ms (one interval).
                        let (slot, now) = if round < 10 {
                            (0, Nanos::ZERO)
                        } else {
                            (1, Nanos::from_millis(100))
                        };
                        if store.check_key(&key, now, 1).allowed {
                            admitted[key as usize][slot] += 1;
                        }
                    }
                }
                admitted
            })
        })
        .collect();
    let mut total = vec![[0u64; 2]; KEYS as usize];
    for h in handles {
        for (sum, got) in total.iter_mut().zip(h.join().unwrap()) {
            sum[0] += got[0];
            sum[1] += got[1];
        }
    }
    for (key, [at_zero, later]) in total.iter().enumerate() {
        assert_eq!(*at_zero, BURST, "key {key}: the burst exactly, at 0");
        assert_eq!(
            *later, 1,
            "key {key}: one emission interval later, one more"
        );
    }
}
