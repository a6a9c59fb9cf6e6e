//! `throttlelab sweep FILE --param PATH=VALUES... [--seeds N] [--shard I/N]`: run the
//! cartesian product of parameter values, each point with the same seeds, over all cores, and
//! write `runs`, `points` and `timeseries` tables (Parquet, CSV beside) under
//! `<out>/<scenario>/sweep-<hash>/` (a shard under `.../shard-<i>-of-<n>/`), with the sweep's
//! charts and `report.html` (unless `--no-report`).
//!
//! Runs are collected by job index, never in completion order, so the files are the same
//! bytes whatever the thread count. The sweep is planned (every point loaded and validated)
//! before anything runs: a bad path or value exits with code 2 at once.

use super::sweep_jobs::{run_jobs, JobSpec};
use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use report::tables::{
    param_cell, render_points, runs_table, series_table, sweep_points, write_sweep, Cell,
    ParamManifest, RunRecord, SweepKeys, SweepManifest,
};
use sim::sweep::{show, Param, Plan, Shard, SweepArgs as PlanArgs};
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
    pub memory: super::limits::MemoryArgs,
}

/// Read a scenario file as UTF-8 text (size-capped); failures are bad input.
pub(crate) fn read_text(file: &Path) -> Result<(String, String), CliError> {
    super::limits::read_scenario(file)
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
        args.memory.check(&display, &p.scenario, at_once as u64)?;
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

/// Write the sweep's charts and `report.html` into `dir`.
pub(crate) fn write_report(
    dir: &Path,
    manifest: &SweepManifest,
    points: &report::tables::Table,
    text: &str,
    scenarios: &[&sim::model::Scenario],
) -> Result<PathBuf, CliError> {
    let input = report::html::SweepReportInput {
        manifest,
        points,
        scenario_text: text,
        scenarios,
    };
    Ok(report::html::write_sweep_report(dir, &input)
        .with_context(|| format!("writing the sweep's report into {}", dir.display()))?)
}

/// Read `sweep.json` in `dir`.
pub(crate) fn read_manifest(dir: &Path) -> Result<SweepManifest, CliError> {
    let path = dir.join("sweep.json");
    let bad = |m: String| CliError::BadInput(anyhow!(m));
    let text =
        std::fs::read_to_string(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let m: SweepManifest = serde_json::from_str(&text)
        .map_err(|e| bad(format!("{}: not a sweep manifest: {e}", path.display())))?;
    if m.kind != SweepManifest::KIND {
        return Err(bad(format!("{}: not a sweep manifest", path.display())));
    }
    Ok(m)
}

/// The plan of a recorded sweep, rebuilt from its scenario text and manifest (for the model
/// curves, which need each point's scenario); `None` when it does not rebuild to the same
/// sweep (an edited file, a value that does not round-trip through its shown form).
pub(crate) fn replan(text: &str, m: &SweepManifest) -> Option<Plan> {
    let params = m
        .params
        .iter()
        .map(|p| Param::parse_arg(&format!("{}={}", p.path, p.values.join(","))))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let args = PlanArgs {
        params,
        seeds: u32::try_from(m.seeds.len()).ok(),
        first_seed: m.seeds.first().copied(),
    };
    let plan = Plan::from_text(report::html::SCENARIO_COPY, text, &args).ok()?;
    (plan.hash == m.hash).then_some(plan)
}

/// `throttlelab report DIR` for a sweep folder: the charts and `report.html` from its
/// `points.parquet`, `sweep.json` and scenario copy.
pub(crate) fn report_dir(dir: &Path, quiet: bool) -> Result<(), CliError> {
    super::sealed::check_complete(dir)?;
    let m = read_manifest(dir)?;
    if m.shard.is_some() {
        return Err(CliError::BadInput(anyhow!(
            "{}: one shard of a sweep; join the shards with `throttlelab merge` first",
            dir.display()
        )));
    }
    let (_, text) = read_text(&dir.join(report::html::SCENARIO_COPY))?;
    let pq = dir.join("points.parquet");
    let df = report::tables::read_parquet(&pq).map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
    let points = report::tables::Table::from_frame(&df, None)
        .map_err(|e| CliError::BadInput(anyhow!("{}: {e}", pq.display())))?;
    let plan = replan(&text, &m);
    if plan.is_none() {
        errln!("warning: the scenario copy does not rebuild the recorded sweep; no model curves");
    }
    let scenarios: Vec<&sim::model::Scenario> = plan
        .as_ref()
        .map(|p| p.points.iter().map(|p| &p.scenario).collect())
        .unwrap_or_default();
    let html = write_report(dir, &m, &points, &text, &scenarios)?;
    super::sealed::reseal(dir)?;
    if !quiet {
        super::write_stdout(&format!(
            "wrote {} and charts/*.svg, charts/*.png\n",
            html.display()
        ))?;
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

/// The manifest of a sweep (or of one shard of it).
pub(crate) fn manifest(
    plan: &Plan,
    shard: Shard,
    whole: bool,
    here: usize,
    timeseries: bool,
) -> SweepManifest {
    SweepManifest {
        kind: SweepManifest::KIND.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: plan.base.name.clone(),
        hash: plan.hash.clone(),
        params: plan
            .params
            .iter()
            .map(|p| ParamManifest {
                path: p.path.clone(),
                values: p.values.iter().map(show).collect(),
            })
            .collect(),
        seeds: plan.seeds.clone(),
        points: plan.points.len(),
        jobs: plan.points.len() * plan.seeds.len(),
        shard: (!whole).then_some([shard.index, shard.count]),
        jobs_here: here,
        timeseries,
        bucket_s: bucket_of(plan),
    }
}

/// The bucket width every point of `plan` shares, if any.
fn bucket_of(plan: &Plan) -> Option<f64> {
    report::tables::common_bucket(plan.points.iter().map(|p| p.scenario.bucket.as_secs_f64()))
}

/// Write `sweep.json` into `dir`.
pub(crate) fn write_manifest(dir: &Path, m: &SweepManifest) -> Result<PathBuf, CliError> {
    let path = dir.join("sweep.json");
    let mut bytes = serde_json::to_vec_pretty(m).context("encoding sweep.json")?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
