//! The arguments of `compare`, apart from both ways of comparing (scenario files in
//! [`super::compare`], recorded run folders in [`super::compare_runs`]) so that neither
//! imports the other for them.

use clap::Args;
use std::path::PathBuf;

/// Seeds per variant when `--seeds` is not given.
pub const DEFAULT_COMPARE_SEEDS: u32 = 10;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Variant A (the baseline): a scenario file, or a run directory (simulated or live; then
    /// B is one too and the two runs are compared figure by figure).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Variant B.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Seeds (runs) per variant; the same seeds for both.
    #[arg(long, default_value_t = DEFAULT_COMPARE_SEEDS)]
    pub seeds: u32,
    /// First seed (default: A's seed); the runs use FIRST, FIRST+1, ...
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output root.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print figures that are zero in every run too.
    #[arg(long)]
    pub all: bool,
    /// Do not keep time series.
    #[arg(long)]
    pub no_timeseries: bool,
    /// Skip the charts and `report.html` (tables only; faster).
    #[arg(long)]
    pub no_report: bool,
    /// Print JSON on stdout instead of the table: every figure with both means, B - A and
    /// its 95% interval (two run folders: every row of the side-by-side table).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: super::limits::RunLimits,
}
