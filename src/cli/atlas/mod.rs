//! `throttlelab atlas`: the over-admission atlas (issue #15). Runs every deployment of a grid
//! (designs x replicas x sync interval x store round trip x balancer, [`grid`]) with the same
//! workload and several seeds, over all cores, and writes under `<out>/atlas/` the tables
//! (`atlas` per point, `runs` per seed; Parquet and CSV), the charts and `report.html`
//! ([`report::experiments::write_atlas`]), whose first line answers "which designs keep
//! over-admission under 5%, at what latency cost". The guide is docs/deployments.md.
//!
//! Why a subcommand and not a shipped sweep: a sweep is a cartesian product, and the atlas is
//! not one (a sync interval only exists for `synced` and `leases`, a round trip only where a
//! decision waits for the store): as a product it would run the same deployment up to twelve
//! times. Runs are collected in job order (rayon's indexed collect), so the files are the same
//! bytes whatever the thread count.

mod grid;
mod workload;

use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use grid::{Axes, Design, Point};
use rayon::prelude::*;
use report::experiments::{write_atlas, AtlasPoint, AtlasRun};
use report::files::complete::Staged;
use std::path::PathBuf;
use workload::Workload;

/// Arguments of `atlas`.
#[derive(Debug, Args)]
pub struct AtlasArgs {
    /// Designs: where the limit's state lives (local, split, central, over_limit_cache,
    /// synced, leases).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "local,split,central,over_limit_cache,synced,leases"
    )]
    pub designs: Vec<String>,
    /// Replica counts [default: 1,2,4,8,16,64; 1,4,16 with --quick].
    #[arg(long, value_delimiter = ',')]
    pub replicas: Vec<u32>,
    /// Sync intervals of `synced` (`0s`: every request) and lease periods of `leases` (those
    /// above 0s) [default: 0s,100ms,1s,5s; 0s,1s with --quick].
    #[arg(long, value_delimiter = ',')]
    pub intervals: Vec<String>,
    /// Store round trips, where a decision waits for the store (central, over_limit_cache,
    /// synced every request, leases' grants) [default: 50us,1ms,20ms; 1ms with --quick].
    #[arg(long, value_delimiter = ',')]
    pub rtts: Vec<String>,
    /// Balancers: round_robin (uniform), hash_key (sticky by API key).
    #[arg(long, value_delimiter = ',', default_value = "round_robin,hash_key")]
    pub balancers: Vec<String>,
    /// Runs (seeds) per point [default: 3; 2 with --quick].
    #[arg(long)]
    pub seeds: Option<u64>,
    /// First seed; runs use FIRST, FIRST+1, ...
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A small grid for a quick look or a test: replicas 1,4,16, intervals 0s,1s, round trip
    /// 1ms, 2 seeds, 20 simulated seconds (flags given explicitly still apply).
    #[arg(long)]
    pub quick: bool,
    /// Simulated time per run (default 1m; 20s with --quick).
    #[arg(long)]
    pub duration: Option<String>,
    /// Output root; files go to `<out>/atlas/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the points, run nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `given`, or the default of the full grid or of `--quick`.
fn or<T: Clone>(given: &[T], quick: bool, full: &[T], small: &[T]) -> Vec<T> {
    match (given.is_empty(), quick) {
        (false, _) => given.to_vec(),
        (true, false) => full.to_vec(),
        (true, true) => small.to_vec(),
    }
}

