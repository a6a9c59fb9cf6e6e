//! In-process limiter state, one cell per (level, scope id), built through
//! `limiters::Registry`, so any registered algorithm works live exactly as in the simulator.
//!
//! Every cell is created at startup for every configured identity (each key, each tenant, the
//! global id, and one "anonymous" id used only to peek for the headers of unauthenticated
//! responses): the map is then read-only, needs no lock, and memory is bounded by the
//! configuration, never by what clients send. With open registration (`--open-registration`,
//! [`OpenKeys`]) the ids nobody configured get their states in a bounded, evicting
//! `limiters::keyed::ShardedKeyed` store per level instead: at most `max_keys` per level, idle
//! keys dropped exactly, the least recently used evicted when a flood of new keys fills it.
//!
//! Thread safety: a configuration with a single `gcra` or `token_bucket` level uses the
//! lock-free `limiters::AtomicGcra` / `AtomicTokenBucket` (one compare-exchange per request,
//! the same decisions as the sequential algorithms). Every other configuration puts a `Mutex`
//! around each `Box<dyn Limiter>`: requests of different keys never contend, and the cells a
//! request shares (its org, the global level) are held for one `peek`/`check`.
//!
//! Hierarchy semantics as in the simulator: every level is *peeked* first and charged only if
//! all admit, so a request denied by its org does not use up its key's budget. The cells are
//! locked in level order for the whole peek-then-charge step, which makes it atomic across
//! levels without deadlock.

use super::super::config::{Identity, Level, OpenKeys, Scope};
use super::SKIPPED;
use anyhow::{Context, Result};
use limiters::keyed::{Keyed, ShardedKeyed};
use limiters::{AtomicGcra, AtomicTokenBucket, Decision, Limiter, Nanos, Outcome, Registry};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// One limiter state.
enum Cell {
    Locked(Mutex<Box<dyn Limiter>>),
    Gcra(AtomicGcra),
    TokenBucket(AtomicTokenBucket),
}

/// Lock a mutex, recovering the data if another thread panicked while holding it: limiter state
/// is plain numbers that are valid after any partial update, and the server must keep serving.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The states of unconfigured ids at one level (open registration).
type OpenStore = ShardedKeyed<String, Box<dyn Limiter>>;

/// Shards of an open store: threads working on different keys rarely share a lock.
const OPEN_SHARDS: usize = 16;

/// Where one level keeps the state of one request's id.
enum Slot<'s> {
    Cell(&'s Cell),
    Open(&'s OpenStore, String),
}

/// A level's state locked for a hierarchy decision.
enum Guard<'s> {
    Cell(MutexGuard<'s, Box<dyn Limiter>>),
    Open(MutexGuard<'s, Keyed<String, Box<dyn Limiter>>>, String),
}

impl Guard<'_> {
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        match self {
            Guard::Cell(g) => g.peek(now, cost),
            Guard::Open(k, id) => k.peek_key(id, now, cost),
        }
    }
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        match self {
            Guard::Cell(g) => g.check(now, cost),
            Guard::Open(k, id) => k.check_key(id, now, cost),
        }
    }
    fn undo(&mut self, now: Nanos, cost: u32) {
        match self {
            Guard::Cell(g) => g.undo(now, cost),
            Guard::Open(k, id) => k.state_mut(id, now).undo(now, cost),
        }
    }
}

/// In-memory limiter state for every level.
pub struct MemoryStore {
    levels: Vec<HashMap<String, Cell>>,
    /// Per level, the bounded store of ids not configured (open registration only).
    open: Vec<Option<OpenStore>>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("levels", &self.levels.len())
            .field(
                "cells",
                &self.levels.iter().map(HashMap::len).sum::<usize>(),
            )
            .finish()
    }
}

fn build(level: &Level, registry: &Registry, atomic: bool) -> Result<Cell> {
    let limiter = registry
        .build(&level.algorithm, &level.params)
        .with_context(|| format!("limiter level `{}:{}`", level.scope, level.algorithm))?;
    if atomic && matches!(level.algorithm.as_str(), "gcra" | "token_bucket") {
        let rate = level.params.rate("rate")?;
        // the burst after the factory's defaults: the limit of an idle peek
        let burst = limiter.peek(Nanos::ZERO, 0).limit;
        return Ok(if level.algorithm == "gcra" {
            Cell::Gcra(AtomicGcra::new(rate, burst)?)
        } else {
            Cell::TokenBucket(AtomicTokenBucket::new(rate, burst)?)
        });
    }
    Ok(Cell::Locked(Mutex::new(limiter)))
}

