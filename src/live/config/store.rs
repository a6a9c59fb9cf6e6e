//! Where the live server's limiter state lives (`--store`): in memory, on Redis (one script
//! call per decision, with what to do when Redis fails), or synced (decided in memory, deltas
//! flushed to Redis every interval).

use anyhow::{bail, Result};
use std::time::Duration;

/// Where limiter state lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// In this process (default).
    Memory,
    /// In Redis at this URL, shared by every `serve` process pointing at it.
    Redis {
        /// `redis://127.0.0.1:6379`.
        url: String,
        /// What to do when Redis does not answer.
        on_error: OnStoreError,
        /// How long one Redis call may take before it counts as an error.
        timeout: Duration,
        /// The prefix of every key it writes (`throttlelab`; a deployment's own, fresh one).
        prefix: String,
        /// With `FailClosed`: the refusal's status and no `Retry-After`, as Envoy's rate limit
        /// filter answers its `status_on_error` (a deployment's `status_on_error`, or
        /// `--status-on-error`); `None`: 503 with `Retry-After: 1`.
        closed_status: Option<u16>,
    },
    /// In this process, with `synced` levels whose counters are flushed to Redis every
    /// interval (a deployment's replica; see `store::synced`).
    Synced {
        /// `redis://127.0.0.1:6379`.
        url: String,
        /// The prefix of the deployment's counters.
        prefix: String,
        /// The synced levels.
        levels: Vec<SyncedLevel>,
    },
}

/// The behaviour when the shared store is unreachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnStoreError {
    /// Admit the request (availability over protection).
    FailOpen,
    /// Refuse: 503 with `Retry-After: 1`, or the configured `closed_status` (protection over
    /// availability).
    FailClosed,
    /// Decide with this process's in-memory limiters until the store is back.
    Local,
}

impl OnStoreError {
    /// Parse `fail-open`, `fail-closed` or `local`.
    pub fn parse(text: &str) -> Result<OnStoreError> {
        match text {
            "fail-open" => Ok(OnStoreError::FailOpen),
            "fail-closed" => Ok(OnStoreError::FailClosed),
            "local" => Ok(OnStoreError::Local),
            other => bail!(
                "unknown --on-store-error `{other}` (expected fail-open, fail-closed or local)"
            ),
        }
    }
    /// The flag spelling, used as a metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            OnStoreError::FailOpen => "fail-open",
            OnStoreError::FailClosed => "fail-closed",
            OnStoreError::Local => "local",
        }
    }
}

/// One synced level's configuration (`StoreConfig::Synced`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncedLevel {
    /// The level's index.
    pub index: usize,
    /// Time between two syncs.
    pub interval: Duration,
    /// How long a sync call may take.
    pub timeout: Duration,
}