fn axes(args: &AtlasArgs) -> Result<Axes, CliError> {
    let bad = |m: String| CliError::BadInput(anyhow!(m));
    let designs = args
        .designs
        .iter()
        .map(|d| {
            Design::parse(d).ok_or_else(|| {
                bad(format!(
                    "--designs: `{d}` is not one of local, split, central, over_limit_cache, \
                     synced, leases"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let q = args.quick;
    let a = Axes {
        designs,
        replicas: or(&args.replicas, q, &[1, 2, 4, 8, 16, 64], &[1, 4, 16]),
        intervals: or(
            &args.intervals,
            q,
            &s(&["0s", "100ms", "1s", "5s"]),
            &s(&["0s", "1s"]),
        ),
        rtts: or(&args.rtts, q, &s(&["50us", "1ms", "20ms"]), &s(&["1ms"])),
        balancers: args.balancers.clone(),
    };
    a.check().map_err(bad)?;
    Ok(a)
}

fn atlas_point(p: &Point) -> AtlasPoint {
    AtlasPoint {
        design: p.design.name().into(),
        replicas: p.replicas,
        interval: p.interval.clone(),
        rtt: p.rtt.clone(),
        balancer: p.balancer.clone(),
    }
}

/// Plan, run every point and seed, write, print the answer.
pub fn run(args: AtlasArgs, quiet: bool) -> Result<(), CliError> {
    let bad = |m: String| CliError::BadInput(anyhow!(m));
    let axes = axes(&args)?;
    let seeds = args.seeds.unwrap_or(if args.quick { 2 } else { 3 });
    if !(1..=100).contains(&seeds) {
        return Err(bad("--seeds: 1 to 100 runs per point".into()));
    }
    let mut workload = Workload::default();
    if let Some(d) = &args.duration {
        workload.duration = d.clone();
    } else if args.quick {
        workload.duration = "20s".into();
    }
    let points = axes.points();
    // Every point loaded and checked before anything runs: a bad --duration exits 2 at once.
    let scenarios = points
        .iter()
        .map(|p| {
            sim::scenario::load_str("atlas", &workload::scenario_text(p, &workload))
                .map_err(|e| bad(format!("--duration {}: {e}", workload.duration)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<(usize, u64)> = (0..points.len())
        .flat_map(|i| (0..seeds).map(move |s| (i, args.seed + s)))
        .collect();
    if args.dry_run {
        let mut text = format!(
            "atlas: {} points x {seeds} seeds = {} runs\n",
            points.len(),
            jobs.len()
        );
        for p in &points {
            text += &format!(
                "  {} x{} {}\n",
                atlas_point(p).variant(),
                p.replicas,
                p.balancer
            );
        }
        return super::write_stdout(&text);
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            if n == 0 {
                return Err(bad("--threads must be at least 1".into()));
            }
            b = b.num_threads(n);
        }
        b.build()
            .map_err(|e| anyhow!("starting worker threads: {e}"))?
    };
    let bar =
        super::sweep_jobs::progress_bar(jobs.len() as u64, quiet, "atlas", "points", points.len());
    let runs: Vec<Result<AtlasRun, String>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(i, seed)| {
                let p = atlas_point(&points[i]);
                let out = match sim::run(&scenarios[i], seed) {
                    Ok(r) => match &r.deployment {
                        Some(f) => Ok(AtlasRun::new(p, seed, f, r.duration_s)),
                        None => Err(format!(
                            "{} seed {seed}: no deployment figures",
                            p.variant()
                        )),
                    },
                    Err(e) => Err(format!("{} x{} seed {seed}: {e}", p.variant(), p.replicas)),
                };
                bar.inc(1);
                out
            })
            .collect()
    });
    bar.finish_and_clear();
    let runs = runs
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Failed(anyhow!("run failed: {e}")))?;

    let w = &workload;
    let described = format!(
        "{} clients, one API key each, Poisson at {}/s each ({}/s in all) against a global \
         limit of {} per {} sliding window (sliding_log, exact), {} simulated per run, seeds \
         {}..={}",
        w.clients,
        w.rate_per_client,
        w.clients * w.rate_per_client,
        w.limit,
        w.window,
        w.duration,
        args.seed,
        args.seed + seeds - 1
    );
    let dir = args.out.join("atlas");
    let staged = Staged::begin(&dir)
        .with_context(|| format!("creating the atlas folder beside {}", dir.display()))?;
    let files = write_atlas(staged.dir(), &described, &runs)
        .with_context(|| format!("writing the atlas into {}", staged.dir().display()))?;
    let answer = report::experiments::answer(
        &report::experiments::variants(&report::experiments::point_stats(&runs)),
        &replica_span(&axes.replicas),
    );
    staged
        .commit()
        .with_context(|| format!("putting the atlas folder in place at {}", dir.display()))?;
    if !quiet {
        super::write_stdout(&format!(
            "{answer}\n{} points x {seeds} seeds; wrote {} ({}, runs.*, charts/) and {}\n",
            points.len(),
            dir.display(),
            report::tables::table_files("atlas").join(", "),
            dir.join(files.html.file_name().unwrap_or_default())
                .display()
        ))?;
    }
    Ok(())
}

fn replica_span(r: &[u32]) -> String {
    let lo = r.iter().min().copied().unwrap_or(0);
    let hi = r.iter().max().copied().unwrap_or(0);
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo} to {hi}")
    }
}
