//! `/metrics` in the Prometheus text exposition format (version 0.0.4): what was admitted,
//! what was rejected and why, what is in flight, the limiters' last known state, and the health
//! of the shared limit store; and the backend's gauges a live run samples once per time-series
//! bucket (queue length, busy workers, the first level's state, see [`super::gauges`]) and the
//! work the backend did for clients that had already gone (the simulator's wasted work).
//!
//! Plain atomics and two small maps, rendered by hand: the format is a few lines of text and a
//! metrics crate would add a registry, a global and a dependency for no gain here.
//!
//! Every request updates these, so the hot path takes no lock and allocates nothing: response
//! counts are one relaxed atomic per status code (100..=599), and the limiter gauges are
//! atomics found under a read lock (a write lock only the first time a scope id is seen;
//! the ids are the server's configured identities, so the map is bounded by configuration).

use super::config::OnStoreError;
use limiters::Decision;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

/// (level index, scope, scope id).
type LimiterKey = (usize, &'static str, String);

/// Status codes counted: 100..=599 (hyper only sends valid codes, but an out-of-range one is
/// folded into the last slot rather than lost).
const STATUSES: usize = 500;

/// The latest (limit, remaining) of one level for one scope id.
#[derive(Debug)]
struct Gauge {
    scope: &'static str,
    limit: AtomicU64,
    remaining: AtomicU64,
    /// Decisions made for this id (a sampler finds the hottest id of an interval from it).
    decisions: AtomicU64,
}

/// Per level: scope id -> its gauge.
type LimiterGauges = Vec<HashMap<String, Gauge>>;

/// Counters and gauges of one server.
#[derive(Debug)]
pub struct Metrics {
    admitted: AtomicU64,
    replays: AtomicU64,
    /// Executions by logical-request tag, and the duplicates among them.
    pub executions: super::executions::Executions,
    in_flight: AtomicI64,
    queued: AtomicI64,
    busy: AtomicI64,
    wasted: AtomicU64,
    wasted_ns: AtomicU64,
    store_ok: AtomicU64,
    store_errors: AtomicU64,
    store_up: AtomicI64,
    fallback: [AtomicU64; 3],
    /// Responses by status, index `status - 100`.
    responses: Box<[AtomicU64]>,
    /// Per level, per scope id: (limit, remaining) of the latest decision.
    limiter: RwLock<LimiterGauges>,
    last_store_log: Mutex<Option<Instant>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            admitted: AtomicU64::new(0),
            replays: AtomicU64::new(0),
            executions: Default::default(),
            in_flight: AtomicI64::new(0),
            queued: AtomicI64::new(0),
            busy: AtomicI64::new(0),
            wasted: AtomicU64::new(0),
            wasted_ns: AtomicU64::new(0),
            store_ok: AtomicU64::new(0),
            store_errors: AtomicU64::new(0),
            store_up: AtomicI64::new(1),
            fallback: Default::default(),
            responses: (0..STATUSES).map(|_| AtomicU64::new(0)).collect(),
            limiter: RwLock::new(Vec::new()),
            last_store_log: Mutex::new(None),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Decrements a gauge when dropped (a cancelled request must not leak in-flight counts).
#[derive(Debug)]
pub struct GaugeGuard<'a>(&'a AtomicI64);

impl Drop for GaugeGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

/// At most this many ids per level get limiter gauges (`throttlelab_limiter_*{id=..}`).
pub const MAX_GAUGED_IDS: usize = 10_000;

impl Metrics {
    /// A request passed every limiter.
    pub fn admitted(&self) {
        self.admitted.fetch_add(1, Relaxed);
    }
    /// A stored idempotent response was replayed.
    pub fn replay(&self) {
        self.replays.fetch_add(1, Relaxed);
    }
    /// A response was sent with `status`.
    pub fn response(&self, status: u16) {
        let i = usize::from(status.saturating_sub(100)).min(STATUSES - 1);
        self.responses[i].fetch_add(1, Relaxed);
    }
    /// Responses sent so far, by status (only statuses sent at least once).
    fn responses(&self) -> BTreeMap<u16, u64> {
        self.responses
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let n = n.load(Relaxed);
                // i < STATUSES = 500, so the status fits
                (n > 0).then(|| (100 + i as u16, n))
            })
            .collect()
    }
    /// Count one request in flight (admitted, waiting or being served) until the guard drops.
    pub fn in_flight(&self) -> GaugeGuard<'_> {
        self.in_flight.fetch_add(1, Relaxed);
        GaugeGuard(&self.in_flight)
    }
    /// Count one request waiting for a worker until the guard drops.
    pub fn queued(&self) -> GaugeGuard<'_> {
        self.queued.fetch_add(1, Relaxed);
        GaugeGuard(&self.queued)
    }
    /// Requests now waiting for a worker.
    pub fn queue_depth(&self) -> i64 {
        self.queued.load(Relaxed)
    }
    /// Count one worker busy (a request in service) until the guard drops.
    pub fn busy(&self) -> GaugeGuard<'_> {
        self.busy.fetch_add(1, Relaxed);
        GaugeGuard(&self.busy)
    }
    /// The backend finished `work` of service for a request whose client had already gone
    /// (it disconnected, e.g. on its timeout): the simulator's wasted work.
    pub fn wasted(&self, work: Duration) {
        self.wasted.fetch_add(1, Relaxed);
        let ns = u64::try_from(work.as_nanos()).unwrap_or(u64::MAX);
        self.wasted_ns.fetch_add(ns, Relaxed);
    }
    /// The gauges and counters a live run samples, read directly (the same values `/metrics`
    /// renders; [`super::gauges::ServerSample::parse`] reads them back from the text).
    pub fn sample(&self) -> super::gauges::ServerSample {
        let first_level = self
            .limiter
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .first()
            .map(|ids| {
                ids.iter()
                    .map(|(id, g)| {
                        let state = super::gauges::LimiterSample {
                            limit: g.limit.load(Relaxed),
                            remaining: g.remaining.load(Relaxed),
                            decisions: g.decisions.load(Relaxed),
                        };
                        (id.clone(), state)
                    })
                    .collect()
            })
            .unwrap_or_default();
        super::gauges::ServerSample {
            queue_len: self.queued.load(Relaxed).max(0) as u64,
            busy: self.busy.load(Relaxed).max(0) as u64,
            in_flight: self.in_flight.load(Relaxed).max(0) as u64,
            wasted: self.wasted.load(Relaxed),
            wasted_ns: self.wasted_ns.load(Relaxed),
            first_level,
        }
    }
    /// The latest decision of a level for a scope id.
    pub fn limiter_state(&self, level: usize, scope: &'static str, id: &str, d: &Decision) {
        {
            let gauges = self.limiter.read().unwrap_or_else(|p| p.into_inner());
            if let Some(g) = gauges.get(level).and_then(|ids| ids.get(id)) {
                g.limit.store(d.limit, Relaxed);
                g.remaining.store(d.remaining, Relaxed);
                g.decisions.fetch_add(1, Relaxed);
                return;
            }
        }
        // first decision for this id: insert under the write lock
        let mut gauges = self.limiter.write().unwrap_or_else(|p| p.into_inner());
        if gauges.len() <= level {
            gauges.resize_with(level + 1, HashMap::new);
        }
        if gauges[level].len() >= MAX_GAUGED_IDS {
            // a flood of new keys (open registration) must not grow memory: the ids seen
            // first keep their gauges, later ones are counted nowhere here
            return;
        }
        let g = gauges[level]
            .entry(id.to_string())
            .or_insert_with(|| Gauge {
                scope,
                limit: AtomicU64::new(0),
                remaining: AtomicU64::new(0),
                decisions: AtomicU64::new(0),
            });
        g.limit.store(d.limit, Relaxed);
        g.remaining.store(d.remaining, Relaxed);
        g.decisions.fetch_add(1, Relaxed);
    }
    /// The scope ids the first level has decided for.
    pub fn first_level_ids(&self) -> Vec<String> {
        let gauges = self.limiter.read().unwrap_or_else(|p| p.into_inner());
        gauges
            .first()
            .map(|ids| ids.keys().cloned().collect())
            .unwrap_or_default()
    }
    /// A look (nothing charged, no decision counted) at the first level's state for `id`: the
    /// gauge shows the state now, not at the latest decision.
    pub fn first_level_peek(&self, id: &str, d: &Decision) {
        let gauges = self.limiter.read().unwrap_or_else(|p| p.into_inner());
        if let Some(g) = gauges.first().and_then(|ids| ids.get(id)) {
            g.limit.store(d.limit, Relaxed);
            g.remaining.store(d.remaining, Relaxed);
        }
    }
    /// The limiter gauges in exposition order: by level, then scope, then id.
    fn limiter_gauges(&self) -> BTreeMap<LimiterKey, (u64, u64, u64)> {
        let gauges = self.limiter.read().unwrap_or_else(|p| p.into_inner());
        gauges
            .iter()
            .enumerate()
            .flat_map(|(level, ids)| {
                ids.iter().map(move |(id, g)| {
                    (
                        (level, g.scope, id.clone()),
                        (
                            g.limit.load(Relaxed),
                            g.remaining.load(Relaxed),
                            g.decisions.load(Relaxed),
                        ),
                    )
                })
            })
            .collect()
    }
    /// One call to the shared store succeeded or failed.
    pub fn store_result(&self, ok: bool) {
        if ok {
            self.store_ok.fetch_add(1, Relaxed);
        } else {
            self.store_errors.fetch_add(1, Relaxed);
        }
        self.store_up.store(i64::from(ok), Relaxed);
    }
    /// A decision was made by the failure mode instead of the store.
    pub fn store_fallback(&self, mode: OnStoreError) {
        let i = match mode {
            OnStoreError::FailOpen => 0,
            OnStoreError::FailClosed => 1,
            OnStoreError::Local => 2,
        };
        self.fallback[i].fetch_add(1, Relaxed);
    }
    /// True at most once a second: store errors are logged, not flooded.
    pub fn should_log_store_error(&self) -> bool {
        let mut last = lock(&self.last_store_log);
        match *last {
            Some(t) if t.elapsed() < Duration::from_secs(1) => false,
            _ => {
                *last = Some(Instant::now());
                true
            }
        }
    }
}

mod render;

#[cfg(test)]
mod tests;
