//! `throttlelab load`: drive a live server (see `serve`) with a scenario's client fleets over
//! real HTTP, bounded in time and attempts; loopback targets only unless `--allow-remote`.
//! Prints a JSON report (offered load, attempts, retry amplification, statuses, give-ups,
//! goodput, latency percentiles; per fleet and in total).

use super::CliError;
use crate::live::load::{check_target, run, LoadConfig};
use anyhow::{anyhow, Context};
use clap::Args;
use limiters::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server, e.g. `http://127.0.0.1:8080` (loopback only without --allow-remote).
    #[arg(long)]
    pub target: String,
    /// Scenario file whose fleets (count, keys, arrival, timeout, deadline, cost, retry) to run.
    #[arg(long)]
    pub scenario: PathBuf,
    /// How long new requests start (at most the scenario's duration).
    #[arg(long, default_value = "10s")]
    pub duration: String,
    /// After the duration, how long in-flight requests may finish.
    #[arg(long, default_value = "5s")]
    pub grace: String,
    /// At most this many attempts in the whole run.
    #[arg(long, default_value_t = 10_000)]
    pub max_requests: u64,
    /// The server's number of keys (`serve --keys`): clients use `key-0 ..` round-robin.
    #[arg(long, default_value_t = 4)]
    pub keys: u32,
    /// Seed of the arrival and jitter streams (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Allow a target that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
}

/// Run the fleets and print the report.
pub fn run_load(args: LoadArgs) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    check_target(&args.target, args.allow_remote).map_err(bad)?;
    let scenario = sim::scenario::load_file(&args.scenario).map_err(|e| bad(anyhow!("{e}")))?;
    let d = |flag: &str, v: &str| -> Result<Duration, CliError> {
        parse_duration(v)
            .map(Duration::from)
            .map_err(|e| CliError::BadInput(anyhow!("--{flag}: {e}")))
    };
    for f in scenario.fleets.iter().filter(|f| !f.gates.is_empty()) {
        eprintln!(
            "throttlelab load: fleet `{}`: client gates (retry budgets, breakers) are not driven \
             live; ignoring them",
            f.name
        );
    }
    let duration = d("duration", &args.duration)?.min(Duration::from(scenario.duration));
    let config = LoadConfig {
        target: args.target.clone(),
        seed: args.seed.unwrap_or(scenario.seed),
        scenario,
        duration,
        grace: d("grace", &args.grace)?,
        max_requests: args.max_requests,
        keys: args.keys,
        allow_remote: args.allow_remote,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let report = runtime.block_on(run(config)).map_err(CliError::Failed)?;
    let text = serde_json::to_string_pretty(&report).context("rendering the report")?;
    println!("{text}");
    Ok(())
}
