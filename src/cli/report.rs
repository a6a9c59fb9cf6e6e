//! `throttlelab report DIR`: (re)build the charts and `report.html` of a run directory, a sweep
//! folder (`sweep.json`: from its points table) or a comparison folder (`compare.json`: from
//! its comparison table).
//!
//! A run directory holds the scenario text (`scenario.toml`, written with the report) and
//! `manifest.json` (seed, scenario hash, events). The simulator is deterministic, so the report
//! re-simulates the scenario with the recorded seed rather than parsing the time series back
//! from CSV; the manifest's scenario hash and event count check that the rebuilt run is the run
//! that was recorded (a newer simulator or an edited file would differ, and is reported). A
//! live run's directory (`"mode": "live"` in its manifest, written by `load`) is rebuilt from
//! its recorded `result.json` instead: reality cannot be re-run.

use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The run directory (`<out>/<scenario>/<seed>/`), sweep folder or comparison folder.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The scenario file, when the directory has no `scenario.toml` copy.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Seed (default: the manifest's, else the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The memory limit of the re-simulated run (a run directory's report re-runs it).
    #[command(flatten)]
    pub limits: super::limits::RunLimits,
}

/// What the manifest says, as far as the report needs it.
#[derive(Debug, Default)]
struct ManifestFacts {
    seed: Option<u64>,
    sha256: Option<String>,
    events: Option<u64>,
}

fn read_manifest(dir: &Path) -> Result<ManifestFacts, CliError> {
    let path = dir.join("manifest.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ManifestFacts::default()),
        Err(e) => return Err(CliError::BadInput(anyhow!("{}: {e}", path.display()))),
    };
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::BadInput(anyhow!("{}: not valid JSON: {e}", path.display())))?;
    Ok(ManifestFacts {
        seed: v.get("seed").and_then(serde_json::Value::as_u64),
        sha256: v
            .get("scenario_sha256")
            .and_then(|s| s.as_str())
            .map(str::to_owned),
        events: v.get("events").and_then(serde_json::Value::as_u64),
    })
}

/// Rebuild the report of a run directory.
pub fn run(args: ReportArgs, quiet: bool) -> Result<(), CliError> {
    if !args.dir.is_dir() {
        return Err(CliError::BadInput(anyhow!(
            "{}: not a directory",
            args.dir.display()
        )));
    }
    // Every kind of folder (run, live run, sweep, comparison, check-live side) is trusted only
    // when sealed whole, checked before anything in it is read.
    super::sealed::check_complete(&args.dir)?;
    // A sweep folder (sweep.json) or a comparison folder (compare.json): its report is built
    // from its tables; anything else is a run directory.
    if args.dir.join("sweep.json").is_file() {
        return super::sweep_folder::report_dir(&args.dir, quiet);
    }
    if args.dir.join("compare.json").is_file() {
        return super::compare::report_dir(&args.dir, quiet);
    }
    let run = load_run(&args.dir, args.scenario.as_deref(), args.seed, &args.limits)?;
    let html = ::report::write_run_report(&args.dir, &run.result, &run.text)
        .with_context(|| format!("writing the report into {}", args.dir.display()))?;
    super::sealed::reseal(&args.dir)?;
    for w in &run.warnings {
        errln!("warning: {w}");
    }
    if !quiet {
        let live = if run.live { " (live run)" } else { "" };
        super::write_stdout(&format!(
            "wrote {} and charts/*.svg, charts/*.png{live}\n",
            html.display()
        ))?;
    }
    Ok(())
}

/// A run directory's result: re-simulated from its scenario copy and seed, or, for a live run,
/// read from its recorded `result.json`.
pub(crate) struct LoadedRun {
    /// The run's figures.
    pub result: sim::RunResult,
    /// The scenario text.
    pub text: String,
    /// Read from a live run's record (not re-simulated).
    pub live: bool,
    /// Differences between the rebuilt run and the recorded one.
    pub warnings: Vec<String>,
}

/// Load the run in `dir` (checked complete by the caller, [`super::sealed::check_complete`]); `scenario_file`
/// and `seed_override` replace the directory's own; a re-simulated run must fit `memory`.
pub(crate) fn load_run(
    dir: &Path,
    scenario_file: Option<&Path>,
    seed_override: Option<u64>,
    limits: &super::limits::RunLimits,
) -> Result<LoadedRun, CliError> {
    // A live run (`throttlelab load`) cannot be re-simulated: its recorded result is used.
    let live = crate::recorded::read_live_result(dir).map_err(CliError::BadInput)?;
    let scenario_path = scenario_file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(::report::html::SCENARIO_COPY));
    let display = scenario_path.display().to_string();
    let text = sim::scenario::read_file(&scenario_path)
        .map_err(|e| CliError::BadInput(anyhow!("{e}; pass the scenario with --scenario FILE")))?;
    let bytes = text.clone().into_bytes();
    let scenario =
        sim::scenario::load_str(&display, &text).map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
    limits.check(&display, &scenario, 1)?;
    let manifest = read_manifest(dir)?;
    let seed = seed_override.or(manifest.seed).unwrap_or(scenario.seed);

    if let Some(result) = live {
        return Ok(LoadedRun {
            result,
            text,
            live: true,
            warnings: Vec::new(),
        });
    }
    let result = sim::run(&scenario, seed).with_context(|| format!("simulating {display}"))?;
    let mut warnings = Vec::new();
    if let Some(recorded) = &manifest.sha256 {
        let now =
            ::report::files::Manifest::new(&scenario.name, "", &bytes, seed, "", 0).scenario_sha256;
        if &now != recorded {
            warnings.push(
                "the scenario text differs from the one recorded in manifest.json".to_owned(),
            );
        }
    }
    if let Some(events) = manifest.events {
        if events != result.events && seed_override.is_none() {
            warnings.push(format!(
                "the rebuilt run processed {} events, the recorded run {events}: the simulator changed since",
                result.events
            ));
        }
    }
    Ok(LoadedRun {
        result,
        text,
        live: false,
        warnings,
    })
}
