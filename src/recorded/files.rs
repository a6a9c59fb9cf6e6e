//! A live run's files, in the layout of a simulated run (`throttlelab run`), written by the
//! same `report` crate writers: `manifest.json`, `summary.json`, `summary.{csv,parquet}`,
//! `timeseries.{csv,parquet}`, `clients.{csv,parquet}`, `tenants.{csv,parquet}`, the scenario
//! copy, and unless told otherwise `charts/*` and `report.html`.
//!
//! What marks the run as live: `"mode": "live"` in `manifest.json` and `summary.json`, and
//! `live.json` (target, wall time, horizon, truncation, what was not driven live). A live run
//! cannot be re-simulated, so the result itself is kept as `result.json`, from which
//! `throttlelab report DIR` rebuilds the charts.

use super::LiveRun;
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The result file of a live run (read back by `throttlelab report`).
pub const RESULT_FILE: &str = "result.json";
/// The live facts of a live run.
pub const LIVE_FILE: &str = "live.json";

fn write_json(path: &Path, v: &impl serde::Serialize) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(v).context("rendering JSON")?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Insert `"mode": "live"` (and `extra` fields) at the top of the JSON object in `path`.
fn mark_live(path: &Path, extra: &[(&str, Value)]) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut out = serde_json::Map::new();
    out.insert("mode".into(), Value::from("live"));
    for (k, x) in extra {
        out.insert((*k).to_string(), x.clone());
    }
    if let Value::Object(m) = v {
        for (k, x) in m {
            out.entry(k).or_insert(x);
        }
    }
    write_json(path, &Value::Object(out))
}

/// Write `run`'s files into `dir`; `scenario_text` is the scenario file's text and
/// `scenario_file` its name. With `report`, the charts and `report.html` too. Returns the
/// `report.html` path when written.
pub fn write_live_run(
    dir: &Path,
    run: &LiveRun,
    scenario_text: &str,
    scenario_file: &str,
    report: bool,
) -> Result<Option<PathBuf>> {
    let r = &run.result;
    let manifest = report::files::Manifest::new(
        &r.scenario,
        scenario_file,
        scenario_text.as_bytes(),
        r.seed,
        env!("CARGO_PKG_VERSION"),
        r.events,
    );
    report::files::write_run(dir, r, &manifest)
        .with_context(|| format!("writing the run's files to {}", dir.display()))?;
    write_json(&dir.join(RESULT_FILE), r)?;
    write_json(&dir.join(LIVE_FILE), &run.info)?;
    let html = if report {
        Some(
            report::write_run_report(dir, r, scenario_text)
                .with_context(|| format!("writing the run's report to {}", dir.display()))?,
        )
    } else {
        let copy = dir.join(report::html::SCENARIO_COPY);
        std::fs::write(&copy, scenario_text)
            .with_context(|| format!("writing {}", copy.display()))?;
        None
    };
    let mut files: Vec<Value> = manifest
        .files
        .iter()
        .map(|f| Value::from(f.as_str()))
        .collect();
    files.extend([RESULT_FILE, LIVE_FILE].map(Value::from));
    mark_live(
        &dir.join("manifest.json"),
        &[
            (
                "live",
                serde_json::to_value(&run.info).context("rendering live facts")?,
            ),
            ("files", Value::Array(files)),
        ],
    )?;
    mark_live(&dir.join("summary.json"), &[])?;
    Ok(html)
}

/// The result of a live run directory, if `dir` holds one (`manifest.json` says
/// `"mode": "live"`): `Ok(None)` for a simulated run's directory.
pub fn read_live_result(dir: &Path) -> Result<Option<sim::RunResult>> {
    let manifest = dir.join("manifest.json");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Ok(None);
    };
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    if v.get("mode").and_then(Value::as_str) != Some("live") {
        return Ok(None);
    }
    let path = dir.join(RESULT_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let r = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(Some(r))
}
