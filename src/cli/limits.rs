//! Limits every command applies before it allocates: the scenario file's size (read with a cap:
//! `validate /dev/zero` read until memory ran out), a run's estimated memory against
//! `--max-memory` (a 7.2 M-bucket run needed more than 9 GB and was killed by the OS half way),
//! and its estimated first requests against `--max-requests` (1,000 clients at 10^6/s for an
//! hour fit in memory and would have run for days). Each refusal is bad input: exit code 2,
//! with the limit and how to raise or avoid it.

use super::CliError;
use anyhow::anyhow;
use clap::Args;
use sim::memory::{parse_bytes, Bytes, MemoryEstimate, DEFAULT_MAX_MEMORY};
use sim::model::Scenario;
use sim::work::DEFAULT_MAX_REQUESTS;
use std::path::Path;

/// `--max-memory`, shared by the commands that simulate or record a run (`load` too).
#[derive(Debug, Clone, Args)]
pub struct MemoryArgs {
    /// Refuse a run whose estimated memory is above SIZE (e.g. 512M, 16G; default 4G).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// `--max-memory` and `--max-requests`, shared by the commands that simulate. (`load` takes
/// only the first: its own `--max-requests` stops a live run, whose wall clock bounds it.)
#[derive(Debug, Clone, Args)]
pub struct RunLimits {
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Refuse a run that sends more than N first requests (clients x arrival rate x duration;
    /// default 1000000000, about 15 minutes of a release build).
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    parse_bytes(s)
}

impl MemoryArgs {
    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.max_memory.unwrap_or(DEFAULT_MAX_MEMORY)
    }

    /// Refuse `scenario` (from `file`) if `runs` runs of it at once need more than the limit.
    pub fn check(&self, file: &str, scenario: &Scenario, runs: u64) -> Result<(), CliError> {
        check(file, scenario.memory_estimate(), runs.max(1), self.limit())
    }
}

impl RunLimits {
    /// The limit of first requests in one run.
    pub fn request_limit(&self) -> u64 {
        self.max_requests.unwrap_or(DEFAULT_MAX_REQUESTS)
    }

    /// Refuse `scenario` (from `file`) if `runs` runs of it at once need more memory than the
    /// limit, or one run sends more requests than that limit.
    pub fn check(&self, file: &str, scenario: &Scenario, runs: u64) -> Result<(), CliError> {
        self.memory.check(file, scenario, runs)?;
        self.check_requests(file, scenario)
    }

    /// Refuse `scenario` (from `file`) if one run of it sends more requests than the limit.
    pub fn check_requests(&self, file: &str, scenario: &Scenario) -> Result<(), CliError> {
        sim::work::within(scenario.request_estimate(), self.request_limit())
            .map_err(|why| CliError::BadInput(anyhow!("{file}: {why}")))
    }
}

/// Refuse `runs` concurrent runs of estimate `one` above `limit` bytes.
pub fn check(file: &str, one: MemoryEstimate, runs: u64, limit: u64) -> Result<(), CliError> {
    let total = one.bytes.saturating_mul(runs);
    if total <= limit {
        return Ok(());
    }
    let why = match one.within(limit / runs) {
        Err(why) if runs == 1 => why,
        _ => format!(
            "{runs} runs at once need about {} ({} each: {one}), more than the limit of {}: \
             use fewer --threads, or raise the limit with --max-memory",
            Bytes(total),
            Bytes(one.bytes),
            Bytes(limit)
        ),
    };
    Err(CliError::BadInput(anyhow!("{file}: {why}")))
}

/// Read a scenario file (at most [`sim::scenario::MAX_FILE_BYTES`], UTF-8): its name as shown
/// in messages and its text; every failure is bad input.
pub fn read_scenario(path: &Path) -> Result<(String, String), CliError> {
    let text = sim::scenario::read_file(path).map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
    Ok((path.display().to_string(), text))
}

/// Read the scenario a user named: the file at `path` when one exists, else the shipped
/// scenario of that name embedded in the binary ([`super::embedded::find`]), so an installed
/// `throttlelab run retry-storm` works from any directory. Neither: a message that says so and
/// points to `throttlelab scenarios list`.
pub fn read_user_scenario(path: &Path) -> Result<(String, String), CliError> {
    if path.exists() {
        return read_scenario(path);
    }
    match path.to_str().and_then(super::embedded::find) {
        Some(s) if s.path.ends_with(".toml") => Ok((s.display(), s.text.to_owned())),
        _ => Err(CliError::BadInput(anyhow!(
            "{}: cannot read the scenario file: no such file, and no shipped scenario has \
             that name (`throttlelab scenarios list` names them)",
            path.display()
        ))),
    }
}
