//! The front limiter hierarchy: levels keyed globally, by API key or by tenant, each built
//! from [`limiters::Registry`]. A request passes only if every level admits it, and is charged
//! only then: every level is peeked first, then every level is checked (the hierarchy semantics
//! of seed 002's "per-credential (60 rpm) or per-org (600 rpm)" throttle, where a request denied
//! by its org must not use up its credential's allowance).
//!
//! Per-level keyed state is a `Vec` indexed by the scope's dense id (keys and tenants are
//! numbered at the start of a run), filled lazily on first use: a lookup is an index, not a
//! hash, and an idle key costs one empty slot.

use crate::model::{Level, Scope};
use limiters::{Decision, Factory, Limiter, LimiterError, Nanos, Outcome, Params, Registry};

/// One level at run time.
struct LevelRt {
    scope: Scope,
    status: u16,
    factory: Factory,
    params: Params,
    states: Vec<Option<Box<dyn Limiter>>>,
}

impl std::fmt::Debug for LevelRt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LevelRt")
            .field("scope", &self.scope)
            .field("status", &self.status)
            .field("states", &self.states.len())
            .finish()
    }
}

impl LevelRt {
    fn id(&self, key: u32, tenant: u32) -> usize {
        match self.scope {
            Scope::Global => 0,
            Scope::Key => key as usize,
            Scope::Tenant => tenant as usize,
        }
    }

    fn state(&mut self, id: usize) -> Result<&mut Box<dyn Limiter>, LimiterError> {
        if id >= self.states.len() {
            self.states.resize_with(id + 1, || None);
        }
        let slot = &mut self.states[id];
        if slot.is_none() {
            *slot = Some((self.factory)(&self.params)?);
        }
        match slot {
            Some(l) => Ok(l),
            None => Err(LimiterError::invalid("algorithm", "limiter state missing")),
        }
    }
}

/// What the hierarchy answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Admission {
    /// Every level admitted and was charged.
    Allowed {
        /// The first level's decision (what `X-RateLimit-*` headers on a success show).
        first: Option<Decision>,
        /// The longest delay any level imposed before service.
        delay: Nanos,
    },
    /// A level denied; nothing was charged.
    Denied {
        /// The denying level's status (429, 402).
        status: u16,
        /// Its decision (the one with the longest `retry_after` if several levels deny).
        decision: Decision,
    },
}

/// The hierarchy.
#[derive(Debug, Default)]
pub struct Levels {
    levels: Vec<LevelRt>,
}

/// How long a denial asks to wait; "never" sorts last.
fn wait_of(d: &Decision) -> Nanos {
    d.retry_after.unwrap_or(Nanos::MAX)
}

impl Levels {
    /// Build the levels; fails on an unknown algorithm or bad parameters.
    pub fn build(levels: &[Level], registry: &Registry) -> Result<Levels, (usize, LimiterError)> {
        let mut out = Vec::with_capacity(levels.len());
        for (i, l) in levels.iter().enumerate() {
            // Building once validates the parameters (and rejects unknown ones).
            registry
                .build(&l.algorithm, &l.params)
                .map_err(|e| (i, e))?;
            let entry = registry.get(&l.algorithm).map_err(|e| (i, e))?;
            out.push(LevelRt {
                scope: l.scope,
                status: l.status,
                factory: entry.factory,
                params: l.params.clone(),
                states: Vec::new(),
            });
        }
        Ok(Levels { levels: out })
    }

    /// Number of levels.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// True without any level.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// Decide on a request of `cost` from `key` in `tenant`: peek every level, then charge
    /// every level only if all admitted.
    pub fn admit(
        &mut self,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
    ) -> Result<Admission, LimiterError> {
        match self.levels.len() {
            0 => Ok(Admission::Allowed {
                first: None,
                delay: Nanos::ZERO,
            }),
            1 => {
                let l = &mut self.levels[0];
                let status = l.status;
                let id = l.id(key, tenant);
                let d = l.state(id)?.check(now, cost);
                Ok(if d.allowed {
                    Admission::Allowed {
                        first: Some(d),
                        delay: d.delay,
                    }
                } else {
                    Admission::Denied {
                        status,
                        decision: d,
                    }
                })
            }
            _ => self.admit_hierarchy(now, key, tenant, cost),
        }
    }

    fn admit_hierarchy(
        &mut self,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
    ) -> Result<Admission, LimiterError> {
        let mut denied: Option<(u16, Decision)> = None;
        for l in &mut self.levels {
            let id = l.id(key, tenant);
            let d = l.state(id)?.peek(now, cost);
            if !d.allowed && denied.map_or(true, |(_, prev)| wait_of(&d) > wait_of(&prev)) {
                denied = Some((l.status, d));
            }
        }
        if let Some((status, decision)) = denied {
            return Ok(Admission::Denied { status, decision });
        }
        let mut first = None;
        let mut delay = Nanos::ZERO;
        for i in 0..self.levels.len() {
            let l = &mut self.levels[i];
            let id = l.id(key, tenant);
            let status = l.status;
            let d = l.state(id)?.check(now, cost);
            if !d.allowed {
                // A limiter whose check disagrees with its peek: undo what was charged above
                // as far as the algorithms allow (a dropped request), then deny.
                for j in 0..i {
                    self.release_one(
                        j,
                        now,
                        key,
                        tenant,
                        cost,
                        Outcome {
                            kind: limiters::OutcomeKind::Dropped,
                            latency: Nanos::ZERO,
                        },
                    )?;
                }
                return Ok(Admission::Denied {
                    status,
                    decision: d,
                });
            }
            if i == 0 {
                first = Some(d);
            }
            delay = delay.max(d.delay);
        }
        Ok(Admission::Allowed { first, delay })
    }

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
        l.state(id)?.release(now, cost, outcome);
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
        for i in 0..self.levels.len() {
            self.release_one(i, now, key, tenant, cost, outcome)?;
        }
        Ok(())
    }

    /// The first level's `(remaining, limit)` from a peek, when it is global (cheap and
    /// meaningful for a time series); `None` otherwise.
    pub fn first_global_state(&self, now: Nanos) -> Option<(u64, u64)> {
        let l = self.levels.first()?;
        if l.scope != Scope::Global {
            return None;
        }
        let d = l.states.first()?.as_ref()?.peek(now, 1);
        Some((d.remaining, d.limit))
    }
}
