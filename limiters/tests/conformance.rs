//! The conformance suite every registered limiter must pass.
//!
//! It iterates `Registry::builtin().entries()`: each algorithm is built *by name* from the
//! representative parameters of `conformance/table.rs` (a registered name without a row fails
//! `every_registered_algorithm_has_conformance_params`), and random request streams (gaps,
//! clock skew, costs, completions with outcomes) are run through it. Each invariant is one test
//! below; a failure names the algorithm and its parameters.
//!
//! Probes (a request at `now + retry_after`, `remaining` more requests at the same instant, a
//! request after idling) are made on a fresh limiter replaying the same calls, never on the
//! limiter under test, so a probe cannot disturb what it measures.
//!
//! "Remaining never overstates", precisely (the direction `Decision::remaining` documents: it may
//! understate, never overstate): after a decision saying `remaining = r` at `now`, the next `r`
//! unit-cost requests at that same `now` are all admitted. Every built-in algorithm is exact
//! besides: after any decision but a `never`, the request after those `r` is refused. (A
//! `never`'s `remaining` may understate: it is about a request too large, not smaller ones.)

#[path = "conformance/bounds.rs"]
mod bounds;
#[path = "conformance/stream.rs"]
mod stream;
#[path = "conformance/table.rs"]
mod table;

use bounds::bounded;
use limiters::{Decision, Nanos, Outcome};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use stream::{ops, replay, run, Op, Run};
use table::{cases, registry, Case};

type Check = fn(&Case, &Run) -> Result<(), String>;

/// Run `ops` through every row and apply `check`; the error names the row and the invariant.
fn for_every_algorithm(invariant: &str, ops: &[Op], check: Check) -> Result<(), TestCaseError> {
    for case in cases() {
        // a panic inside an algorithm is a failure too, and must name the algorithm
        let result = catch_unwind(AssertUnwindSafe(|| {
            run(&case, ops).and_then(|r| check(&case, &r))
        }))
        .unwrap_or_else(|panic| {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(format!("panicked: {}", msg.unwrap_or_default()))
        });
        if let Err(e) = result {
            return Err(TestCaseError::fail(format!(
                "{invariant} violated by {}: {e}",
                case.label()
            )));
        }
    }
    Ok(())
}

fn fresh_after(case: &Case, r: &Run, upto: usize) -> Box<dyn limiters::Limiter> {
    replay(case, &r.calls[..upto]).0
}

// ---- the invariants ---------------------------------------------------------------------

/// After idling `rest` (every admitted request released), a peek shows full capacity.
fn rests_to_full(case: &Case, r: &Run) -> Result<(), String> {
    let mut lim = fresh_after(case, r, r.calls.len());
    for i in r.in_flight() {
        let a = r.admissions[i];
        let latency = r.latest - a.eff;
        lim.release(r.latest, a.cost as u32, Outcome::success(latency));
    }
    let at = r.latest + case.rest;
    let p = lim.peek(at, 0);
    if !p.allowed || p.remaining != p.limit || case.full.is_some_and(|f| f != p.limit) {
        return Err(format!(
            "not back to full capacity after idling until {at}: {p:?}"
        ));
    }
    let whole = u32::try_from(p.limit).unwrap_or(u32::MAX);
    if !lim.peek(at, whole).allowed {
        return Err(format!(
            "a request of the whole limit {whole} is refused after idling"
        ));
    }
    Ok(())
}

/// A denial's `retry_after` is positive; where exact, the same lone request passes exactly at
/// `now + retry_after` and not 1ns earlier.
fn retry_truthful(case: &Case, r: &Run) -> Result<(), String> {
    for e in r.events.iter().filter(|e| !e.d.allowed && !e.d.is_never()) {
        let Some(wait) = e.d.retry_after.filter(|w| !w.is_zero()) else {
            return Err(format!("a denial without a positive retry_after: {e:?}"));
        };
        if !case.exact_retry || e.now != e.eff {
            continue;
        }
        let lim = fresh_after(case, r, e.call + 1);
        if !lim.peek(e.eff + wait, e.cost).allowed {
            return Err(format!("refused at now + retry_after: {e:?}"));
        }
        if lim.peek(e.eff + wait - Nanos(1), e.cost).allowed {
            return Err(format!("admitted 1ns before now + retry_after: {e:?}"));
        }
    }
    Ok(())
}

