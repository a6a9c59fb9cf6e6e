//! `throttlelab sweep FILE --param PATH=VALUES... [--seeds N] [--shard I/N]`: run the
//! cartesian product of parameter values, each point with the same seeds, over all cores, and
//! write `runs`, `points` and `timeseries` tables (Parquet, CSV beside) under
//! `<out>/<scenario>/sweep-<hash>/` (a shard under `.../shard-<i>-of-<n>/`), with the sweep's
//! charts and `report.html` (unless `--no-report`).
//!
//! Runs are collected by job index, never in completion order, so the files are the same
//! bytes whatever the thread count. The sweep is planned (every point loaded and validated)
//! before anything runs: a bad path or value exits with code 2 at once.

use super::sweep_folder::{bucket_of, manifest, write_manifest, write_report};
use super::sweep_jobs::{run_jobs, JobSpec};
use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use report::tables::{
    param_cell, render_points, runs_table, series_table, sweep_points, write_sweep, Cell,
    RunRecord, SweepKeys,
};
use sim::sweep::{Param, Plan, Shard, SweepArgs as PlanArgs};
use std::path::{Path, PathBuf};

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file (its `[sweep]` table, if any, declares parameters and seeds).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// A parameter: a dotted path into the scenario file and its values, as a list
    /// (`fleet.web.retry.jitter=none,full`) or a range `FROM..TO:STEP`
    /// (`fleet.web.count=10..190:20`). Repeat for a cartesian product.
    #[arg(long = "param", value_name = "PATH=VALUES")]
    pub params: Vec<String>,
    /// Runs (seeds) per point (default: `[sweep] seeds`, else 5).
    #[arg(long)]
    pub seeds: Option<u32>,
    /// First seed; point runs use seeds FIRST, FIRST+1, ... (default: the scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only shard I of N (1-based) of the jobs; join shards with `throttlelab merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Output root.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not keep time series (no timeseries.parquet): less memory for large sweeps.
    #[arg(long)]
    pub no_timeseries: bool,
    /// Print the points and the output folder, run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Skip the charts and `report.html` (tables only; faster). A shard never writes them:
    /// `merge` does.
    #[arg(long)]
    pub no_report: bool,
    #[command(flatten)]
    pub limits: super::limits::RunLimits,
}

