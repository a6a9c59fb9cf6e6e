//! A sweep's output folder: its manifest (what was swept, the seeds, the scenario's hash), the
//! charts and `report.html` written from the points table, and `report DIR` rebuilding them
//! from the folder alone (the plan re-derived from the manifest and the scenario copy).

use super::CliError;
use anyhow::{anyhow, Context};
use report::tables::{ParamManifest, SweepManifest};
use sim::sweep::{show, Param, Plan, Shard, SweepArgs as PlanArgs};
use std::path::{Path, PathBuf};

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
/// `points.parquet` (or `points.csv`), `sweep.json` and scenario copy.
pub(crate) fn report_dir(dir: &Path, quiet: bool) -> Result<(), CliError> {
    super::sealed::check_complete(dir)?;
    let m = read_manifest(dir)?;
    if m.shard.is_some() {
        return Err(CliError::BadInput(anyhow!(
            "{}: one shard of a sweep; join the shards with `throttlelab merge` first",
            dir.display()
        )));
    }
    let (_, text) = super::limits::read_scenario(&dir.join(report::html::SCENARIO_COPY))?;
    let points = report::tables::read_table(dir, "points", None)
        .map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
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
pub(crate) fn bucket_of(plan: &Plan) -> Option<f64> {
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
