//! The [`Limiter`] trait every algorithm implements.

use crate::{Decision, Nanos, Outcome};

/// A rate-limit algorithm's state for one key (or for everything, when unkeyed).
///
/// `now` is passed in on every call and must not go backwards by more than the algorithm
/// tolerates; every implementation treats a `now` earlier than one it has seen as equal to the
/// latest one seen (clock skew must not create capacity).
///
/// `cost` is the request's weight (1 for a plain request). A cost above what the limiter can
/// ever admit yields [`Decision::never`], not a denial with a retry time.
pub trait Limiter: Send {
    /// Decide on a request at `now` and, if admitted, charge it.
    fn check(&mut self, now: Nanos, cost: u32) -> Decision;

    /// What `check` would answer at `now`, without charging anything. Hierarchies use it to
    /// charge a level only when every level admits.
    fn peek(&self, now: Nanos, cost: u32) -> Decision;

    /// An admitted request completed. Concurrency limits free the slot, adaptive limits learn,
    /// credit quotas refund failures. The default ignores it.
    fn release(&mut self, now: Nanos, cost: u32, outcome: Outcome) {
        let _ = (now, cost, outcome);
    }

    /// Take back an admitting `check(now, cost)` that was the last call on this state: from
    /// then on, every call at `now` or later answers exactly as if that check had never been
    /// made. Hierarchies use it when a level admitted and a later level denied (see
    /// [`crate::hierarchy`]). Every algorithm of this crate implements it exactly (property
    /// test `limiters/tests/undo.rs`); the default, for limiters defined elsewhere, releases
    /// the request as dropped, which gives back only what a release gives back (a concurrency
    /// slot, not a token).
    fn undo(&mut self, now: Nanos, cost: u32) {
        self.release(
            now,
            cost,
            Outcome {
                kind: crate::OutcomeKind::Dropped,
                latency: Nanos::ZERO,
            },
        );
    }

    /// The registered name of the algorithm (`"token_bucket"`, `"gcra"`, ...).
    fn name(&self) -> &'static str;
}

impl<L: Limiter + ?Sized> Limiter for Box<L> {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        (**self).check(now, cost)
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        (**self).peek(now, cost)
    }
    fn release(&mut self, now: Nanos, cost: u32, outcome: Outcome) {
        (**self).release(now, cost, outcome)
    }
    fn undo(&mut self, now: Nanos, cost: u32) {
        (**self).undo(now, cost)
    }
    fn name(&self) -> &'static str {
        (**self).name()
    }
}
