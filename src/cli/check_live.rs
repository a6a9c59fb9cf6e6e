//! `throttlelab check-live FILE [--duration 30s] [--tolerance 5%]`: run a scenario simulated
//! and live on loopback for the same (short) duration and seed, print the figures side by side
//! with their relative difference, and write the comparison under
//! `<out>/<scenario>/check-live/`: `comparison.csv` (long format, one figure per line),
//! `comparison.json`, both sides' summaries in `sim.json` and `live.json`, and both runs in
//! `throttlelab run`'s layout under `sim/` and `live/` (so `report DIR` draws either).
//!
//! Exit codes: 0 when every headline figure (admitted, rejections by status, retry
//! amplification, goodput; total and per fleet) agrees within the tolerance, or lies within the
//! spread of `--replicas` simulated runs that differ only in the network's timing noise
//! (widened by the tolerance), 1 when one does not (or the run failed), 2 for bad input. See
//! `crate::live::check`.

mod args;
mod output;

use super::CliError;
use crate::live::check::cutoff::cut_off;
use crate::live::check::deployment_side;
use crate::live::check::live_side::{self};
use crate::recorded::compare::{render, widen_by_spread, Judge, Row, Verdict};
use crate::recorded::figures::{admitted_from_metrics, counter_from_metrics, Figures};
use anyhow::{anyhow, Context};
pub use args::{parse_tolerance, CheckLiveArgs};
use limiters::{parse_duration, Nanos};
use output::{headline_rows, write};
use sim::metrics::{RunResult, SeriesRow};

/// A time-series column, where a bucket has it.
type Column = fn(&SeriesRow) -> Option<u64>;

/// The mean of a time-series column over the buckets that have it.
fn mean(rows: &[SeriesRow], get: Column) -> Option<f64> {
    let v: Vec<u64> = rows.iter().filter_map(get).collect();
    (!v.is_empty()).then(|| v.iter().sum::<u64>() as f64 / v.len() as f64)
}

/// The server's side for information (not judged: gauges are sampled once per bucket, and a
/// real backend's occupancy follows real timing): the means over the buckets of the clients'
/// logical requests in flight and of the backend's queue and busy workers, and the wasted
/// work (attempts the server executed after their client had given up).
fn server_rows(judge: &Judge, sim: &RunResult, live: &RunResult) -> Vec<Row> {
    let columns: [(&str, Column); 3] = [
        ("in flight (mean)", |r| Some(r.in_flight)),
        ("backend queue (mean)", |r| r.queue_len),
        ("backend busy (mean)", |r| r.busy),
    ];
    let mut rows = Vec::new();
    for (name, get) in columns {
        let (a, b) = (mean(&sim.series.total, get), mean(&live.series.total, get));
        if let (Some(a), Some(b)) = (a, b) {
            rows.push(judge.row("total", name.into(), a, b, None));
        }
    }
    let (a, b) = (sim.summary.wasted_attempts, live.summary.wasted_attempts);
    rows.push(judge.row("total", "wasted attempts".into(), a as f64, b as f64, None));
    rows
}

