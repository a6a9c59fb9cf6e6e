//! The front limiter hierarchy: levels keyed globally, by API key or by tenant, each built
//! from [`limiters::Registry`]. A request passes only if every level admits it, and is charged
//! only then: every level is peeked first, then every level is checked (the hierarchy semantics
//! of seed 002's "per-credential (60 rpm) or per-org (600 rpm)" throttle, where a request denied
//! by its org must not use up its credential's allowance).
//!
//! A level may also answer a fixed `Retry-After` (seed 000's constant 60), charge only when a
//! request completes successfully ([`Charge::OnCompletion`]: seed 001's check-then-record
//! metering, where concurrent checks all pass before any records), and apply to some fleets
//! only (two client fleets of one scenario, each behind its own variant of a limit).
//!
//! Per-level keyed state is a `Vec` indexed by the scope's dense id (keys and tenants are
//! numbered at the start of a run), filled lazily on first use: a lookup is an index, not a
//! hash, and an idle key costs one empty slot. A level with `max_keys` keeps them in a bounded,
//! evicting `limiters::keyed` store instead (see [`super::level_state`]).

mod level;
mod release;

use super::level_state::States;
use crate::metrics::KeyedLevel;
use crate::model::{Charge, Level, Scope};
use level::LevelRt;
use limiters::{Decision, Limiter, LimiterError, Nanos, Registry};

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
    /// Keep every level's decision of the last multi-level admission in [`Levels::shown`] (for
    /// clients that read every level's headers, each level in its own dialect).
    keep: bool,
    /// `(level index, decision)` of every level that applied to the last admission through
    /// the hierarchy (filled only with `keep`).
    shown: Vec<(u16, Decision)>,
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
                algorithm: l.algorithm.clone(),
                status: l.status,
                retry_after: l.retry_after,
                charge: l.charge,
                fleets: l.fleets.clone(),
                mask: Vec::new(),
                factory: entry.factory,
                params: l.params.clone(),
                states: States::new(l.keys, entry.factory, &l.params).map_err(|e| (i, e))?,
            });
        }
        Ok(Levels {
            levels: out,
            keep: false,
            shown: Vec::new(),
        })
    }

    /// Place fixed windows on the calendar clock: time 0 is the Unix second `epoch_unix_secs`
    /// (the scenario's `epoch`), and a `fixed_window` level's windows start at `align + k *
    /// period` of Unix time, as live on either store (see `limiters::fixed_window::
    /// on_unix_clock`). With the default epoch (a UTC midnight) every period that divides a day
    /// starts at time 0 as before. Call before the first admission.
    pub fn on_calendar(&mut self, epoch_unix_secs: u64) {
        let zero = u128::from(epoch_unix_secs) * 1_000_000_000;
        for l in &mut self.levels {
            if l.algorithm == "fixed_window" {
                l.params = limiters::fixed_window::on_unix_clock(&l.params, zero);
            }
        }
    }

    /// Keep every level's decision of each admission, for [`Levels::take_shown`].
    pub fn keep_shown(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Every applying level's decision of the last admission, `(level index, decision)`, taken
    /// (empty without [`Levels::keep_shown`]).
    pub fn take_shown(&mut self) -> Vec<(u16, Decision)> {
        std::mem::take(&mut self.shown)
    }

    /// Resolve the levels' fleet restrictions against the run's fleets: `names[i]` is the name
    /// of fleet `i`.
    pub fn bind_fleets(&mut self, names: &[&str]) {
        for l in &mut self.levels {
            l.mask = names
                .iter()
                .map(|n| l.fleets.iter().any(|f| f == n))
                .collect();
        }
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
        self.admit_as(None, now, key, tenant, cost)
    }

    /// [`Levels::admit`] for a request of fleet `fleet`: levels restricted to other fleets are
    /// skipped; [`Charge::OnCompletion`] levels are only peeked.
    #[inline]
    pub fn admit_as(
        &mut self,
        fleet: Option<u16>,
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
            1 if self.levels[0].plain() => {
                let l = &mut self.levels[0];
                let status = l.status;
                let id = l.id(key, tenant);
                let d = l.state(id, now)?.check(now, cost);
                let d = l.fix(d);
                if self.keep {
                    self.shown.clear();
                    self.shown.push((0, d));
                }
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
            _ => self.admit_hierarchy(fleet, now, key, tenant, cost),
        }
    }

    /// The one plain level (charged at admission, for every fleet), if that is the whole
    /// hierarchy.
    #[inline]
    pub fn single_plain(&self) -> bool {
        self.levels.len() == 1 && self.levels[0].plain()
    }

    /// [`Levels::admit_as`] for a hierarchy of one plain level ([`Levels::single_plain`]): its
    /// decision is written into `out` (where the response keeps it: the limiter's result is
    /// not copied) and its status returned.
    #[inline]
    pub fn admit_single_into(
        &mut self,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
        out: &mut Option<Decision>,
    ) -> Result<u16, LimiterError> {
        let l = &mut self.levels[0];
        let id = l.id(key, tenant);
        let d = l.state(id, now)?.check(now, cost);
        // Field by field: the limiter wrote its decision with one store per field, and a
        // whole-struct copy reads it back 16 bytes at a time, across two stores, which stalls
        // store forwarding on every attempt. `black_box` keeps the copies apart.
        let retry_after = match (d.allowed, l.retry_after, d.retry_after) {
            (false, Some(fixed), Some(_)) => Some(fixed),
            (_, _, r) => r,
        };
        *out = Some(Decision {
            allowed: d.allowed,
            delay: std::hint::black_box(d.delay),
            limit: std::hint::black_box(d.limit),
            remaining: std::hint::black_box(d.remaining),
            reset_after: std::hint::black_box(d.reset_after),
            retry_after,
        });
        Ok(l.status)
    }

    fn admit_hierarchy(
        &mut self,
        fleet: Option<u16>,
        now: Nanos,
        key: u32,
        tenant: u32,
        cost: u32,
    ) -> Result<Admission, LimiterError> {
        let mut denied: Option<(u16, Decision)> = None;
        let keep = self.keep;
        self.shown.clear();
        for (i, l) in self.levels.iter_mut().enumerate() {
            if !l.applies(fleet) {
                continue;
            }
            let id = l.id(key, tenant);
            let d = l.state(id, now)?.peek(now, cost);
            let d = l.fix(d);
            if keep {
                self.shown.push((i as u16, d));
            }
            if !d.allowed && denied.is_none_or(|(_, prev)| wait_of(&d) > wait_of(&prev)) {
                denied = Some((l.status, d));
            }
        }
        if let Some((status, decision)) = denied {
            return Ok(Admission::Denied { status, decision });
        }
        let mut first = None;
        let mut delay = Nanos::ZERO;
        self.shown.clear();
        for i in 0..self.levels.len() {
            let l = &mut self.levels[i];
            if !l.applies(fleet) {
                continue;
            }
            let id = l.id(key, tenant);
            let status = l.status;
            let d = match l.charge {
                Charge::OnAdmission => l.state(id, now)?.check(now, cost),
                // Checked, not recorded: the record comes when the request completes.
                Charge::OnCompletion => l.state(id, now)?.peek(now, cost),
            };
            let d = l.fix(d);
            if self.keep {
                self.shown.push((i as u16, d));
            }
            if !d.allowed {
                // A limiter whose check disagrees with its peek: take back exactly what was
                // charged above (`Limiter::undo`, innermost first), then deny.
                for j in (0..i).rev() {
                    let lj = &mut self.levels[j];
                    if !lj.applies(fleet) || lj.charge == Charge::OnCompletion {
                        continue;
                    }
                    let id = lj.id(key, tenant);
                    lj.state(id, now)?.undo(now, cost);
                }
                return Ok(Admission::Denied {
                    status,
                    decision: d,
                });
            }
            if first.is_none() {
                first = Some(d);
            }
            delay = delay.max(d.delay);
        }
        Ok(Admission::Allowed { first, delay })
    }

    /// The first level's scope, if there is a level.
    pub fn first_scope(&self) -> Option<Scope> {
        self.levels.first().map(|l| l.scope)
    }

    /// The first level's `(remaining, limit)` from a peek (cheap, for a time series): its only
    /// state if it is global, else the state of key or tenant `hot` (the time series passes
    /// the hottest one of the bucket). `None` if that state was never used.
    pub fn first_level_state(&self, now: Nanos, hot: Option<u32>) -> Option<(u64, u64)> {
        let l = self.levels.first()?;
        let id = match l.scope {
            Scope::Global => 0,
            Scope::Key | Scope::Tenant => hot? as usize,
        };
        let d = l.states.get(id)?.peek(now, 1);
        Some((d.remaining, d.limit))
    }

    /// The figures of every level that keeps its keys in a bounded store (`max_keys`).
    pub fn keyed_figures(&self) -> Vec<KeyedLevel> {
        self.levels
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                l.states.figures().map(|f| KeyedLevel {
                    level: i as u32,
                    scope: l.scope.as_str().to_string(),
                    ..f
                })
            })
            .collect()
    }
}
