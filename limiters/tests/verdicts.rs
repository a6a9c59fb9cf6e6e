//! `admit` (a verdict, its figures on demand; issue #19) against `check` (the whole
//! `Decision`), over random request streams with clock skew, costs above the burst and long
//! idle gaps: for the GCRA and the token bucket, the verdict's `allowed` and its `decision`
//! must be exactly `check`'s decision, and the two limiters must stay in the same state (the
//! same `peek` afterwards). The token bucket writes its formula twice (`check` stayed on its
//! own copy for speed), so this is what keeps the copies equal.

use limiters::{Gcra, Limiter, Nanos, Rate, TokenBucket};
use proptest::prelude::*;

/// One request: a forward gap, whether time instead steps back by it (skew), and a cost.
fn stream() -> impl Strategy<Value = Vec<(u64, bool, u32)>> {
    let gap = prop_oneof![Just(0u64), 0..2_000u64, 0..5_000_000_000u64];
    prop::collection::vec((gap, prop::bool::weighted(0.1), 0u32..12), 1..200)
}

fn shape() -> impl Strategy<Value = (Rate, u64)> {
    // tiny exact intervals (k ns per event) or coarse periods; a rate the constructors refuse
    // (too fine for nanosecond resolution) is not a shape
    let period = prop_oneof![
        (1u64..2_000).prop_map(|k| (k, true)),
        (1_000_000u64..10_000_000_000).prop_map(|p| (p, false)),
    ];
    ((1u64..50, period), 1u64..10)
        .prop_map(|((count, (p, per_event)), burst)| {
            let period = if per_event { p * count } else { p };
            (Rate::new(count, Nanos(period)).unwrap(), burst)
        })
        .prop_filter("a shape the constructors accept", |&(rate, burst)| {
            Gcra::new(rate, burst).is_ok() && TokenBucket::new(rate, burst).is_ok()
        })
}

/// Times of the stream: forward by `gap`, or back by it (saturating at zero).
fn times(steps: &[(u64, bool, u32)]) -> Vec<(Nanos, u32)> {
    let mut t = 0u64;
    steps
        .iter()
        .map(|&(gap, back, cost)| {
            t = if back {
                t.saturating_sub(gap)
            } else {
                t.saturating_add(gap)
            };
            (Nanos(t), cost)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn gcra_admit_is_check(steps in stream(), (rate, burst) in shape()) {
        let mut full = Gcra::new(rate, burst).unwrap();
        let mut fast = full.clone();
        for (now, cost) in times(&steps) {
            let d = full.check(now, cost);
            let v = fast.admit(now, cost);
            prop_assert_eq!(v.allowed(), d.allowed);
            prop_assert_eq!(v.decision(&fast.params()), d);
            prop_assert_eq!(fast.peek(now, 1), full.peek(now, 1));
        }
    }

    #[test]
    fn token_bucket_admit_is_check(steps in stream(), (rate, burst) in shape()) {
        let mut full = TokenBucket::new(rate, burst).unwrap();
        let mut fast = full.clone();
        for (now, cost) in times(&steps) {
            let d = full.check(now, cost);
            let v = fast.admit(now, cost);
            prop_assert_eq!(v.allowed(), d.allowed);
            prop_assert_eq!(v.decision(&fast), d);
            prop_assert_eq!(fast.peek(now, 1), full.peek(now, 1));
        }
    }
}

/// A cost above the burst is refused as "never" and leaves the state alone, on both paths.
#[test]
fn a_cost_above_the_burst_is_never_on_both_paths() {
    let rate = Rate::per_second(10).unwrap();
    let mut g = Gcra::new(rate, 3).unwrap();
    let v = g.admit(Nanos::ZERO, 4);
    assert!(!v.allowed());
    assert!(v.decision(&g.params()).is_never());
    assert!(
        g.admit(Nanos::ZERO, 3).allowed(),
        "the refusal charged nothing"
    );
    let mut tb = TokenBucket::new(rate, 3).unwrap();
    let v = tb.admit(Nanos::ZERO, 4);
    assert!(!v.allowed());
    assert!(v.decision(&tb).is_never());
    assert!(
        tb.admit(Nanos::ZERO, 3).allowed(),
        "the refusal charged nothing"
    );
}