/// `remaining` never overstates: the next `remaining` unit requests at the same instant are all
/// admitted; and after any decision but a `never`, the one after them is refused (exact).
fn remaining_truthful(case: &Case, r: &Run) -> Result<(), String> {
    for e in &r.events {
        let mut lim = fresh_after(case, r, e.call + 1);
        let mut passed = 0u64;
        while passed <= e.d.remaining && lim.check(e.now, 1).allowed {
            passed += 1;
        }
        if passed < e.d.remaining {
            return Err(format!(
                "remaining overstates: only {passed} unit requests passed after {e:?}"
            ));
        }
        if !e.d.is_never() && passed > e.d.remaining {
            return Err(format!(
                "remaining understates: more than {} passed after {e:?}",
                e.d.remaining
            ));
        }
    }
    Ok(())
}

/// `reset_after` is truthful: at `now + reset_after` the limiter is back to full capacity.
fn reset_truthful(case: &Case, r: &Run) -> Result<(), String> {
    if !case.exact_reset {
        return Ok(());
    }
    for e in r
        .events
        .iter()
        .filter(|e| !e.d.is_never() && e.now == e.eff)
    {
        let lim = fresh_after(case, r, e.call + 1);
        let p = lim.peek(e.eff + e.d.reset_after, 0);
        if p.remaining != p.limit {
            return Err(format!("not full at now + reset_after ({p:?}) after {e:?}"));
        }
    }
    Ok(())
}

/// Peeking changes nothing: a replay without the peeks answers every check identically (and,
/// checked while running, each peek predicted the check that followed it).
fn peek_pure(case: &Case, r: &Run) -> Result<(), String> {
    let (_, decisions) = replay(case, &r.calls);
    for (e, d) in r.events.iter().zip(&decisions) {
        if e.d != *d {
            return Err(format!("with peeks {:?}, without {d:?} at {}", e.d, e.now));
        }
    }
    Ok(())
}

/// `undo` takes an admission back exactly: after `check(now, c)` admitted and `undo(now, c)`,
/// every later call answers as on a limiter that was never asked (that only saw the clock
/// reach `now`, with a zero-cost check), for up to 8 admissions of the stream.
pub(crate) fn undo_exact(case: &Case, r: &Run) -> Result<(), String> {
    let admitted: Vec<usize> = r
        .events
        .iter()
        .filter(|e| e.d.allowed && e.cost > 0)
        .map(|e| e.call)
        .take(8)
        .collect();
    for i in admitted {
        let stream::Call::Check { now, cost } = r.calls[i] else {
            continue;
        };
        let (mut undone, _) = replay(case, &r.calls[..=i]);
        undone.undo(now, cost);
        let (mut never, _) = replay(case, &r.calls[..i]);
        never.check(now, 0);
        for c in &r.calls[i + 1..] {
            match *c {
                stream::Call::Check { now: t, cost: c } => {
                    let (a, b) = (undone.peek(t, c), never.peek(t, c));
                    if a != b {
                        return Err(format!(
                            "after undoing call {i} (cost {cost} at {now}): peek at {t} says {a:?}, never asked {b:?}"
                        ));
                    }
                    let (a, b) = (undone.check(t, c), never.check(t, c));
                    if a != b {
                        return Err(format!(
                            "after undoing call {i} (cost {cost} at {now}): check at {t} says {a:?}, never asked {b:?}"
                        ));
                    }
                }
                stream::Call::Release { now, cost, outcome } => {
                    undone.release(now, cost, outcome);
                    never.release(now, cost, outcome);
                }
            }
        }
    }
    Ok(())
}

