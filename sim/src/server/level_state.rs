//! Where a limiter level keeps its per-key (or per-tenant) states.
//!
//! By default a `Vec` indexed by the scope's dense id (keys and tenants are numbered at the
//! start of a run), filled on first use: a lookup is an index, and memory grows with every key
//! ever seen. With `max_keys` the level keeps them in a [`limiters::keyed::Keyed`] store
//! instead: at most `max_keys` states, a key idle at full capacity for `idle_after` dropped
//! (exact: a full rate limiter is in the state a new one starts in), and the least recently
//! used key evicted when a new one finds the store full (its state lost, counted apart as a
//! *forced* eviction). Its figures ([`KeyedLevel`]) go into the run's results.

use crate::metrics::KeyedLevel;
use crate::model::KeyBound;
use limiters::keyed::Keyed;
use limiters::{Factory, Limiter, LimiterError, Nanos, Outcome, Params};
use std::sync::Arc;

/// The states of one level.
pub(super) enum States {
    /// One slot per dense id, never dropped.
    Dense(Vec<Option<Box<dyn Limiter>>>),
    /// A bounded, evicting store; `peak` is the most keys it held at once.
    Bounded {
        keyed: Box<Keyed<u32, Box<dyn Limiter>>>,
        peak: usize,
    },
}

impl States {
    /// Dense states, or a bounded store whose new keys are built by `factory` from `params`
    /// (checked by the caller: building them cannot fail).
    pub(super) fn new(
        bound: Option<KeyBound>,
        factory: Factory,
        params: &Params,
    ) -> Result<States, LimiterError> {
        let Some(b) = bound else {
            return Ok(States::Dense(Vec::new()));
        };
        // the parameters were built once already: a failure here is impossible, and if it
        // ever happened the new key's limiter would admit nothing rather than panic
        factory(params)?;
        let params = params.clone();
        let build = Arc::new(move || -> Box<dyn Limiter> {
            factory(&params).unwrap_or_else(|_| Box::new(Refuse))
        });
        Ok(States::Bounded {
            keyed: Box::new(Keyed::new(b.max_keys, b.idle_after, build)?),
            peak: 0,
        })
    }

    /// The bounded store's figures (`None` for dense states).
    pub(super) fn figures(&self) -> Option<KeyedLevel> {
        match self {
            States::Dense(_) => None,
            States::Bounded { keyed, peak } => Some(KeyedLevel {
                level: 0,
                scope: String::new(),
                max_keys: keyed.max_keys() as u64,
                keys_at_end: keyed.len() as u64,
                peak_keys: *peak as u64,
                idle_evictions: keyed.idle_evictions(),
                forced_evictions: keyed.forced_evictions(),
            }),
        }
    }

    /// The state of `id` in a bounded store, created if needed.
    #[cold]
    pub(super) fn bounded(&mut self, id: usize, now: Nanos) -> Option<&mut Box<dyn Limiter>> {
        let States::Bounded { keyed, peak } = self else {
            return None;
        };
        let key = id as u32;
        if keyed.get(&key).is_none() {
            keyed.state_mut(&key, now);
            *peak = (*peak).max(keyed.len());
        }
        Some(keyed.state_mut(&key, now))
    }

    /// Report a completion to `id`'s state; a key no longer stored is ignored (an idle key
    /// has nothing in flight; a forced eviction lost the state already).
    pub(super) fn release_bounded(&mut self, id: usize, now: Nanos, cost: u32, outcome: Outcome) {
        if let States::Bounded { keyed, .. } = self {
            keyed.release_key(&(id as u32), now, cost, outcome);
        }
    }

    /// `id`'s state if it exists, for a look without charging.
    pub(super) fn get(&self, id: usize) -> Option<&dyn Limiter> {
        match self {
            States::Dense(v) => v.get(id)?.as_deref(),
            States::Bounded { keyed, .. } => keyed.get(&(id as u32)).map(|b| &**b),
        }
    }
}

/// A limiter that admits nothing: stands in for a keyed state whose (already validated)
/// parameters failed to build, which cannot happen (a factory of a keyed store cannot fail).
#[derive(Clone, Copy, Debug)]
pub struct Refuse;

impl Limiter for Refuse {
    fn check(&mut self, _now: Nanos, cost: u32) -> limiters::Decision {
        limiters::Decision::never(u64::from(cost))
    }
    fn peek(&self, _now: Nanos, cost: u32) -> limiters::Decision {
        limiters::Decision::never(u64::from(cost))
    }
    fn name(&self) -> &'static str {
        "refuse"
    }
}
