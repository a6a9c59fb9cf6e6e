//! `throttlelab load --blast N`: the throughput mode of `load` (see `live::load::blast`):
//! N keep-alive connections in a closed loop against `--target`, for `--duration` or
//! `--max-requests`, printing one JSON object (requests/s, answers by status, latency).

use super::super::CliError;
use crate::live::load::blast::{blast, BlastConfig, MAX_CONNECTIONS};
use crate::live::load::check_target;
use anyhow::{anyhow, Context};
use limiters::parse_duration;
use std::time::Duration;

/// Run the blast and print its report.
pub fn run(
    target: &str,
    allow_remote: bool,
    connections: usize,
    duration: Option<&str>,
    max_requests: u64,
    token: &str,
) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    let url = check_target(target, allow_remote).map_err(bad)?;
    if !(1..=MAX_CONNECTIONS).contains(&connections) {
        return Err(bad(anyhow!(
            "--blast {connections}: expected 1 to {MAX_CONNECTIONS} connections"
        )));
    }
    let duration = match duration {
        Some(d) => Duration::from(parse_duration(d).map_err(|e| bad(anyhow!("--duration: {e}")))?),
        None => Duration::from_secs(10),
    };
    let config = BlastConfig {
        target: url,
        connections,
        duration,
        max_requests,
        token: token.to_string(),
        path: "/v1/work".into(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let report = runtime.block_on(blast(&config)).map_err(CliError::Failed)?;
    let text = serde_json::to_string_pretty(&report).context("rendering the report")?;
    super::super::write_stdout(&(text + "\n"))
}
