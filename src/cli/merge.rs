//! `throttlelab merge DIR...`: join the shards of a sweep (`sweep --shard i/n`, run anywhere)
//! into one sweep folder with `runs`, `points` and `timeseries` tables and a `sweep.json`.
//!
//! A DIR is a shard folder (holding `sweep.json`) or a sweep folder holding `shard-*`
//! folders. The shards must come from the same sweep (same hash, seeds, shard count) and all
//! be there, once each. Rows are put back in job order, so the merged files are
//! byte-identical to those of the same sweep run unsharded. The merged folder gets the
//! sweep's charts and `report.html` too (unless `--no-report`).

use super::sweep_folder::{read_manifest, replan, write_manifest, write_report};
use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use report::tables::{
    fill, read_table, render_points, sort_runs, sweep_points, write_sweep, SweepKeys,
    SweepManifest, Table,
};
use std::path::{Path, PathBuf};

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders, or a sweep folder holding `shard-*` folders.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged sweep (default: the folder holding the shards).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Skip the charts and `report.html` (tables only).
    #[arg(long)]
    pub no_report: bool,
}

fn bad(msg: String) -> CliError {
    CliError::BadInput(anyhow!(msg))
}

/// The shard folders named by `dirs`, sorted and de-duplicated.
fn shard_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for d in dirs {
        if d.join("sweep.json").is_file() {
            out.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d)
            .map_err(|e| bad(format!("{}: not a shard or sweep folder: {e}", d.display())))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
                    && p.join("sweep.json").is_file()
            })
            .collect();
        if found.is_empty() {
            return Err(bad(format!(
                "{}: no sweep.json and no shard-* folders in it",
                d.display()
            )));
        }
        out.append(&mut found);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Check that the shards belong together and are all there; the whole sweep's manifest.
fn check(shards: &[(PathBuf, SweepManifest)]) -> Result<SweepManifest, CliError> {
    let (first_dir, first) = &shards[0];
    let Some([_, n]) = first.shard else {
        return Err(bad(format!(
            "{}: a whole sweep, not a shard",
            first_dir.display()
        )));
    };
    let mut seen = vec![false; n as usize];
    for (dir, m) in shards {
        let same = m.hash == first.hash
            && m.scenario == first.scenario
            && m.seeds == first.seeds
            && m.params == first.params
            && m.timeseries == first.timeseries
            && m.shard.map(|s| s[1]) == Some(n);
        if !same {
            return Err(bad(format!(
                "{} is not a shard of the same sweep as {} (scenario, hash, seeds or shard count differ)",
                dir.display(),
                first_dir.display()
            )));
        }
        let i = m.shard.map_or(0, |s| s[0]) as usize;
        if i == 0 || i > seen.len() || std::mem::replace(&mut seen[i - 1], true) {
            return Err(bad(format!("{}: shard {i}/{n} given twice", dir.display())));
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| !**s)
        .map(|(i, _)| format!("{}/{n}", i + 1))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!("missing shards: {}", missing.join(", "))));
    }
    Ok(SweepManifest {
        shard: None,
        jobs_here: first.jobs,
        ..first.clone()
    })
}

/// Table `stem` of a shard's folder: its Parquet file where this build reads Parquet, else its
/// CSV (report::tables::read_table).
fn shard_table(dir: &Path, stem: &str) -> Result<Table, CliError> {
    read_table(dir, stem, Some(fill)).map_err(|e| bad(format!("{e}")))
}

/// `merge` replaces its output folder whole: refuse one that holds anything but a sweep (a
/// mistyped `--out` must not take a folder of other files with it).
fn refuse_foreign(out: &Path) -> Result<(), CliError> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(()); // not there yet
    };
    let names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let sweep = names.iter().any(|n| {
        n == "sweep.json" || n == report::files::complete::MARKER || n.starts_with("shard-")
    });
    if names.is_empty() || sweep {
        Ok(())
    } else {
        Err(bad(format!(
            "{}: not a sweep folder (no sweep.json, seal or shard-* in it); merge replaces its \
             output folder whole: give --out a new or sweep folder",
            out.display()
        )))
    }
}

/// The `shard-*` folders in `dir` (sealed on their own, never part of the merged folder's seal).
fn shards_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shard-"))
        .collect()
}

/// Merge, write, print.
pub fn run(args: MergeArgs, quiet: bool) -> Result<(), CliError> {
    let dirs = shard_dirs(&args.dirs)?;
    // A shard killed while it was written is not taken for complete.
    for d in &dirs {
        super::sealed::check_complete(d)?;
    }
    let shards = dirs
        .iter()
        .map(|d| read_manifest(d).map(|m| (d.clone(), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let whole = check(&shards)?;
    let mut runs = Table::with_fill(fill);
    let mut series = Table::with_fill(fill);
    for (dir, _) in &shards {
        runs.extend(&shard_table(dir, "runs")?);
        if whole.timeseries {
            series.extend(&shard_table(dir, "timeseries")?);
        }
    }
    if runs.len() != whole.jobs {
        return Err(bad(format!(
            "the shards hold {} runs, the sweep has {}",
            runs.len(),
            whole.jobs
        )));
    }
    let runs = sort_runs(&runs, &whole.seeds);
    let series = sort_runs(&series, &whole.seeds);
    let keys = SweepKeys {
        params: whole.params.iter().map(|p| p.path.clone()).collect(),
        bucket_s: whole.bucket_s,
    };
    let points = sweep_points(&keys, &runs);
    let out = match &args.out {
        Some(o) => o.clone(),
        None => dirs[0]
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    // Written aside and put in place whole (report::files::complete): a killed merge leaves the
    // previous folder, and no file left in it before (a stale table, an old report) survives
    // beside the merged one. Shards inside the folder are carried over.
    refuse_foreign(&out)?;
    let staged = report::files::complete::Staged::begin(&out)
        .with_context(|| format!("creating the merged folder beside {}", out.display()))?;
    for name in shards_in(&out) {
        staged
            .keep(&name)
            .with_context(|| format!("keeping {name} in the merged folder"))?;
    }
    let tmp = staged.dir();
    write_sweep(tmp, &keys, &runs, &series, Some(&points))
        .with_context(|| format!("writing the merged sweep to {}", tmp.display()))?;
    write_manifest(tmp, &whole)?;
    // The shards' scenario copy (written by `sweep`) gives the merged sweep its report.
    let copy = dirs[0].join(report::html::SCENARIO_COPY);
    let html = match (copy.is_file(), args.no_report) {
        (true, false) => {
            let (_, text) = super::limits::read_scenario(&copy)?;
            let dest = tmp.join(report::html::SCENARIO_COPY);
            std::fs::write(&dest, &text).with_context(|| format!("writing {}", dest.display()))?;
            let plan = replan(&text, &whole);
            let scenarios: Vec<&sim::model::Scenario> = plan
                .as_ref()
                .map(|p| p.points.iter().map(|p| &p.scenario).collect())
                .unwrap_or_default();
            write_report(tmp, &whole, &points, &text, &scenarios)?;
            Some(out.join("report.html"))
        }
        _ => None,
    };
    staged
        .commit()
        .with_context(|| format!("putting the merged folder in place at {}", out.display()))?;
    if !quiet {
        let mut text = render_points(&keys, &points);
        text += &format!("merged {} shards into {}\n", shards.len(), out.display());
        if let Some(html) = html {
            text += &format!("report: {}\n", html.display());
        }
        super::write_stdout(&text)?;
    }
    Ok(())
}
