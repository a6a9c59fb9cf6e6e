//! One limiter level at run time: its configuration, which fleets it counts, and its states
//! (one per key or tenant, created on first use, or a bounded store with `max_keys`).

use crate::model::{Charge, Scope};
use crate::server::level_state::States;
use limiters::{Decision, Factory, Limiter, LimiterError, Nanos, Params};

/// One level at run time.
pub(super) struct LevelRt {
    pub(super) scope: Scope,
    pub(super) algorithm: String,
    pub(super) status: u16,
    pub(super) retry_after: Option<Nanos>,
    pub(super) charge: Charge,
    /// Fleet names the level is restricted to (empty: all), and by fleet index whether it
    /// applies (filled by [`Levels::bind_fleets`]).
    pub(super) fleets: Vec<String>,
    pub(super) mask: Vec<bool>,
    pub(super) factory: Factory,
    pub(super) params: Params,
    pub(super) states: States,
}

impl std::fmt::Debug for LevelRt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LevelRt")
            .field("scope", &self.scope)
            .field("status", &self.status)
            .field("keyed", &self.states.figures())
            .finish()
    }
}

impl LevelRt {
    /// Whether the level applies to a request of `fleet` (`None`: an unknown fleet, as in a
    /// direct use of [`Levels::admit`]: every level applies).
    pub(super) fn applies(&self, fleet: Option<u16>) -> bool {
        self.fleets.is_empty()
            || fleet.is_none_or(|f| self.mask.get(f as usize).copied().unwrap_or(false))
    }

    /// True for a level charged at admission for every fleet (the fast path).
    pub(super) fn plain(&self) -> bool {
        self.fleets.is_empty() && self.charge == Charge::OnAdmission
    }

    /// Apply the fixed `Retry-After` to a denial that can pass later.
    pub(super) fn fix(&self, mut d: Decision) -> Decision {
        if let (false, Some(fixed), Some(_)) = (d.allowed, self.retry_after, d.retry_after) {
            d.retry_after = Some(fixed);
        }
        d
    }

    pub(super) fn id(&self, key: u32, tenant: u32) -> usize {
        match self.scope {
            Scope::Global => 0,
            Scope::Key => key as usize,
            Scope::Tenant => tenant as usize,
        }
    }

    #[inline(always)]
    pub(super) fn state(
        &mut self,
        id: usize,
        now: Nanos,
    ) -> Result<&mut Box<dyn Limiter>, LimiterError> {
        // One bounds check and one null check once the state exists (every call but the first).
        if let States::Dense(v) = &self.states {
            if let Some(Some(_)) = v.get(id) {
                return match &mut self.states {
                    States::Dense(v) => match v.get_mut(id) {
                        Some(Some(l)) => Ok(l),
                        _ => Err(LimiterError::invalid("algorithm", "limiter state missing")),
                    },
                    States::Bounded { .. } => {
                        Err(LimiterError::invalid("algorithm", "limiter state missing"))
                    }
                };
            }
        }
        self.new_state(id, now)
    }

    /// [`LevelRt::state`] on first use of `id`, or from a bounded store.
    #[cold]
    #[inline(never)]
    pub(super) fn new_state(
        &mut self,
        id: usize,
        now: Nanos,
    ) -> Result<&mut Box<dyn Limiter>, LimiterError> {
        let v = match &mut self.states {
            States::Dense(v) => v,
            bounded => {
                return bounded
                    .bounded(id, now)
                    .ok_or_else(|| LimiterError::invalid("algorithm", "limiter state missing"))
            }
        };
        if id >= v.len() {
            v.resize_with(id + 1, || None);
        }
        let slot = &mut v[id];
        if slot.is_none() {
            *slot = Some((self.factory)(&self.params)?);
        }
        match slot {
            Some(l) => Ok(l),
            None => Err(LimiterError::invalid("algorithm", "limiter state missing")),
        }
    }
}
