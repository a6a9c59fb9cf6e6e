//! The first form of the load API (`run(LoadConfig)` returning a JSON report), kept as a thin
//! wrapper over [`super::run_scenario`] while callers move to the `sim::RunResult` it returns.

use super::{run_scenario, LoadOptions};
use anyhow::Result;
use serde_json::{json, Value};
use sim::metrics::Summary;
use sim::model::Scenario;
use std::time::Duration;

/// A load run (legacy form).
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub target: String,
    /// Fleets to drive.
    pub scenario: Scenario,
    /// The horizon.
    pub duration: Duration,
    /// Unused: nothing after the horizon is counted (as in the simulator).
    pub grace: Duration,
    /// At most this many attempts in the whole run.
    pub max_requests: u64,
    /// The server's keys are `key-0 .. key-(keys-1)`.
    pub keys: u32,
    /// Seed of the arrival and jitter streams.
    pub seed: u64,
    /// Allow a target that is not on this machine.
    pub allow_remote: bool,
}

fn summary_json(s: &Summary) -> Value {
    let mut statuses = serde_json::Map::new();
    statuses.insert("200".into(), json!(s.successes));
    for (k, v) in s.rejected.iter().chain(&s.server_errors) {
        if *v > 0 {
            statuses.insert(k.to_string(), json!(v));
        }
    }
    let ms = |f: fn(&sim::metrics::Latency) -> f64| s.latency.as_ref().map(f);
    json!({
        "logical_requests": s.logical_requests,
        "attempts": s.attempts,
        "retry_amplification": s.retry_amplification,
        "successes": s.successes,
        "offered_per_s": s.offered_rps,
        "goodput_per_s": s.goodput_rps,
        "statuses": statuses,
        "no_response": s.timeouts,
        "give_ups": s.give_ups,
        "latency_ms": {
            "p50": ms(|l| l.p50_ms), "p90": ms(|l| l.p90_ms),
            "p99": ms(|l| l.p99_ms), "p999": ms(|l| l.p999_ms),
        },
    })
}

/// Run the fleets; returns the JSON report (`total`, `fleets`).
pub async fn run(cfg: LoadConfig) -> Result<Value> {
    let opts = LoadOptions {
        duration: cfg.duration,
        max_requests: cfg.max_requests,
        seed: cfg.seed,
        allow_remote: cfg.allow_remote,
        tokens: Some(cfg.keys),
    };
    let live = run_scenario(&cfg.scenario, &cfg.target, &opts).await?;
    let r = &live.result;
    Ok(json!({
        "target": live.info.target,
        "scenario": r.scenario,
        "duration_s": r.duration_s,
        "max_requests": cfg.max_requests,
        "total": summary_json(&r.summary),
        "fleets": r.fleets.iter().map(|(k, v)| (k.clone(), summary_json(v))).collect::<serde_json::Map<_, _>>(),
    }))
}
