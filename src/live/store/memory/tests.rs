use super::*;
use crate::live::config::{LiveConfig, OpenKeys};
use std::sync::Arc;

fn store(specs: &[&str]) -> (MemoryStore, HashMap<String, Identity>) {
    let r = Registry::builtin();
    let levels: Vec<Level> = specs.iter().map(|s| Level::parse(s, &r).unwrap()).collect();
    let keys = LiveConfig::generated_keys(4, 2).unwrap();
    let anon = Identity {
        key: "(anonymous)".into(),
        tenant: "(anonymous)".into(),
    };
    (
        MemoryStore::new(&levels, keys.values(), &anon, 0).unwrap(),
        keys,
    )
}

#[test]
fn a_request_denied_by_its_org_costs_its_key_nothing() {
    let (s, _) = store(&["key:gcra rate=1/min burst=3", "org:gcra rate=1/min burst=2"]);
    let t = Nanos::ZERO;
    assert!(s.decide(&["key-0", "org-0"], t, 1, true).unwrap()[1].allowed);
    assert!(s.decide(&["key-2", "org-0"], t, 1, true).unwrap()[1].allowed);
    let d = s.decide(&["key-0", "org-0"], t, 1, true).unwrap();
    assert!(d[0].allowed && !d[1].allowed, "org exhausted");
    // key-0 was charged once, not twice: 2 of 3 left
    assert_eq!(
        s.decide(&["key-0", "org-1"], t, 0, false).unwrap()[0].remaining,
        2
    );
    assert!(
        s.decide(&["nobody", "org-0"], t, 1, true).is_err(),
        "unknown ids have no state"
    );
}

#[test]
fn a_single_gcra_level_is_lock_free_and_exact_under_threads() {
    let (s, _) = store(&["global:gcra rate=1/min burst=50"]);
    assert!(matches!(s.levels[0].get(""), Some(Cell::Gcra(_))));
    let s = Arc::new(s);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                (0..40)
                    .filter(|_| s.decide(&[""], Nanos::ZERO, 1, true).unwrap()[0].allowed)
                    .count()
            })
        })
        .collect();
    let admitted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(admitted, 50);
}

#[test]
fn concurrency_levels_get_their_slots_back_on_release() {
    let (s, _) = store(&["key:concurrency max=1", "org:gcra rate=1/min burst=100"]);
    let ids = ["key-0", "org-0"];
    assert!(s.decide(&ids, Nanos::ZERO, 1, true).unwrap()[0].allowed);
    assert!(!s.decide(&ids, Nanos::ZERO, 1, true).unwrap()[0].allowed);
    s.release(&ids, Nanos(5), 1, Outcome::success(Nanos(5)))
        .unwrap();
    assert!(s.decide(&ids, Nanos(6), 1, true).unwrap()[0].allowed);
}

/// Seed 002's minute windows start at the top of the wall-clock minute, wherever the
/// server's clock started (here 45 s into a minute), as on the Redis store.
#[test]
fn fixed_windows_start_at_the_top_of_the_wall_clock_minute() {
    let r = Registry::builtin();
    let levels = [Level::parse("key:fixed_window limit=2 period=60s", &r).unwrap()];
    let keys = LiveConfig::generated_keys(1, 1).unwrap();
    let anon = Identity {
        key: "(anonymous)".into(),
        tenant: "(anonymous)".into(),
    };
    let zero = 1_767_268_800 + 45; // 12:00:45 UTC
    let s = MemoryStore::new(&levels, keys.values(), &anon, zero).unwrap();
    let at = |secs: u64| Nanos::from_secs(secs);
    let d = s.decide(&["key-0"], at(0), 1, true).unwrap()[0];
    assert_eq!(d.reset_after, at(15), "the window ends at 12:01:00");
    assert!(s.decide(&["key-0"], at(14), 1, true).unwrap()[0].allowed);
    assert!(!s.decide(&["key-0"], at(14), 1, true).unwrap()[0].allowed);
    assert!(
        s.decide(&["key-0"], at(15), 1, true).unwrap()[0].allowed,
        "12:01:00"
    );
}

/// A scenario's `epoch` is the simulator's time 0: live, a calendar quota rolls over at
/// the real month's end, counted from the server's clock.
#[test]
fn a_quota_rolls_over_on_the_real_calendar_whatever_epoch_it_was_given() {
    let r = Registry::builtin();
    let levels = [Level::parse("org:quota limit=5 period=month epoch=1767225600", &r).unwrap()];
    let keys = LiveConfig::generated_keys(1, 1).unwrap();
    let anon = Identity {
        key: "(anonymous)".into(),
        tenant: "(anonymous)".into(),
    };
    let zero = 1_798_761_600 - 3_600; // 2026-12-31T23:00:00Z
    let s = MemoryStore::new(&levels, keys.values(), &anon, zero).unwrap();
    let d = s.decide(&["org-0"], Nanos::ZERO, 1, true).unwrap()[0];
    assert_eq!(
        d.reset_after,
        Nanos::from_secs(3_600),
        "2027-01-01T00:00:00Z"
    );
}

/// Open registration: unknown ids are limited like configured ones, and a flood of new
/// keys keeps at most `max_keys` states per level (the configured keys are untouched).
#[test]
fn open_registration_limits_new_keys_in_bounded_memory() {
    let r = Registry::builtin();
    let levels: Vec<Level> = [
        "key:token_bucket rate=1/min burst=2",
        "org:gcra rate=100/s burst=100000",
    ]
    .iter()
    .map(|s| Level::parse(s, &r).unwrap())
    .collect();
    let keys = LiveConfig::generated_keys(2, 1).unwrap();
    let anon = Identity {
        key: "(anonymous)".into(),
        tenant: "(anonymous)".into(),
    };
    let open = OpenKeys {
        max_keys: 64,
        idle_after: std::time::Duration::from_secs(60),
    };
    let s = MemoryStore::with_open(&levels, keys.values(), &anon, 0, Some(open)).unwrap();
    let t = Nanos::ZERO;
    let ok = |id: &str| s.decide(&[id, id], t, 1, true).unwrap()[0].allowed;
    assert!(ok("free-1") && ok("free-1"));
    assert!(
        !ok("free-1"),
        "a new key gets the key level's burst of 2, then 429"
    );
    for i in 0..10_000 {
        assert!(ok(&format!("flood-{i}")));
    }
    assert!(s.open_keys_held() <= 2 * 64, "{} held", s.open_keys_held());
    let (all, forced) = s.open_evictions();
    assert!(all >= 2 * (10_000 - 64) && forced > 0, "{all} {forced}");
    // configured ids keep their own cells
    assert!(s.decide(&["key-0", "org-0"], t, 1, true).unwrap()[0].allowed);
    // without open registration an unknown id is an error, as before
    let closed = MemoryStore::new(&levels, keys.values(), &anon, 0).unwrap();
    assert!(closed.decide(&["free-1", "org-0"], t, 1, true).is_err());
}

#[test]
fn a_skipped_level_admits_and_is_never_charged() {
    let (s, _) = store(&["key:gcra rate=1/min burst=1", "org:gcra rate=1/min burst=5"]);
    let skip = super::super::SKIP;
    for _ in 0..3 {
        let d = s.decide(&[skip, "org-0"], Nanos::ZERO, 1, true).unwrap();
        assert!(d[0].allowed && d[1].allowed);
    }
    // key-0 was never charged; org-0 was, three times
    let d = s.decide(&["key-0", "org-0"], Nanos::ZERO, 1, true).unwrap();
    assert!(d[0].allowed);
    assert_eq!(d[1].remaining, 1);
}
