//! How a scenario is driven live ([`LoadOptions`]); what a live run returns is
//! [`crate::recorded::LiveRun`].

use sim::model::Scenario;
use std::sync::Arc;
use std::time::Duration;

/// How to drive a scenario live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// The horizon: arrivals and attempts stop here, and nothing after it is counted (at most
    /// the scenario's duration).
    pub duration: Duration,
    /// At most this many attempts; the run ends early when they are used up.
    pub max_requests: u64,
    /// Seed of the arrival and jitter streams.
    pub seed: u64,
    /// Allow a target that is not on this machine.
    pub allow_remote: bool,
    /// `None`: the scenario's identities (`serve --scenario`, `serve_in_process`); `Some(n)`:
    /// the keys `key-0 .. key-(n-1)` of `serve --keys n`, round-robin.
    pub tokens: Option<u32>,
    /// The server's keys: each label above is sent as its secret (`serve --keys-out`, or the
    /// in-process server's); `None`: the labels themselves.
    pub secrets: Option<Arc<crate::live::keys::Secrets>>,
    /// Where the server's gauges are scraped (`None`: `/metrics` on the target).
    pub metrics_url: Option<reqwest::Url>,
    /// Bearer token of the metrics scrape (`serve --metrics-token`).
    pub metrics_token: Option<String>,
    /// Show a progress bar on stderr (when it is a terminal): not `--quiet`.
    pub progress: bool,
    /// Sleep the scenario's network delay on both legs of every attempt, as the simulator
    /// draws it (see `network.rs`); false when the network to the target is the real one
    /// (`load --real-network`).
    pub network_delay: bool,
}

impl LoadOptions {
    /// The scenario's duration and seed, ten million attempts at most, loopback only, the
    /// scenario's identities.
    pub fn new(s: &Scenario) -> LoadOptions {
        LoadOptions {
            duration: Duration::from(s.duration),
            max_requests: 10_000_000,
            seed: s.seed,
            allow_remote: false,
            tokens: None,
            secrets: None,
            metrics_url: None,
            metrics_token: None,
            progress: false,
            network_delay: true,
        }
    }
}
