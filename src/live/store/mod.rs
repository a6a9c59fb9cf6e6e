//! Where limiter state lives: in this process ([`MemoryStore`]) or in Redis ([`RedisStore`]),
//! and what happens when Redis does not answer (`--on-store-error`).
//!
//! Both stores give the same decisions for the same sequence of requests: the memory store runs
//! the `limiters` crate itself, the Redis script mirrors its arithmetic. Both honour [`SKIP`]
//! (a level that does not count a request), which is how per-fleet levels (`fleets = [...]`)
//! and levels charged on completion (`charge = "on_completion"`) are served by either store.

mod memory;
mod redis;
mod redis_conn;
pub mod synced;

pub use self::redis::RedisStore;
pub use memory::MemoryStore;
pub use synced::{Synced, SyncedLevel};

use super::config::{Identity, Level, OnStoreError, OpenKeys, StoreConfig};
use super::metrics::Metrics;
use anyhow::Result;
use limiters::{Decision, Nanos, Outcome};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// The live clock: a monotonic `Instant` converted to [`Nanos`] at the edge (the `limiters`
/// crate never reads a clock). Its zero is the whole Unix second at or before server start,
/// so limiter time maps onto calendar time exactly: calendar quotas get that second as their
/// `epoch`, and fixed windows are placed on the wall clock's minutes (see [`MemoryStore`]).
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
    zero_unix_secs: u64,
}

impl Clock {
    /// A clock whose zero is the Unix second now began.
    pub fn start() -> Clock {
        // the instant first: the zero errs early by the time between the two reads (a clock
        // microseconds ahead, never behind the wall clock, so no rendered reset is late)
        let now = Instant::now();
        let unix = super::respond::unix_now().as_nanos();
        let into_second = std::time::Duration::from_nanos(unix % 1_000_000_000);
        // `Instant` cannot go before the process's own origin on some platforms: then the zero
        // is now and the epoch one second later is still a whole second (rounded up)
        match now.checked_sub(into_second) {
            Some(start) => Clock {
                start,
                zero_unix_secs: unix / 1_000_000_000,
            },
            None => Clock {
                start: now,
                zero_unix_secs: unix.div_ceil(1_000_000_000),
            },
        }
    }
    /// Time since the clock's zero.
    pub fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed())
    }
    /// The Unix second of the clock's zero.
    pub fn zero_unix_secs(&self) -> u64 {
        self.zero_unix_secs
    }
}

/// The scope id of a level that does not count a request (a level restricted to other
/// fleets, or one charged on completion while the others are charged at admission): both
/// stores admit it without limit ([`SKIPPED`]) and charge nothing (the Redis store does not
/// even send it to the script). Never a real key (a NUL byte cannot be in an HTTP header).
pub const SKIP: &str = "\u{0}skip";

/// The decision of a skipped level: admits, unlimited.
pub const SKIPPED: Decision = Decision {
    allowed: true,
    limit: u64::MAX,
    remaining: u64::MAX,
    reset_after: Nanos::ZERO,
    retry_after: None,
    delay: Nanos::ZERO,
};

/// The answer of the store for one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Per-level decisions.
    Decided(Vec<Decision>),
    /// The store failed; configured to admit anyway.
    FailOpen,
    /// The store failed; configured to refuse (503).
    FailClosed,
}

/// The configured store plus its failure mode.
#[derive(Debug)]
pub struct Store {
    memory: Arc<MemoryStore>,
    /// A deployment replica's `synced` levels (their counters, flushed to Redis).
    synced: Option<Arc<Synced>>,
    redis: Option<(RedisStore, OnStoreError)>,
    clock: Clock,
    metrics: Arc<Metrics>,
}

impl Store {
    /// Build the store for `levels`. The memory store always exists: it is the store, or the
    /// `local` fallback when Redis is down.
    pub fn new(
        levels: &[Level],
        who: &HashMap<String, Identity>,
        anonymous: &Identity,
        config: &StoreConfig,
        open: Option<OpenKeys>,
        metrics: Arc<Metrics>,
    ) -> Result<Store> {
        let clock = Clock::start();
        let memory = Arc::new(MemoryStore::with_open(
            levels,
            who.values(),
            anonymous,
            clock.zero_unix_secs(),
            open,
        )?);
        let mut synced = None;
        let redis = match config {
            StoreConfig::Memory => None,
            StoreConfig::Redis {
                url,
                on_error,
                timeout,
                prefix,
                ..
            } => Some((RedisStore::new(url, levels, *timeout, prefix)?, *on_error)),
            StoreConfig::Synced {
                url,
                prefix,
                levels: sl,
            } => {
                let with_ids: Vec<(SyncedLevel, Vec<String>)> = sl
                    .iter()
                    .map(|l| {
                        let scope = levels.get(l.index).map(|x| x.scope);
                        let mut ids: Vec<String> = match scope {
                            Some(scope) => who.values().map(|i| i.id(scope).to_string()).collect(),
                            None => Vec::new(),
                        };
                        ids.sort();
                        ids.dedup();
                        (l.clone(), ids)
                    })
                    .collect();
                let s = Arc::new(Synced::new(&with_ids, prefix));
                Synced::start(&s, url, &memory, clock)?;
                synced = Some(s);
                None
            }
        };
        Ok(Store {
            memory,
            synced,
            redis,
            clock,
            metrics,
        })
    }