/// The bounded store of a level's unconfigured ids.
fn open_store(level: &Level, open: OpenKeys) -> Result<OpenStore> {
    let registry = Registry::builtin();
    let entry = registry.get(&level.algorithm)?;
    let factory = entry.factory;
    let params = level.params.clone();
    // built once here, so the factory below cannot fail; if it ever did, the key would get a
    // limiter that admits nothing rather than a panic
    factory(&params)?;
    let build = std::sync::Arc::new(move || -> Box<dyn Limiter> {
        factory(&params).unwrap_or_else(|_| Box::new(sim::server::Refuse))
    });
    let shards = OPEN_SHARDS.min(open.max_keys.max(1));
    Ok(ShardedKeyed::new(
        shards,
        open.max_keys.max(shards),
        Nanos::from(open.idle_after),
        build,
    )?)
}

impl MemoryStore {
    /// State for `levels` and every identity in `who` (plus `anonymous`). `epoch_unix_secs` is
    /// the Unix time of the clock's zero: calendar quotas (`quota` with `period = "day"|"month"`)
    /// get it as their `epoch` (any `epoch` a scenario gave is the simulator's time 0, not this
    /// server's), so their boundaries fall on real UTC midnights; fixed windows are moved onto
    /// the wall clock (`limiters::fixed_window::on_unix_clock`), so a minute window starts at
    /// the top of the minute as on the Redis store (seed 002), not at server start.
    #[cfg(test)]
    pub fn new<'a>(
        levels: &[Level],
        who: impl Iterator<Item = &'a Identity> + Clone,
        anonymous: &'a Identity,
        epoch_unix_secs: u64,
    ) -> Result<MemoryStore> {
        MemoryStore::with_open(levels, who, anonymous, epoch_unix_secs, None)
    }

    /// [`MemoryStore::new`], accepting ids nobody configured when `open` is given (open
    /// registration): their states live in a bounded store per key or tenant level.
    pub fn with_open<'a>(
        levels: &[Level],
        who: impl Iterator<Item = &'a Identity> + Clone,
        anonymous: &'a Identity,
        epoch_unix_secs: u64,
        open: Option<OpenKeys>,
    ) -> Result<MemoryStore> {
        let registry = Registry::builtin();
        let atomic = levels.len() == 1;
        let mut out = Vec::with_capacity(levels.len());
        let mut opens = Vec::with_capacity(levels.len());
        for l in levels {
            let mut level = l.clone();
            if level.algorithm == "quota" {
                let epoch = i64::try_from(epoch_unix_secs).unwrap_or(i64::MAX);
                level.params.insert("epoch", epoch);
            }
            if level.algorithm == "fixed_window" {
                let zero = u128::from(epoch_unix_secs) * 1_000_000_000;
                level.params = limiters::fixed_window::on_unix_clock(&level.params, zero);
            }
            let mut cells = HashMap::new();
            for id in who.clone().chain(std::iter::once(anonymous)) {
                let key = id.id(level.scope);
                if !cells.contains_key(key) {
                    cells.insert(key.to_string(), build(&level, &registry, atomic)?);
                }
            }
            if level.scope == Scope::Global && cells.is_empty() {
                cells.insert(String::new(), build(&level, &registry, atomic)?);
            }
            out.push(cells);
            opens.push(match open {
                Some(o) if level.scope != Scope::Global => Some(open_store(&level, o)?),
                _ => None,
            });
        }
        Ok(MemoryStore {
            levels: out,
            open: opens,
        })
    }

    /// States held for unconfigured ids, over every level (open registration).
    pub fn open_keys_held(&self) -> usize {
        self.open.iter().flatten().map(ShardedKeyed::len).sum()
    }

    /// Evictions from the open stores, `(all, forced)`: forced ones lost a key's state.
    pub fn open_evictions(&self) -> (u64, u64) {
        self.open.iter().flatten().fold((0, 0), |(a, f), s| {
            (a + s.evictions(), f + s.forced_evictions())
        })
    }

    /// The states of a request, by level; `None` for a level skipped ([`super::SKIP`]).
    fn cells<'s>(&'s self, ids: &[&str]) -> Result<Vec<Option<Slot<'s>>>> {
        ids.iter()
            .zip(self.levels.iter().zip(&self.open))
            .map(|(id, (cells, open))| {
                if *id == super::SKIP {
                    return Ok(None);
                }
                if let Some(c) = cells.get(*id) {
                    return Ok(Some(Slot::Cell(c)));
                }
                match open {
                    Some(o) => Ok(Some(Slot::Open(o, (*id).to_string()))),
                    None => anyhow::bail!("no limiter state for `{id}`"),
                }
            })
            .collect()
    }

    /// Decide on a request whose scope id at level `i` is `ids[i]`. With `charge`, the request
    /// is charged at every level if and only if every level admits it; without, nothing changes
    /// (a `peek`, used for the headers of requests that are not counted, such as replays).
    pub fn decide(
        &self,
        ids: &[&str],
        now: Nanos,
        cost: u32,
        charge: bool,
    ) -> Result<Vec<Decision>> {
        let cells = self.cells(ids)?;
        if let [Some(Slot::Open(o, id))] = cells.as_slice() {
            return Ok(vec![if charge {
                o.check_key(id, now, cost)
            } else {
                o.peek_key(id, now, cost)
            }]);
        }
        if let [Some(Slot::Cell(single))] = cells.as_slice() {
            let d = match (single, charge) {
                (Cell::Gcra(g), true) => g.check(now, cost),
                (Cell::Gcra(g), false) => g.peek(now, cost),
                (Cell::TokenBucket(t), true) => t.check(now, cost),
                (Cell::TokenBucket(t), false) => t.peek(now, cost),
                (Cell::Locked(m), true) => lock(m).check(now, cost),
                (Cell::Locked(m), false) => lock(m).peek(now, cost),
            };
            return Ok(vec![d]);
        }
        let mut guards = Vec::with_capacity(cells.len());
        // locked in level order (a cell, or an open store's shard): no deadlock
        for c in &cells {
            match c {
                Some(Slot::Cell(Cell::Locked(m))) => guards.push(Some(Guard::Cell(lock(m)))),
                Some(Slot::Open(o, id)) => guards.push(Some(Guard::Open(o.shard(id), id.clone()))),
                // a skipped level admits without limit and is never charged
                None => guards.push(None),
                // atomic cells are only built for single-level configurations
                _ => anyhow::bail!("internal: lock-free cell in a multi-level configuration"),
            }
        }
        let peeked: Vec<Decision> = guards
            .iter()
            .map(|g| g.as_ref().map_or(SKIPPED, |g| g.peek(now, cost)))
            .collect();
        if !charge {
            return Ok(peeked);
        }
        // Charge every level iff all admit. A denying level still gets its `check` (a denial
        // charges nothing but lets the algorithm record the time, exactly as the in-crate
        // `check` and the Redis script do); a level that admitted while another denied is
        // left as it was. If a level's `check` denies although every peek admitted (a
        // limiter whose peek and check disagree), the levels its check admitted are taken
        // back exactly (`Limiter::undo`), as in the simulator.
        let all = peeked.iter().all(|d| d.allowed);
        let decided: Vec<Decision> = guards
            .iter_mut()
            .zip(peeked)
            .map(|(g, p)| match g {
                Some(g) if all || !p.allowed => g.check(now, cost),
                _ => p,
            })
            .collect();
        if all && decided.iter().any(|d| !d.allowed) {
            for (g, d) in guards.iter_mut().zip(&decided).rev() {
                if let (Some(g), true) = (g, d.allowed) {
                    g.undo(now, cost);
                }
            }
        }
        Ok(decided)
    }

    /// Charge `cost` to level `level`'s state of `id` alone (a `synced` level learning the other
    /// replicas' admissions): the limiter's own `check`, so a charge past its limit is refused
    /// and changes nothing, as a counter at its limit stays refusing. Returns the decision.
    pub fn charge_one(&self, level: usize, id: &str, now: Nanos, cost: u32) -> Result<Decision> {
        let cells = self
            .levels
            .get(level)
            .ok_or_else(|| anyhow::anyhow!("internal: no level {level}"))?;
        match cells.get(id) {
            Some(Cell::Locked(m)) => Ok(lock(m).check(now, cost)),
            Some(Cell::Gcra(g)) => Ok(g.check(now, cost)),
            Some(Cell::TokenBucket(t)) => Ok(t.check(now, cost)),
            None => match self.open.get(level).and_then(Option::as_ref) {
                Some(o) => Ok(o.check_key(&id.to_string(), now, cost)),
                None => anyhow::bail!("no limiter state for `{id}`"),
            },
        }
    }

    /// An admitted request completed: tell every level (concurrency limits free the slot,
    /// adaptive limits learn, credit quotas refund failures; GCRA and token buckets ignore it).
    pub fn release(&self, ids: &[&str], now: Nanos, cost: u32, outcome: Outcome) -> Result<()> {
        for cell in self.cells(ids)? {
            match cell {
                Some(Slot::Cell(Cell::Locked(m))) => lock(m).release(now, cost, outcome),
                Some(Slot::Open(o, id)) => o.release_key(&id, now, cost, outcome),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
