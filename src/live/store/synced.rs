//! The `synced` state of a deployment's level, live: each replica decides on its own in-memory
//! limiter and, every `sync_interval`, flushes the admissions it made since its last sync to
//! Redis with ONE script call (`sync.lua`, EVALSHA) that adds them to the level's global
//! counters and returns the global counts; the replica charges the others' admissions (the
//! count minus what it saw at its last sync and its own delta) to its own limiter.
//!
//! The systems modelled: Limitador's cached Redis storage (Kuadrant/limitador
//! `limitador/src/storage/redis/redis_cached.rs` keeps counters in a local cache and flushes
//! their pending deltas in batches; `scripts.rs` `BATCH_UPDATE_COUNTERS` is one Lua call that
//! `incrby`s every counter by its delta and returns the new values, which refresh the cache),
//! and Kong's rate-limiting plugin with `sync_rate` (Kong/kong
//! `kong/plugins/rate-limiting/policies/init.lua`: a node decides on its cached usage plus its
//! own delta, and every `sync_rate` seconds pushes the delta to Redis and reads the total).
//! The simulator's model is `sim::server::deployment::SharedLevel::sync`.
//!
//! Same semantics as the simulator: the local limiter has the whole limit; others' admissions
//! are charged one by one at the time of the sync (a charge past the limit is refused and
//! leaves the limiter full, as a counter at its limit stays refusing); a failed call keeps the
//! delta for the next sync. Every replica syncs at the same instants, the multiples of the
//! interval on the Unix clock, as the simulator syncs every replica at multiples of the
//! interval. A flush answers with the counts of the replicas whose flush of the tick reached
//! Redis first; to learn the later ones' at the same tick (the simulator applies a sync to
//! every replica at the instant it happens), each replica reads the counts once more a moment
//! after the tick (the same script with zero deltas, [`settle`] later): so a sync is one
//! flush call plus one read call per interval, and the simulator counts one.

use super::memory::MemoryStore;
use super::Clock;
pub use crate::live::config::SyncedLevel;
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// The script source.
pub const SCRIPT: &str = include_str!("sync.lua");

/// Counters live in Redis this long after their last change (a day: far past any run).
const TTL_MS: u64 = 86_400_000;

/// One synced level's counters in this replica.
#[derive(Debug)]
struct Counts {
    level: SyncedLevel,
    /// The level's scope ids (every configured identity's).
    ids: Vec<String>,
    /// Their Redis keys.
    keys: Vec<String>,
    /// Admissions since the last sync, per id.
    delta: Mutex<HashMap<String, u64>>,
    /// The global count each id had after this replica's last sync.
    seen: Mutex<Vec<u64>>,
}