    /// The open-registration figures of the in-memory store, in the Prometheus text format:
    /// unconfigured keys' states held (bounded by `--max-keys` per level) and evictions.
    pub fn open_metrics(&self) -> String {
        let (all, forced) = self.memory.open_evictions();
        format!(
            "# HELP throttlelab_open_keys States held for unconfigured keys (open registration).\n\
             # TYPE throttlelab_open_keys gauge\n\
             throttlelab_open_keys {}\n\
             # HELP throttlelab_open_key_evictions_total Unconfigured keys' states dropped (forced: not idle, state lost).\n\
             # TYPE throttlelab_open_key_evictions_total counter\n\
             throttlelab_open_key_evictions_total{{kind=\"idle\"}} {}\n\
             throttlelab_open_key_evictions_total{{kind=\"forced\"}} {}\n",
            self.memory.open_keys_held(),
            all - forced,
            forced
        )
    }

    /// Decide on a request (`charge`) or look without charging. `ids[i]` is the request's
    /// scope id at level `i`.
    pub async fn decide(&self, ids: &[&str], cost: u32, charge: bool) -> Result<Verdict> {
        if ids.iter().all(|id| *id == SKIP) {
            // no level counts this request: nothing to ask either store (and Redis's health
            // is not reported from a call that was never made)
            return Ok(Verdict::Decided(vec![SKIPPED; ids.len()]));
        }
        let Some((redis, on_error)) = &self.redis else {
            let d = self.memory.decide(ids, self.clock.now(), cost, charge)?;
            if let (Some(s), true) = (&self.synced, charge && d.iter().all(|d| d.allowed)) {
                s.admitted(ids, cost);
            }
            return Ok(Verdict::Decided(d));
        };
        match redis.decide(ids, cost, charge).await {
            Ok(d) => {
                self.metrics.store_result(true);
                Ok(Verdict::Decided(d))
            }
            Err(e) => {
                self.metrics.store_result(false);
                self.metrics.store_fallback(*on_error);
                if self.metrics.should_log_store_error() {
                    errln!(
                        "throttlelab serve: limit store error ({}): {e:#}",
                        on_error.as_str()
                    );
                }
                Ok(match on_error {
                    OnStoreError::FailOpen => Verdict::FailOpen,
                    OnStoreError::FailClosed => Verdict::FailClosed,
                    OnStoreError::Local => {
                        Verdict::Decided(self.memory.decide(ids, self.clock.now(), cost, charge)?)
                    }
                })
            }
        }
    }

    /// An admitted request completed: the in-memory levels hear it (concurrency limits free
    /// their slot, adaptive limits learn, quotas refund failures). Synchronous, so it also runs
    /// when a request's task ends early; with the Redis store it does nothing, see
    /// [`Store::release_shared`].
    pub fn release(&self, ids: &[&str], cost: u32, outcome: Outcome) -> Result<()> {
        if self.redis.is_some() {
            return Ok(());
        }
        self.memory.release(ids, self.clock.now(), cost, outcome)
    }

    /// An admitted request completed, for the Redis store: a failure refunds the quota levels
    /// that refund failures (the only release the script's algorithms act on, as their in-crate
    /// twins). If Redis does not answer, `local` mode refunds this process's in-memory levels
    /// (which decided while Redis was away); the other modes have nothing to refund.
    pub async fn release_shared(&self, ids: &[&str], cost: u32, outcome: Outcome) -> Result<()> {
        let Some((redis, on_error)) = &self.redis else {
            return Ok(());
        };
        if let Err(e) = redis.release(ids, cost, outcome).await {
            self.metrics.store_result(false);
            if self.metrics.should_log_store_error() {
                errln!("throttlelab serve: limit store error on release: {e:#}");
            }
            if *on_error == OnStoreError::Local {
                self.memory.release(ids, self.clock.now(), cost, outcome)?;
            }
        }
        Ok(())
    }
}
