//! Hierarchical limits: a request must pass every level (per credential AND per org, as seed
//! 002's "60 rpm per credential, 600 rpm per org"), and is charged only where *all* levels
//! admit it.
//!
//! Why "only where all admit": charging the credential level for a request the org level then
//! rejects would burn the credential's allowance on requests that were never served, so a
//! client throttled by its org would find itself throttled by its own credential afterwards.
//! The way to avoid it is two-phase: [`crate::Limiter::peek`] every level, and `check` them only
//! when every peek admits. This relies on each level's `peek` answering exactly what its `check`
//! would at the same `now` (the trait's contract).
//!
//! The combined decision is the most restrictive one:
//! - a denial reports the level with the longest `retry_after` (a client that waits that long
//!   passes every level); a "never" at any level makes the whole request never pass;
//! - an admission reports the binding level, the one with the least `remaining` (its `limit`
//!   and `reset_after`), and the longest `delay` of any level.
//!
//! When a level's `check` denies although its `peek` admitted (a limiter breaking the contract,
//! or state shared between levels), [`commit`] takes back what the levels before it were
//! charged with [`Limiter::undo`], exactly for every algorithm of this crate: the admitted
//! levels end as if the request had never been asked (property test `tests/undo.rs`).
//!
//! Two forms: [`check_all`]/[`peek_all`] over borrowed levels, and [`Hierarchy`], which owns its
//! levels and is itself a [`Limiter`]. With keyed levels (per-credential state in one
//! [`crate::keyed::Keyed`] store, per-org state in another) there is no single owner, so the
//! simulator looks both states up for the request and calls [`check_all`] with them.

use crate::{Decision, Limiter, LimiterError, Nanos, Outcome};

/// The most restrictive of the levels' decisions (see the module docs). An empty slice admits
/// with an unbounded limit: no level objects.
pub fn combine(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let mut denial: Option<Decision> = None;
    let mut admission: Option<Decision> = None;
    let mut max_delay = Nanos::ZERO;
    for d in decisions {
        if d.allowed {
            max_delay = max_delay.max(d.delay);
            // The binding level is the one with the least remaining.
            let binds = match &admission {
                None => true,
                Some(cur) => d.remaining < cur.remaining,
            };
            if binds {
                admission = Some(d);
            }
        } else {
            let worse = match (&denial, d.retry_after) {
                (None, _) => true,
                (Some(cur), None) => !cur.is_never(),
                (Some(cur), Some(r)) => cur.retry_after.is_some_and(|c| r > c),
            };
            if worse {
                denial = Some(d);
            }
        }
    }
    match (denial, admission) {
        (Some(d), _) => d,
        (None, Some(a)) => Decision {
            delay: max_delay,
            ..a
        },
        (None, None) => Decision::allow(u64::MAX, u64::MAX, Nanos::ZERO),
    }
}

/// What checking every level would answer, charging nothing.
pub fn peek_all(levels: &[&mut dyn Limiter], now: Nanos, cost: u32) -> Decision {
    combine(levels.iter().map(|l| l.peek(now, cost)))
}

/// Check a request against every level: if any level would deny, nothing is charged anywhere
/// and the most restrictive denial is returned; otherwise every level is charged.
///
/// ```
/// use limiters::{hierarchy::check_all, ConcurrencyLimit, Limiter, Nanos};
/// let hint = Nanos::from_secs(1);
/// let mut credential = ConcurrencyLimit::new(5, hint).unwrap();
/// let mut org = ConcurrencyLimit::new(1, hint).unwrap();
/// assert!(check_all(&mut [&mut credential, &mut org], Nanos::ZERO, 1).allowed);
/// let d = check_all(&mut [&mut credential, &mut org], Nanos::ZERO, 1);
/// assert!(!d.allowed);
/// assert_eq!(credential.in_flight(), 1); // the org's denial left the credential uncharged
/// ```
pub fn check_all(levels: &mut [&mut dyn Limiter], now: Nanos, cost: u32) -> Decision {
    let peeked = peek_all(levels, now, cost);
    if !peeked.allowed {
        return peeked;
    }
    commit(levels, now, cost)
}

/// Charge every level after their peeks admitted. A level whose `check` then denies anyway (a
/// limiter whose peek and check disagree) gets the levels charged before it taken back exactly
/// ([`Limiter::undo`], innermost first), and its denial is returned: nothing stays charged.
pub fn commit<'a, L: std::ops::DerefMut<Target = dyn Limiter + 'a>>(
    levels: &mut [L],
    now: Nanos,
    cost: u32,
) -> Decision {
    let mut decisions = Vec::with_capacity(levels.len());
    for i in 0..levels.len() {
        let d = levels[i].check(now, cost);
        if !d.allowed {
            for l in levels[..i].iter_mut().rev() {
                l.undo(now, cost);
            }
            return d;
        }
        decisions.push(d);
    }
    combine(decisions)
}

/// Report a completion to every level.
pub fn release_all(levels: &mut [&mut dyn Limiter], now: Nanos, cost: u32, outcome: Outcome) {
    for l in levels.iter_mut() {
        l.release(now, cost, outcome);
    }
}

/// Levels owned together; a [`Limiter`] whose `check` is [`check_all`] over them.
///
/// ```
/// use limiters::{Hierarchy, ConcurrencyLimit, Limiter, Nanos};
/// let hint = Nanos::from_secs(1);
/// let mut h = Hierarchy::new(vec![
///     Box::new(ConcurrencyLimit::new(2, hint).unwrap()),
///     Box::new(ConcurrencyLimit::new(3, hint).unwrap()),
/// ]).unwrap();
/// let d = h.check(Nanos::ZERO, 1);
/// assert_eq!((d.limit, d.remaining), (2, 1)); // the binding level
/// ```
pub struct Hierarchy {
    levels: Vec<Box<dyn Limiter>>,
}

impl std::fmt::Debug for Hierarchy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.levels.iter().map(|l| l.name()).collect();
        f.debug_struct("Hierarchy").field("levels", &names).finish()
    }
}

impl Hierarchy {
    /// Levels from outermost to innermost (order does not change decisions). At least one.
    pub fn new(levels: Vec<Box<dyn Limiter>>) -> Result<Hierarchy, LimiterError> {
        if levels.is_empty() {
            return Err(LimiterError::invalid(
                "levels",
                "a hierarchy needs at least one level",
            ));
        }
        Ok(Hierarchy { levels })
    }

    /// The levels, in the order given.
    pub fn levels(&self) -> &[Box<dyn Limiter>] {
        &self.levels
    }
}

impl Limiter for Hierarchy {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let peeked = self.peek(now, cost);
        if !peeked.allowed {
            return peeked;
        }
        commit(&mut self.levels, now, cost)
    }

    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        combine(self.levels.iter().map(|l| l.peek(now, cost)))
    }

    fn release(&mut self, now: Nanos, cost: u32, outcome: Outcome) {
        for l in &mut self.levels {
            l.release(now, cost, outcome);
        }
    }

    fn undo(&mut self, now: Nanos, cost: u32) {
        for l in self.levels.iter_mut().rev() {
            l.undo(now, cost);
        }
    }

    fn name(&self) -> &'static str {
        "hierarchy"
    }
}
