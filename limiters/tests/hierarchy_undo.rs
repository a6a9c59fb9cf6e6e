//! The hierarchy's undo path over random hierarchies: levels drawn from the conformance table
//! (every registered algorithm), a random history of requests, then one request that every
//! level's `peek` admits but a level's `check` denies (a limiter breaking the peek/check
//! contract, the only way the commit phase can meet a denial). The levels charged before the
//! denial must end exactly as if the request had never been asked: the same answers, level by
//! level, to every later request.

#[path = "conformance/bounds.rs"]
#[allow(dead_code)]
mod bounds;
#[path = "conformance/stream.rs"]
#[allow(dead_code)]
mod stream;
#[path = "conformance/table.rs"]
#[allow(dead_code)]
mod table;

use limiters::{Decision, Hierarchy, Limiter, Nanos};
use proptest::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use table::cases;

/// Admits everything, except that while `armed` its `check` denies what its `peek` admitted.
struct Liar {
    armed: Arc<AtomicBool>,
}

impl Limiter for Liar {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        if self.armed.load(Ordering::Relaxed) {
            Decision::deny(1, 0, Nanos::ZERO, Nanos::from_secs(1))
        } else {
            self.peek(now, cost)
        }
    }
    fn peek(&self, _now: Nanos, _cost: u32) -> Decision {
        Decision::allow(u64::MAX, u64::MAX, Nanos::ZERO)
    }
    fn name(&self) -> &'static str {
        "liar"
    }
}

/// A hierarchy of the table's rows `picks` with the liar at `liar_at`, and the liar's switch.
fn build(picks: &[usize], liar_at: usize) -> (Hierarchy, Arc<AtomicBool>) {
    let table = cases();
    let armed = Arc::new(AtomicBool::new(false));
    let mut levels: Vec<Box<dyn Limiter>> = picks
        .iter()
        .map(|&i| table[i % table.len()].build())
        .collect();
    let liar = Box::new(Liar {
        armed: armed.clone(),
    });
    levels.insert(liar_at.min(levels.len()), liar);
    (Hierarchy::new(levels).unwrap(), armed)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_denied_request_leaves_every_level_as_if_never_asked(
        picks in prop::collection::vec(any::<usize>(), 1..5),
        liar_at in 0usize..5,
        history in prop::collection::vec((0u64..400, 0u32..3), 0..30),
        asked_cost in 1u32..3,
        future in prop::collection::vec((0u64..400, 0u32..3), 1..30),
    ) {
        let (mut asked, armed) = build(&picks, liar_at);
        let (mut never, _) = build(&picks, liar_at);
        let mut t = 0u64;
        for &(gap, cost) in &history {
            t += gap * 1_000_000;
            prop_assert_eq!(asked.check(Nanos(t), cost), never.check(Nanos(t), cost));
        }
        let now = Nanos(t);
        armed.store(true, Ordering::Relaxed);
        let d = asked.check(now, asked_cost);
        armed.store(false, Ordering::Relaxed);
        prop_assert!(!d.allowed, "the liar denies");
        never.check(now, 0);
        for &(gap, cost) in &future {
            t += gap * 1_000_000;
            for (a, b) in asked.levels().iter().zip(never.levels()) {
                prop_assert_eq!(a.peek(Nanos(t), cost), b.peek(Nanos(t), cost), "level {}", a.name());
            }
            prop_assert_eq!(asked.check(Nanos(t), cost), never.check(Nanos(t), cost));
        }
    }
}