/// Run both sides, print, write, judge.
pub fn run(args: CheckLiveArgs, quiet: bool) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    let tolerance = parse_tolerance(&args.tolerance).map_err(bad)?;
    let (display, scenario_text) = super::limits::read_user_scenario(&args.file)?;
    let mut scenario =
        sim::scenario::load_str(&display, &scenario_text).map_err(|e| bad(anyhow!("{e}")))?;
    let duration = parse_duration(&args.duration)
        .map_err(|e| bad(anyhow!("--duration: {e}")))?
        .min(scenario.duration);
    if duration == Nanos::ZERO {
        return Err(bad(anyhow!("--duration must be positive")));
    }
    let cut = cut_off(&scenario, duration);
    for w in &cut {
        errln!("warning: check-live {}: {w}", scenario.name);
    }
    scenario.duration = duration;
    // The simulated side is an ordinary run of the cut scenario; the live side records the
    // same per-client and per-bucket figures, so the same estimate bounds it.
    args.limits
        .check(&args.file.display().to_string(), &scenario, 1)?;
    let seed = args.seed.unwrap_or(scenario.seed);
    let secs = duration.as_secs_f64();
    let judge = Judge {
        tolerance,
        min_count: args.min_count,
    };

    if !quiet {
        errln!(
            "check-live {}: simulating {secs} s, seed {seed}",
            scenario.name
        );
    }
    let sim =
        sim::run(&scenario, seed).with_context(|| format!("simulating {}", args.file.display()))?;
    if !quiet {
        errln!(
            "check-live {}: running live on loopback for {secs} s",
            scenario.name
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    if scenario.deployment.is_none() && args.store.is_some() {
        return Err(bad(anyhow!(
            "--store is for a scenario with a [deployment] (its central and synced levels); \
             {} has none, and check-live serves it in memory",
            args.file.display()
        )));
    }
    if scenario.deployment.is_some() {
        if !args.file.is_file() {
            return Err(bad(anyhow!(
                "{}: a deployment runs live from a scenario file (each replica process reads \
                 it): give the file's path",
                args.file.display()
            )));
        }
        let p = crate::live::deployment::plan(&scenario)
            .map_err(|e| bad(anyhow!("{}: {e}", args.file.display())))?;
        if p.needs_redis()
            && !args
                .store
                .as_deref()
                .is_some_and(|s| s.starts_with("redis://"))
        {
            return Err(bad(anyhow!(
                "{}: the deployment has central or synced levels, whose state lives in Redis: \
                 give --store redis://HOST:PORT",
                args.file.display()
            )));
        }
    }
    let source = live_side::DeploymentSource {
        file: args.file.clone(),
        store: args.store.clone(),
        haproxy: args.haproxy.clone(),
    };
    let live = if scenario.deployment.is_some() {
        runtime.block_on(deployment_side::run(&scenario, seed, !quiet, &source))?
    } else {
        runtime.block_on(live_side::run(&scenario, seed, !quiet))?
    };
    drop(runtime);
    let lr = &live.run.result;

    // Admitted is the server's figure: the simulator counts an attempt when the limiters let
    // it in, and so does the live server (`throttlelab_admitted_total`). The clients only learn
    // it from the answer, which misses the attempts still in service at the horizon; their
    // count is shown per fleet (the server does not know fleets) for information.
    let server_admitted = admitted_from_metrics(&live.metrics);
    let mut live_total = Figures::from_summary(&lr.summary);
    live_total.admitted = server_admitted;
    let mut rows = headline_rows(&judge, &scenario, &sim, &live_total, lr, secs);
    let replicas = if scenario.network.delay.is_zero() {
        0
    } else {
        args.replicas
    };
    let mut spread = Vec::new();
    for r in 1..=replicas {
        let rep = sim::Simulation::new(&scenario, seed)
            .network_replica(r)
            .run()
            .with_context(|| format!("simulating {} (replica {r})", args.file.display()))?;
        spread.push(headline_rows(
            &judge,
            &scenario,
            &rep,
            &live_total,
            lr,
            secs,
        ));
    }
    widen_by_spread(&mut rows, &spread, tolerance);
    if scenario.deployment.is_some() {
        crate::live::check::deployment_rows::widen_rejections(
            &mut rows,
            sim.summary.attempts,
            lr.summary.attempts,
        );
    }
    let client_view = |fleet: &str, sim: u64, live: u64| {
        judge.row(
            fleet,
            "admitted (client view)".into(),
            sim as f64,
            live as f64,
            None,
        )
    };
    rows.push(client_view(
        "total",
        sim.summary.admitted,
        lr.summary.admitted,
    ));
    rows.extend(server_rows(&judge, &sim, lr));
    if let (Some(a), Some(b)) = (&sim.deployment, &lr.deployment) {
        rows.extend(crate::live::check::deployment_rows::rows(&judge, a, b));
    }
    // duplicates executed: the live server counts them by logical-request tag (total only:
    // it knows no fleets)
    if let Some(d) = counter_from_metrics(&live.metrics, "throttlelab_duplicates_executed_total") {
        let s = sim.summary.duplicates_executed as f64;
        rows.push(judge.row("total", "duplicates executed".into(), s, d as f64, None));
    }
    if scenario.fleets.len() > 1 {
        for (name, s) in &sim.fleets {
            if let Some(l) = lr.fleets.get(name) {
                rows.push(client_view(name, s.admitted, l.admitted));
            }
        }
    }
    let mut caveats: Vec<String> = cut.iter().chain(&live.warnings).cloned().collect();
    for r in rows.iter().filter(|r| r.verdict == Verdict::WithinSpread) {
        if let Some((lo, hi)) = r.sim_range {
            caveats.push(format!(
                "{} {}: live {} is off the simulated {} by more than the tolerance, but within \
                 the simulated spread {lo}..{hi} over {replicas} network-noise replicas",
                r.fleet, r.figure, r.live, r.sim
            ));
        }
    }
    let caveats = &caveats;
    let failed: Vec<&Row> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Disagree)
        .collect();

    let mut text = format!(
        "{}: simulated vs live on loopback, {secs} s, seed {seed}, tolerance {:.1}%\n\n{}",
        scenario.name,
        tolerance * 100.0,
        render(&rows)
    );
    for w in &cut {
        text.push_str(&format!("warning: {w}\n"));
    }
    if live.run.info.truncated {
        text.push_str("note: the live run hit its attempt cap before the horizon\n");
    }
    // the cut-off warnings lead the caveats and are printed above as warnings
    for c in &caveats[cut.len()..] {
        text.push_str(&format!("note: {c}\n"));
    }
    let dir = args.out.join(&scenario.name).join("check-live");
    // Written aside and put in place whole (report::files::complete); `sim/` and `live/` are
    // sealed on their own, so `report DIR/sim` and `report DIR/live` check just their side.
    let staged = report::files::complete::Staged::begin(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    write(
        staged.dir(),
        (&display, &scenario_text),
        &scenario.name,
        seed,
        secs,
        tolerance,
        &rows,
        caveats,
        &sim,
        &live,
    )
    .with_context(|| format!("writing {}", dir.display()))?;
    staged
        .commit()
        .with_context(|| format!("putting {} in place", dir.display()))?;
    text.push_str(&format!(
        "wrote {} (report.html, comparison.csv, comparison.json, sim.json, live.json; sim/ and live/ in run layout)\n",
        dir.display()
    ));
    super::write_stdout(&text)?;
    if failed.is_empty() {
        Ok(())
    } else {
        let names: Vec<String> = failed
            .iter()
            .map(|r| format!("{} {}", r.fleet, r.figure))
            .collect();
        Err(CliError::Failed(anyhow!(
            "{} headline figure(s) differ by more than {:.1}%: {}",
            failed.len(),
            tolerance * 100.0,
            names.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests;
