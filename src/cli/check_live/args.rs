//! `check-live`'s arguments: the scenario, how long to run it live, the tolerance of the
//! comparison.

use anyhow::anyhow;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `check-live`.
#[derive(Debug, Args)]
pub struct CheckLiveArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// How long both runs last (the scenario is cut to this horizon; at most its duration).
    #[arg(long, default_value = "30s")]
    pub duration: String,
    /// Seed (default: the scenario's): the same arrival schedule on both sides.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Largest accepted relative difference of a headline figure: `5%` or `0.05`.
    #[arg(long, default_value = "5%")]
    pub tolerance: String,
    /// Headline counts below this on both sides are shown but not judged.
    #[arg(long, default_value_t = 20)]
    pub min_count: u64,
    /// Simulated replicas with other draws of the network delay (0: none; none either when the
    /// scenario has no network delay): a headline figure off by more than the tolerance still
    /// agrees when it lies within their spread widened by the tolerance.
    #[arg(long, default_value_t = 8)]
    pub replicas: u64,
    /// Output root; files go to `<out>/<scenario>/check-live/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Redis for a `[deployment]`'s central and synced levels (`redis://HOST:PORT`); each
    /// run uses keys of its own there.
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// The HAProxy binary a `[deployment]`'s replicas run behind.
    #[arg(long, value_name = "PATH", default_value = crate::live::deployment::haproxy::BINARY)]
    pub haproxy: PathBuf,
    #[command(flatten)]
    pub limits: crate::cli::limits::RunLimits,
}

/// `5%` -> 0.05, `0.05` -> 0.05.
pub fn parse_tolerance(text: &str) -> anyhow::Result<f64> {
    let t = text.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| {
        anyhow!("--tolerance `{text}`: expected a percentage like 5% or a fraction like 0.05")
    })?;
    if !(0.0..=10.0).contains(&v) {
        anyhow::bail!("--tolerance `{text}`: must be between 0% and 1000%");
    }
    Ok(v)
}
