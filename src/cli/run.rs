//! `throttlelab run FILE [--seed N] [--out DIR] [--no-report]`: load a scenario, simulate it,
//! print the summary table and write the run's files under `<out>/<scenario>/<seed>/`: the
//! tables, and unless `--no-report` the charts (`charts/*.png`, `charts/*.svg`) and the
//! self-contained `report.html`.
//!
//! Bad scenario files exit with code 2 before anything runs; a failure during the run or while
//! writing files exits with code 1. The files carry no timestamp, so the same file and seed
//! give byte-identical outputs.

use super::CliError;
use anyhow::{anyhow, Context};
use clap::Args;
use sim::Progress;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output root; files go to `<out>/<scenario>/<seed>/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip the charts and `report.html` (tables only; faster).
    #[arg(long)]
    pub no_report: bool,
    /// Print JSON on stdout instead of the table: the output folder, the report, and the
    /// run's `summary.json` (per fleet and whole run).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: super::limits::RunLimits,
}

/// Load, simulate, print, write.
pub fn run(args: RunArgs, quiet: bool) -> Result<(), CliError> {
    let (display, text_str) = super::limits::read_user_scenario(&args.file)?;
    let text = text_str.clone().into_bytes();
    let scenario = sim::scenario::load_str(&display, &text_str)
        .map_err(|e| CliError::BadInput(anyhow!("{e}")))?;
    args.limits.check(&display, &scenario, 1)?;
    let seed = args.seed.unwrap_or(scenario.seed);

    let started = Instant::now();
    let show_progress = !quiet && std::io::stderr().is_terminal();
    let mut last_pct = u64::MAX;
    let mut report = |p: Progress| {
        let pct = p.now.as_nanos().saturating_mul(100) / p.horizon.as_nanos().max(1);
        if pct != last_pct {
            last_pct = pct;
            err_print!(
                "\r  simulating {}: {pct:>3}%  ({} events)",
                scenario.name,
                p.events
            );
        }
    };
    let mut sim = sim::Simulation::new(&scenario, seed);
    if show_progress {
        sim = sim.progress(&mut report);
    }
    let result = sim.run();
    if show_progress {
        err_print!("\r{}\r", " ".repeat(72));
    }
    let result = result.with_context(|| format!("running {display}"))?;
    let wall = started.elapsed();

    let file_name = std::path::Path::new(&display)
        .file_name()
        .map_or(display.clone(), |n| n.to_string_lossy().into_owned());
    let manifest = report::files::Manifest::new(
        &scenario.name,
        &file_name,
        &text,
        seed,
        env!("CARGO_PKG_VERSION"),
        result.events,
    );
    let dir = report::files::run_dir(&args.out, &scenario.name, seed);
    // Written aside and renamed into place when whole (report::files::complete): a killed run
    // leaves no half-written folder under `dir`, a rerun replaces the whole folder.
    let staged = report::files::complete::Staged::begin(&dir)
        .with_context(|| format!("creating the run's folder beside {}", dir.display()))?;
    let tmp = staged.dir();
    report::files::write_run(tmp, &result, &manifest)
        .with_context(|| format!("writing the run's files to {}", tmp.display()))?;
    let html = if args.no_report {
        // the scenario's copy still, so `throttlelab report DIR` can draw the charts later
        let copy = tmp.join(report::html::SCENARIO_COPY);
        std::fs::write(&copy, &text_str).with_context(|| format!("writing {}", copy.display()))?;
        None
    } else {
        report::write_run_report(tmp, &result, &text_str)
            .with_context(|| format!("writing the run's report to {}", tmp.display()))?;
        Some(dir.join("report.html"))
    };
    staged
        .commit()
        .with_context(|| format!("putting the run's folder in place at {}", dir.display()))?;

    if args.json {
        let summary = std::fs::read_to_string(dir.join("summary.json"))
            .with_context(|| format!("reading back {}", dir.join("summary.json").display()))?;
        let summary: serde_json::Value =
            serde_json::from_str(&summary).context("reading back summary.json")?;
        let doc = serde_json::json!({
            "scenario": scenario.name,
            "seed": seed,
            "out": dir,
            "report": html,
            "events": result.events,
            "summary": summary,
        });
        let text = serde_json::to_string_pretty(&doc).context("encoding the JSON")?;
        return super::write_stdout(&(text + "\n"));
    }
    if !quiet {
        let secs = wall.as_secs_f64();
        let mut text = report::files::summary_table(&result);
        text += &format!(
            "\n{} events in {secs:.2} s ({:.1} M events/s)\n",
            result.events,
            result.events as f64 / secs.max(1e-9) / 1e6
        );
        // the tables' files as this build writes them: no .parquet without the `parquet` feature
        let tables: Vec<String> = report::tables::RUN_TABLES
            .iter()
            .map(|(stem, _)| report::tables::table_files_label(stem))
            .collect();
        text += &format!(
            "wrote {} (manifest.json, summary.json, {})\n",
            dir.display(),
            tables.join(", ")
        );
        if let Some(html) = html {
            text += &format!("wrote {} and charts/*.png, charts/*.svg\n", html.display());
        }
        super::write_stdout(&text)?;
    }
    Ok(())
}