/// A cost above capacity is `never` (and charges nothing); a cost within it never is.
fn never_above_capacity(case: &Case, r: &Run) -> Result<(), String> {
    for e in &r.events {
        let over = u64::from(e.cost) > case.capacity;
        if e.d.is_never() != over {
            return Err(format!(
                "cost {} vs capacity {}: {:?}",
                e.cost, case.capacity, e.d
            ));
        }
        if over {
            let mut lim = fresh_after(case, r, e.call);
            let probe = |l: &dyn limiters::Limiter| -> [Decision; 2] {
                let whole = case.capacity as u32;
                [l.peek(e.eff, 0), l.peek(e.eff, whole)]
            };
            let before = probe(&*lim);
            lim.check(e.now, e.cost);
            if probe(&*lim) != before {
                return Err(format!("a never-denial changed the state: {e:?}"));
            }
        }
    }
    let mut lim = fresh_after(case, r, r.calls.len());
    if !lim.check(r.latest, u32::MAX).is_never() {
        return Err("cost u32::MAX is not never".into());
    }
    Ok(())
}

/// A `now` earlier than one already seen admits nothing the latest time would not.
fn backwards_creates_nothing(case: &Case, r: &Run) -> Result<(), String> {
    for e in r.events.iter().filter(|e| e.now < e.eff) {
        let lim = fresh_after(case, r, e.call);
        let whole = case.capacity as u32;
        for c in [e.cost, 1, whole] {
            if lim.peek(e.now, c).allowed && !lim.peek(e.eff, c).allowed {
                return Err(format!(
                    "cost {c} admitted at skewed {} but not at {}",
                    e.now, e.eff
                ));
            }
        }
        let (early, late) = (lim.peek(e.now, 0), lim.peek(e.eff, 0));
        if early.remaining > late.remaining {
            return Err(format!(
                "more remaining at skewed {}: {early:?} vs {late:?}",
                e.now
            ));
        }
    }
    Ok(())
}

// ---- the tests --------------------------------------------------------------------------

#[test]
fn every_registered_algorithm_has_conformance_params() {
    let rows: BTreeSet<&str> = cases().iter().map(|c| c.name).collect();
    let registered: BTreeSet<&str> = registry().names().collect();
    let missing: Vec<_> = registered.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "registered algorithms with no row in tests/conformance/table.rs: {missing:?}; \
         add representative params and their documented bound"
    );
    let stale: Vec<_> = rows.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "table rows for unregistered names: {stale:?}"
    );
    for case in cases() {
        let l = case.build();
        assert_eq!(
            l.name(),
            case.name,
            "{} builds a limiter named {}",
            case.label(),
            l.name()
        );
    }
}

#[test]
fn a_fresh_limiter_of_every_algorithm_is_at_full_capacity() {
    for case in cases() {
        let p = case.build().peek(Nanos::ZERO, 0);
        assert!(
            p.allowed && p.remaining == p.limit,
            "{}: {p:?}",
            case.label()
        );
        assert!(
            !matches!(case.full, Some(f) if f != p.limit),
            "{}: {p:?}",
            case.label()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn never_admits_more_than_its_bound(ops in ops(80)) {
        for_every_algorithm("never_admits_more_than_its_bound", &ops, bounded)?;
    }

    #[test]
    fn returns_to_full_capacity_after_idling(ops in ops(80)) {
        for_every_algorithm("returns_to_full_capacity_after_idling", &ops, rests_to_full)?;
    }

    #[test]
    fn retry_after_is_truthful(ops in ops(60)) {
        for_every_algorithm("retry_after_is_truthful", &ops, retry_truthful)?;
    }

    #[test]
    fn remaining_never_overstates(ops in ops(60)) {
        for_every_algorithm("remaining_never_overstates", &ops, remaining_truthful)?;
    }

    #[test]
    fn reset_after_reaches_full_capacity(ops in ops(60)) {
        for_every_algorithm("reset_after_reaches_full_capacity", &ops, reset_truthful)?;
    }

    #[test]
    fn peek_never_changes_state(ops in ops(80)) {
        for_every_algorithm("peek_never_changes_state", &ops, peek_pure)?;
    }

    #[test]
    fn cost_above_capacity_is_never(ops in ops(60)) {
        for_every_algorithm("cost_above_capacity_is_never", &ops, never_above_capacity)?;
    }

    #[test]
    fn undo_takes_an_admission_back_exactly(ops in ops(60)) {
        for_every_algorithm("undo_takes_an_admission_back_exactly", &ops, undo_exact)?;
    }

    #[test]
    fn now_going_backwards_never_creates_capacity(ops in ops(80)) {
        for_every_algorithm("now_going_backwards_never_creates_capacity", &ops, backwards_creates_nothing)?;
    }
}
