//! In-process limiter state: one `Mutex<Box<dyn Limiter>>` per (level, scope id), built through
//! `limiters::Registry`, so any registered algorithm works live exactly as it does in the
//! simulator.
//!
//! Why a mutex per cell and not a global lock: requests of different keys touch different cells
//! and never contend; only the levels a request really shares (its org, the global level) are
//! contended, for the few nanoseconds of a `peek`/`check`. State exists only for authenticated
//! identities (keys and tenants from the configuration), so memory is bounded by the
//! configuration, never by what clients send.
//!
//! Hierarchy semantics as in the simulator's design: every level is *peeked* first and charged
//! only if all admit, so a request denied by its org does not use up its key's budget. The
//! cells are locked in level order for the whole peek-then-charge step, which makes it atomic
//! across levels without deadlock.

use super::super::config::Level;
use anyhow::{Context, Result};
use limiters::{Decision, Limiter, Nanos, Outcome, Registry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

type Cell = Arc<Mutex<Box<dyn Limiter>>>;

/// One level's cells by scope id.
struct LevelCells {
    level: Level,
    cells: Mutex<HashMap<String, Cell>>,
}

/// In-memory limiter state for every level.
pub struct MemoryStore {
    registry: Registry,
    levels: Vec<LevelCells>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("levels", &self.levels.len())
            .finish()
    }
}

/// Lock a mutex, recovering the data if another thread panicked while holding it: limiter state
/// is plain numbers that are valid after any partial update, and the server must keep serving.
fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemoryStore {
    /// State for `levels`, each validated by building it once. `epoch_unix_secs` is the Unix
    /// time of the clock's zero: calendar quotas (`quota` with `period = "day"|"month"`) that
    /// were not given an `epoch` get it, so their boundaries fall on real UTC midnights.
    pub fn new(levels: &[Level], epoch_unix_secs: u64) -> Result<MemoryStore> {
        let registry = Registry::builtin();
        let mut cells = Vec::with_capacity(levels.len());
        for l in levels {
            let mut level = l.clone();
            if level.algorithm == "quota" && level.params.get("epoch").is_none() {
                level
                    .params
                    .insert("epoch", i64::try_from(epoch_unix_secs).unwrap_or(i64::MAX));
            }
            level.validate(&registry)?;
            cells.push(LevelCells {
                level,
                cells: Mutex::new(HashMap::new()),
            });
        }
        Ok(MemoryStore {
            registry,
            levels: cells,
        })
    }

    fn cell(&self, level: usize, id: &str) -> Result<Cell> {
        let lc = &self.levels[level];
        let mut cells = lock(&lc.cells);
        if let Some(c) = cells.get(id) {
            return Ok(Arc::clone(c));
        }
        let limiter = self
            .registry
            .build(&lc.level.algorithm, &lc.level.params)
            .with_context(|| format!("building limiter `{}`", lc.level.algorithm))?;
        let cell: Cell = Arc::new(Mutex::new(limiter));
        cells.insert(id.to_string(), Arc::clone(&cell));
        Ok(cell)
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
        let cells = ids
            .iter()
            .enumerate()
            .map(|(i, id)| self.cell(i, id))
            .collect::<Result<Vec<_>>>()?;
        let mut guards: Vec<MutexGuard<'_, Box<dyn Limiter>>> =
            cells.iter().map(|c| lock(c)).collect();
        let peeked: Vec<Decision> = guards.iter().map(|g| g.peek(now, cost)).collect();
        if !charge {
            return Ok(peeked);
        }
        // Charge every level iff all admit. A denying level still gets its `check` (a denial
        // charges nothing but lets the algorithm record the time, exactly as the in-crate
        // `check` and the Redis script do); a level that admitted while another denied is
        // left as it was.
        let all = peeked.iter().all(|d| d.allowed);
        Ok(guards
            .iter_mut()
            .zip(peeked)
            .map(|(g, p)| {
                if all || !p.allowed {
                    g.check(now, cost)
                } else {
                    p
                }
            })
            .collect())
    }

    /// An admitted request completed: tell every level (concurrency limits free the slot,
    /// adaptive limits learn, credit quotas refund failures).
    pub fn release(&self, ids: &[&str], now: Nanos, cost: u32, outcome: Outcome) -> Result<()> {
        for (i, id) in ids.iter().enumerate() {
            let cell = self.cell(i, id)?;
            lock(&cell).release(now, cost, outcome);
        }
        Ok(())
    }
}