/// Plan, run, write, print.
pub fn run(args: SweepArgs, quiet: bool) -> Result<(), CliError> {
    let (display, text) = super::limits::read_user_scenario(&args.file)?;
    // every malformed --param in one pass, not one per try
    let (params, bad): (Vec<_>, Vec<_>) = args
        .params
        .iter()
        .map(|p| Param::parse_arg(p))
        .partition(Result::is_ok);
    if !bad.is_empty() {
        let lines: Vec<String> = bad
            .into_iter()
            .filter_map(Result::err)
            .map(|e| e.to_string())
            .collect();
        return Err(CliError::BadInput(anyhow!("{}", lines.join("\nerror: "))));
    }
    let params: Vec<Param> = params.into_iter().filter_map(Result::ok).collect();
    let shard = match &args.shard {
        Some(s) => s
            .parse::<Shard>()
            .map_err(|e| CliError::BadInput(anyhow!("--shard {e}")))?,
        None => Shard::ALL,
    };
    let plan_args = PlanArgs {
        params,
        seeds: args.seeds,
        first_seed: args.seed,
    };
    let plan = Plan::from_text(&display, &text, &plan_args)
        .map_err(|e| CliError::BadInput(anyhow!("{e}")))?;

    let sweep_dir = args
        .out
        .join(&plan.base.name)
        .join(format!("sweep-{}", plan.hash));
    let dir = if args.shard.is_some() {
        sweep_dir.join(format!("shard-{}-of-{}", shard.index, shard.count))
    } else {
        sweep_dir.clone()
    };
    let jobs = plan.shard_jobs(shard);
    // The largest point, as many at once as there are threads to run them.
    let at_once = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(jobs.len().max(1));
    if let Some(p) = plan
        .points
        .iter()
        .max_by_key(|p| p.scenario.memory_estimate().bytes)
    {
        args.limits.check(&display, &p.scenario, at_once as u64)?;
    }
    if let Some(p) = plan
        .points
        .iter()
        .max_by_key(|p| p.scenario.request_estimate())
    {
        args.limits.check_requests(&display, &p.scenario)?;
    }
    if args.dry_run {
        return print_plan(&plan, &jobs, &dir);
    }

    let keys = SweepKeys {
        params: plan.params.iter().map(|p| p.path.clone()).collect(),
        bucket_s: bucket_of(&plan),
    };
    let specs: Vec<JobSpec> = jobs
        .iter()
        .map(|j| {
            let point = &plan.points[j.point];
            let mut key = vec![("point".to_string(), Cell::U64(j.point as u64))];
            key.extend(
                plan.params
                    .iter()
                    .zip(&point.values)
                    .map(|(p, v)| (p.path.clone(), param_cell(v))),
            );
            key.push(("seed".to_string(), Cell::U64(j.seed)));
            JobSpec {
                scenario: &point.scenario,
                seed: j.seed,
                group: j.point,
                label: plan.label(j.point),
                keys: key,
            }
        })
        .collect();
    let records: Vec<RunRecord> = run_jobs(
        &specs,
        !args.no_timeseries,
        args.threads,
        quiet,
        &format!("sweep {}", plan.base.name),
        "points",
    )?;

    let runs = runs_table(&records);
    let series = series_table(&records);
    let whole = args.shard.is_none();
    let points = whole.then(|| sweep_points(&keys, &runs));
    // Written aside and renamed into place when whole (report::files::complete): a killed
    // sweep leaves no folder with a 0-byte runs.parquet under `dir`.
    let staged = report::files::complete::Staged::begin(&dir)
        .with_context(|| format!("creating the sweep's folder beside {}", dir.display()))?;
    let tmp = staged.dir();
    let mut written = write_sweep(tmp, &keys, &runs, &series, points.as_ref())
        .with_context(|| format!("writing the sweep's tables to {}", tmp.display()))?;
    let manifest = manifest(&plan, shard, whole, jobs.len(), !args.no_timeseries);
    written.push(write_manifest(tmp, &manifest)?);
    // The scenario text beside the tables, so `report DIR` (and `merge`) can rebuild the report.
    let copy = tmp.join(report::html::SCENARIO_COPY);
    std::fs::write(&copy, &text).with_context(|| format!("writing {}", copy.display()))?;
    let html = match (&points, args.no_report) {
        (Some(points), false) => {
            let scenarios: Vec<&sim::model::Scenario> =
                plan.points.iter().map(|p| &p.scenario).collect();
            write_report(tmp, &manifest, points, &text, &scenarios)?;
            Some(dir.join("report.html"))
        }
        _ => None,
    };
    staged
        .commit()
        .with_context(|| format!("putting the sweep's folder in place at {}", dir.display()))?;

    if !quiet {
        let mut text = match &points {
            Some(points) => render_points(&keys, points),
            None => format!(
                "shard {shard}: {} of {} runs; join the shards with `throttlelab merge {}`\n",
                jobs.len(),
                plan.points.len() * plan.seeds.len(),
                sweep_dir.display()
            ),
        };
        text += &format!("wrote {}\n", dir.display());
        if let Some(html) = html {
            text += &format!("report: {}\n", html.display());
        }
        super::write_stdout(&text)?;
    }
    Ok(())
}

/// The points of a planned sweep and its output folder, as `--dry-run` prints them.
fn print_plan(plan: &Plan, jobs: &[sim::sweep::Job], dir: &Path) -> Result<(), CliError> {
    let mut text = format!(
        "{}: {} points x {} seeds ({}..={}) = {} runs; this shard: {} runs\n",
        plan.base.name,
        plan.points.len(),
        plan.seeds.len(),
        plan.seeds.first().copied().unwrap_or(0),
        plan.seeds.last().copied().unwrap_or(0),
        plan.points.len() * plan.seeds.len(),
        jobs.len()
    );
    for p in &plan.points {
        text += &format!("  point {:>3}: {}\n", p.index, plan.label(p.index));
    }
    text += &format!("output: {}\n", dir.display());
    super::write_stdout(&text)
}
