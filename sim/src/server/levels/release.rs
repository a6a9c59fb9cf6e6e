//! The end of an admitted request: every level is told how it went (a concurrency level
//! frees its slot, a `Charge::OnCompletion` level records a success now), and the peek a
//! deployment's figures ask of the exact one-server hierarchy.

use super::Levels;
use crate::model::Charge;
use crate::server::level_state::States;
use limiters::{LimiterError, Nanos, Outcome};

impl Levels {
    fn release_one(
        &mut self,
        i: usize,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
        outcome: Outcome,
    ) -> Result<(), LimiterError> {
        let l = &mut self.levels[i];
        let id = l.id(key, tenant);
        if matches!(l.states, States::Bounded { .. }) {
            l.states.release_bounded(id, now, cost, outcome);
            return Ok(());
        }
        l.state(id, now)?.release(now, cost, outcome);
        Ok(())
    }

    /// An admitted request completed: tell every level.
    pub fn release(
        &mut self,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
        outcome: Outcome,
    ) -> Result<(), LimiterError> {
        self.release_as(None, now, key, tenant, cost, outcome)
    }

    /// [`Levels::release`] for a request of fleet `fleet`: a [`Charge::OnCompletion`] level
    /// records a success now (its `check`), and ignores any other outcome (nothing was
    /// charged, nothing is recorded: the client's record call follows a successful call only).
    pub fn release_as(
        &mut self,
        fleet: Option<u16>,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
        outcome: Outcome,
    ) -> Result<(), LimiterError> {
        for i in 0..self.levels.len() {
            let l = &self.levels[i];
            if !l.applies(fleet) {
                continue;
            }
            match l.charge {
                Charge::OnAdmission => self.release_one(i, now, key, tenant, cost, outcome)?,
                Charge::OnCompletion => {
                    if outcome.kind == limiters::OutcomeKind::Success {
                        let l = &mut self.levels[i];
                        let id = l.id(key, tenant);
                        let _ = l.state(id, now)?.check(now, cost);
                    }
                }
            }
        }
        Ok(())
    }

    /// True when every level that applies to a request of `fleet` would admit it now (a peek:
    /// nothing is charged). A deployment's figures ask it of the exact one-server hierarchy.
    pub fn would_admit(
        &mut self,
        fleet: Option<u16>,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
    ) -> Result<bool, LimiterError> {
        for l in &mut self.levels {
            if l.applies(fleet) {
                let id = l.id(key, tenant);
                if !l.state(id, now)?.peek(now, cost).allowed {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}