/// The synced levels of a replica.
#[derive(Debug)]
pub struct Synced {
    counts: Vec<Counts>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Synced {
    /// The counters of `levels`, each with its scope ids, under Redis key `prefix`.
    pub fn new(levels: &[(SyncedLevel, Vec<String>)], prefix: &str) -> Synced {
        let counts = levels
            .iter()
            .map(|(l, ids)| Counts {
                keys: ids
                    .iter()
                    .map(|id| format!("{prefix}:sync:{}:{id}", l.index))
                    .collect(),
                seen: Mutex::new(vec![0; ids.len()]),
                ids: ids.clone(),
                level: l.clone(),
                delta: Mutex::new(HashMap::new()),
            })
            .collect();
        Synced { counts }
    }

    /// A request was admitted with scope ids `ids` (by level): count it for the next sync.
    pub fn admitted(&self, ids: &[&str], cost: u32) {
        for c in &self.counts {
            if let Some(id) = ids.get(c.level.index).filter(|id| **id != super::SKIP) {
                *lock(&c.delta).entry((*id).to_string()).or_default() += u64::from(cost);
            }
        }
    }

    /// Take level `j`'s delta, in `ids` order.
    fn take(&self, j: usize) -> (HashMap<String, u64>, Vec<u64>) {
        let c = &self.counts[j];
        let mine = std::mem::take(&mut *lock(&c.delta));
        let v = c
            .ids
            .iter()
            .map(|id| mine.get(id).copied().unwrap_or(0))
            .collect();
        (mine, v)
    }

    /// A sync failed: its delta goes with the next one.
    fn restore(&self, j: usize, mine: HashMap<String, u64>) {
        let mut d = lock(&self.counts[j].delta);
        for (id, n) in mine {
            *d.entry(id).or_default() += n;
        }
    }

    /// The global counts `totals` came back for level `j`, after this replica added `mine`:
    /// the others' admissions since this replica's last sync, per id (by index).
    fn others(&self, j: usize, mine: &[u64], totals: &[u64]) -> Vec<u64> {
        let mut seen = lock(&self.counts[j].seen);
        seen.iter_mut()
            .zip(mine.iter().zip(totals))
            .map(|(s, (m, t))| {
                let o = t.saturating_sub(*s + m);
                *s = (*s).max(*t);
                o
            })
            .collect()
    }

    /// Start one sync thread per level, against Redis at `url`, charging the others'
    /// admissions to `memory`'s limiters. A thread ends when `this` is dropped.
    pub fn start(
        this: &Arc<Synced>,
        url: &str,
        memory: &Arc<MemoryStore>,
        clock: Clock,
    ) -> Result<()> {
        let client = redis::Client::open(url).map_err(|e| anyhow!("--store {url}: {e}"))?;
        for j in 0..this.counts.len() {
            let weak = Arc::downgrade(this);
            let memory = Arc::clone(memory);
            let client = client.clone();
            std::thread::Builder::new()
                .name(format!("sync-{j}"))
                .spawn(move || sync_loop(&weak, j, &client, &memory, clock))?;
        }
        Ok(())
    }
}

/// Sleep to the next multiple of `interval` on the Unix clock (the same instants in every
/// replica).
fn sleep_to_tick(clock: Clock, interval: Duration) {
    let i = interval.as_nanos().max(1);
    let unix = u128::from(clock.zero_unix_secs()) * 1_000_000_000 + u128::from(clock.now().0);
    let next = (unix / i + 1) * i;
    std::thread::sleep(Duration::from_nanos((next - unix) as u64));
}

fn sync_loop(
    weak: &Weak<Synced>,
    j: usize,
    client: &redis::Client,
    memory: &MemoryStore,
    clock: Clock,
) {
    let script = redis::Script::new(SCRIPT);
    let mut conn: Option<redis::Connection> = None;
    let mut logged = false;
    loop {
        let Some(level) = weak.upgrade().map(|s| s.counts[j].level.clone()) else {
            return;
        };
        sleep_to_tick(clock, level.interval);
        let Some(synced) = weak.upgrade() else {
            return;
        };
        let (mine, v) = synced.take(j);
        let counts = &synced.counts[j];
        let result = match call(client, &mut conn, &script, counts, &v, level.timeout) {
            Err(e) => {
                // a failed flush keeps its delta for the next
                synced.restore(j, mine);
                Err(e)
            }
            Ok(totals) => {
                charge(&synced, j, &v, &totals, memory, clock, level.index);
                // the settle read: every replica's flush of this tick has arrived by then
                std::thread::sleep(settle(level.interval));
                let zeros = vec![0; v.len()];
                call(client, &mut conn, &script, counts, &zeros, level.timeout)
                    .map(|t| charge(&synced, j, &zeros, &t, memory, clock, level.index))
            }
        };
        match result {
            Ok(()) => logged = false,
            Err(e) => {
                conn = None;
                if !logged {
                    errln!(
                        "throttlelab serve: sync of level {} failed (kept for the next): {e:#}",
                        level.index
                    );
                    logged = true;
                }
            }
        }
    }
}

/// How long after a tick the settle read is made: every replica's flush of the tick has
/// reached Redis by then (a loopback call takes well under a millisecond).
fn settle(interval: Duration) -> Duration {
    (interval / 4).min(Duration::from_millis(20))
}

/// Charge level `j`'s others' admissions (from `totals`, after this replica added `mine`) to
/// this replica's limiters, one by one at the time of the sync.
fn charge(
    synced: &Synced,
    j: usize,
    mine: &[u64],
    totals: &[u64],
    memory: &MemoryStore,
    clock: Clock,
    level: usize,
) {
    let others = synced.others(j, mine, totals);
    let now = clock.now();
    for (id, n) in synced.counts[j].ids.iter().zip(others) {
        for _ in 0..n {
            // a refused charge leaves the limiter full, as in the simulator
            if memory.charge_one(level, id, now, 1).is_err() {
                break;
            }
        }
    }
}

/// One script call: add `v` (by id) and read the global counts.
fn call(
    client: &redis::Client,
    conn: &mut Option<redis::Connection>,
    script: &redis::Script,
    c: &Counts,
    v: &[u64],
    timeout: Duration,
) -> Result<Vec<u64>> {
    if conn.is_none() {
        let con = client.get_connection_with_timeout(timeout)?;
        con.set_read_timeout(Some(timeout))?;
        con.set_write_timeout(Some(timeout))?;
        *conn = Some(con);
    }
    let con = conn.as_mut().expect("connected above");
    let mut inv = script.prepare_invoke();
    for k in &c.keys {
        inv.key(k);
    }
    inv.arg(TTL_MS);
    for n in v {
        inv.arg(*n);
    }
    let totals: Vec<u64> = inv.invoke(con)?;
    if totals.len() != c.keys.len() {
        anyhow::bail!(
            "the sync script answered {} counts for {} ids",
            totals.len(),
            c.keys.len()
        );
    }
    Ok(totals)
}

#[cfg(test)]
mod tests;
