//! `throttlelab occ`: experiment 1, backoff and jitter under contention (Brooker, "Exponential
//! Backoff and Jitter", AWS Architecture Blog, 2015). `N` clients each make one
//! optimistic-concurrency update of a single row ([`sim::contention`]); for every backoff
//! strategy and every `N`, prints the mean over `--seeds` runs of the total write calls and of
//! the time until the last client has written: the post's two figures. The strategies and the
//! defaults (base 5 ms, cap 2 s, network `|Normal(10 ms, 2 ms)|`, 100 runs per point) are
//! those of the published simulator ([`sim::contention::brooker_policy`]: its first sleep is
//! `base x 2`). Every run's figures go to `<out>/occ/occ.csv` and `occ.json`, with the two
//! charts under `<out>/occ/charts/` ([`report::experiments::write_occ`]).

use super::CliError;
use anyhow::anyhow;
use clap::Args;
use limiters::{parse_duration, Nanos};
use report::experiments::{write_occ, OccRun};
use report::files::complete::Staged;
use sim::contention::{brooker_policy, run_occ, Occ};
use sim::model::Distribution;
use std::path::PathBuf;

/// Arguments of `occ`.
#[derive(Debug, Args)]
pub struct OccArgs {
    /// Client counts.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10,30,50,70,90,110,130,150,170,190"
    )]
    pub clients: Vec<u32>,
    /// Strategies: `none` (retry at once), `exponential` (no jitter), `full`, `equal`,
    /// `decorrelated`.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "none,exponential,full,equal,decorrelated"
    )]
    pub strategies: Vec<String>,
    /// Backoff base.
    #[arg(long, default_value = "5ms")]
    pub base: String,
    /// Backoff cap.
    #[arg(long, default_value = "2s")]
    pub cap: String,
    /// Mean one-way network delay (`|Normal(mean, sd)|` per hop).
    #[arg(long, default_value = "10ms")]
    pub delay: String,
    /// Standard deviation of the network delay.
    #[arg(long, default_value = "2ms")]
    pub delay_sd: String,
    /// Runs per point (seeds `--seed`, `--seed + 1`, ...); 100 as in the published simulator.
    #[arg(long, default_value_t = 100)]
    pub seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output root; files go to `<out>/occ/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
}

fn duration(flag: &str, v: &str) -> Result<Nanos, CliError> {
    parse_duration(v).map_err(|e| CliError::BadInput(anyhow!("--{flag} {v}: {e}")))
}

/// Run every strategy at every client count and print the table.
pub fn run(args: OccArgs) -> Result<(), CliError> {
    let base = duration("base", &args.base)?;
    let cap = duration("cap", &args.cap)?;
    if base.is_zero() || cap < base {
        return Err(CliError::BadInput(anyhow!(
            "--base must be above zero and --cap at least --base"
        )));
    }
    let delay = Distribution::NormalAbs {
        mean: duration("delay", &args.delay)?,
        sd: duration("delay-sd", &args.delay_sd)?,
    };
    if args.seeds == 0 || args.seeds > 10_000 {
        return Err(CliError::BadInput(anyhow!("--seeds: 1 to 10,000")));
    }
    // Each row is written as soon as its runs are done (many seeds take a while).
    super::write_stdout(&format!(
        "{:>13} {:>7} {:>12} {:>15} {:>14} {:>9}\n",
        "strategy", "clients", "writes", "writes/client", "completion_s", "unwritten"
    ))?;
    let mut runs = Vec::new();
    for name in &args.strategies {
        let retry = brooker_policy(name, base, cap)
            .map_err(|e| CliError::BadInput(anyhow!("--strategies: {e}")))?;
        for &clients in &args.clients {
            let occ = Occ {
                clients,
                delay: delay.clone(),
                retry,
                horizon: Nanos::from_secs(3_600),
            };
            let (mut writes, mut done, mut unwritten) = (0f64, 0f64, 0u64);
            for s in 0..args.seeds {
                let seed = args.seed + s;
                let r = run_occ(&occ, seed)
                    .map_err(|e| CliError::BadInput(anyhow!("--clients {clients}: {e}")))?;
                runs.push(OccRun::new(name, seed, &r));
                writes += r.writes as f64;
                done += r.completion_s;
                unwritten += u64::from(clients - r.completed);
            }
            let n = args.seeds as f64;
            super::write_stdout(&format!(
                "{name:>13} {clients:>7} {:>12.1} {:>15.2} {:>14.3} {unwritten:>9}\n",
                writes / n,
                writes / n / f64::from(clients),
                done / n
            ))?;
        }
    }
    let parameters = serde_json::json!({
        "model": "Brooker 2015, aws-samples/aws-arch-backoff-simulator (first sleep base x 2)",
        "base": args.base, "cap": args.cap, "delay": args.delay, "delay_sd": args.delay_sd,
        "seeds": args.seeds, "first_seed": args.seed,
    });
    let dir = args.out.join("occ");
    let staged = Staged::begin(&dir).map_err(|e| CliError::Failed(e.into()))?;
    let files =
        write_occ(staged.dir(), &parameters, &runs).map_err(|e| CliError::Failed(e.into()))?;
    let table = dir.join(files.tables[0].file_name().unwrap_or_default());
    staged.commit().map_err(|e| CliError::Failed(e.into()))?;
    super::write_stdout(&format!(
        "wrote {} (and .json), charts/occ_writes.{{svg,png}}, charts/occ_completion.{{svg,png}}\n",
        table.display(),
    ))?;
    Ok(())
}
