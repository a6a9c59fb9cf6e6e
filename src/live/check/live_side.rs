//! The live half of `check-live`: the scenario's server part served in this process on an
//! ephemeral loopback port (`live::inproc::serve_in_process`) and driven by the `load` fleet
//! (`live::load::run_scenario`) with the same seed and horizon as the simulated run. Load
//! draws each client's arrival times from the simulator's own arrival process and stream
//! (`sim::client::ArrivalGen`, `Stream::derive_hashed(seed, Arrivals, fleet, client)`), so
//! both sides see the same schedule, and sleeps the scenario's network delay on both legs of
//! every attempt with the simulator's draws; it returns a `sim::RunResult`, so both sides are
//! read the same way.

use crate::live::inproc::serve_in_process;
use crate::live::load::gauges::Source;
use crate::live::load::{run_scenario_with, LiveRun, LoadOptions};
use anyhow::Result;
use sim::model::Scenario;

/// A live run and what the server itself counted.
#[derive(Debug)]
pub struct LiveSide {
    /// The client-side figures.
    pub run: LiveRun,
    /// The server's `/metrics` text at the end of the run.
    pub metrics: String,
    /// Scenario options the live server or fleet does not honour.
    pub warnings: Vec<String>,
}

/// Where a deployment's replicas come from: the scenario file they serve, the Redis its
/// central and synced levels need, the balancer binary.
#[derive(Clone, Debug)]
pub struct DeploymentSource {
    /// The scenario file (each replica process reads it).
    pub file: std::path::PathBuf,
    /// `redis://...` (`--store`).
    pub store: Option<String>,
    /// HAProxy.
    pub haproxy: std::path::PathBuf,
}

/// Serve `scenario` in process and drive it with its fleets for its (already shortened)
/// duration, with `seed` (a scenario with a `[deployment]` runs as replica processes behind
/// HAProxy instead: [`super::deployment_side`]).
/// `progress`: show the live run's progress bar (not `--quiet`).
pub async fn run(scenario: &Scenario, seed: u64, progress: bool) -> Result<LiveSide> {
    // the server's service-time and fault draws from the same seed as the simulated run's
    let mut seeded = scenario.clone();
    seeded.seed = seed;
    let server = serve_in_process(&seeded).await?;
    let mut opts = LoadOptions::new(scenario);
    opts.seed = seed;
    opts.secrets = Some(std::sync::Arc::new(server.secrets.clone()));
    opts.progress = progress;
    // the server's gauges read directly, once per bucket
    let gauges = Source::InProcess(std::sync::Arc::clone(&server.app));
    let run = run_scenario_with(scenario, &server.base, &opts, Some(gauges)).await;
    let metrics = server.metrics();
    // the server does not add the network delay, but the load client does (both legs of every
    // attempt, the simulator's draws): not a difference between the sides
    let mut warnings: Vec<String> = server
        .warnings
        .iter()
        .filter(|w| !w.contains("network delay"))
        .cloned()
        .collect();
    server.shutdown().await;
    let run = run?;
    for w in &run.info.warnings {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    Ok(LiveSide {
        run,
        metrics,
        warnings,
    })
}
