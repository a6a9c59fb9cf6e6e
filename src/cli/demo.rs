//! `throttlelab demo [--out DIR] [--quick]`: the design-review pack in one command. It runs
//! the retry-storm comparison, the jitter experiment, the fairness experiment and the seed
//! APIs, each with its report, and writes `<out>/index.html`: one question and its answer (a
//! figure read back from the outputs) per item, with links to every report and table.
//!
//! Every step is an ordinary command line (`run ...`, `sweep ...`) parsed by the same clap
//! [`Cli`] as the user's and run by the same subcommand code, so a flag another subcommand
//! gains (or a report `sweep` starts writing) reaches the demo without touching it, and every
//! step can be repeated by hand: the index prints each command. The steps are independent and
//! run in parallel (runs are single-threaded; sweeps use their own workers); the files they
//! write are deterministic, so the pack is the same bytes on any thread count.

mod figures;
mod index;
mod plan;
mod variants;

use super::{Cli, CliError, Command};
use anyhow::{anyhow, Context};
use clap::{Args, Parser};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output root: the pack and `index.html` go here.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Fewer seeds and shorter horizons where a scenario allows (a smoke test of the pack).
    #[arg(long)]
    pub quick: bool,
    /// The scenario folder (`retry-storm.toml`, `experiments/fairness.toml`, `seeds/*.toml`);
    /// when `scenarios` is not here, the scenarios embedded in the binary.
    #[arg(long, default_value = "scenarios", value_name = "DIR")]
    pub scenarios: PathBuf,
    /// Worker threads for the steps and the sweeps (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Plan the steps, run them, write the index.
pub fn run(args: DemoArgs, quiet: bool) -> Result<(), CliError> {
    if args.threads == Some(0) {
        return Err(CliError::BadInput(anyhow!("--threads must be at least 1")));
    }
    let started = Instant::now();
    let pack = plan::plan(&args)?;
    let say = |text: String| {
        if !quiet {
            // progress only: a closed pipe must not stop the pack
            let _ = super::write_stdout(&text);
        }
    };
    say(format!(
        "demo: {} steps into {}{}\n",
        pack.steps.len(),
        args.out.display(),
        if args.quick { " (--quick)" } else { "" }
    ));
    let done = AtomicUsize::new(0);
    let total = pack.steps.len();
    let run_all = || -> Result<(), CliError> {
        pack.steps.par_iter().try_for_each(|step| {
            let t = Instant::now();
            execute(&step.argv)?;
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            say(format!(
                "  [{k:>2}/{total}] {:<40} {:>6.1} s\n",
                step.label,
                t.elapsed().as_secs_f64()
            ));
            Ok(())
        })
    };
    match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("starting the worker threads")?
            .install(run_all)?,
        None => run_all()?,
    }
    let html = index::write(&args, &pack)?;
    say(format!(
        "demo: done in {:.1} s\n",
        started.elapsed().as_secs_f64()
    ));
    super::write_stdout(&format!("{}\n", html.display()))
}

/// Parse one step's command line with the user's parser and run it, quiet.
fn execute(argv: &[String]) -> Result<(), CliError> {
    let full = ["throttlelab", "--quiet"]
        .into_iter()
        .map(str::to_owned)
        .chain(argv.iter().cloned());
    let cli = Cli::try_parse_from(full)
        .map_err(|e| CliError::Failed(anyhow!("demo step `{}`: {e}", argv.join(" "))))?;
    let result = match cli.command {
        Command::Run(a) => super::run::run(a, true),
        Command::Sweep(a) => super::sweep::run(a, true),
        Command::Compare(a) => super::compare::run(a, true),
        Command::Report(a) => super::report::run(a, true),
        other => Err(CliError::Failed(anyhow!(
            "demo step `{}`: {other:?} is not a demo step",
            argv.join(" ")
        ))),
    };
    result.map_err(|e| match e {
        CliError::BadInput(e) => {
            CliError::BadInput(e.context(format!("demo step `{}`", argv.join(" "))))
        }
        CliError::Failed(e) => {
            CliError::Failed(e.context(format!("demo step `{}`", argv.join(" "))))
        }
    })
}
