//! `throttlelab load --target URL --scenario FILE`: the live counterpart of `throttlelab run`.
//! Drives a live server (see `serve`) with the scenario's client fleets over real HTTP (the
//! simulator's arrival processes, retry policies and fleet gates; see `live::load`), bounded in
//! time and attempts, loopback targets only unless `--allow-remote`; prints the summary table
//! and writes the same files as `run` under `<out>/<scenario>/<seed>/` (`"mode": "live"` in
//! `manifest.json` and `summary.json`), so `throttlelab report DIR` works on them.

mod blast;

use super::CliError;
use crate::live::keys::Secrets;
use crate::live::load::{check_target, run_scenario, write_live_run, LoadOptions};
use anyhow::{anyhow, Context};
use clap::Args;
use limiters::parse_duration;
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server, e.g. `http://127.0.0.1:8080` (loopback only without --allow-remote).
    #[arg(long)]
    pub target: String,
    /// Scenario file whose fleets to run (serve the same file with `serve --scenario`).
    #[arg(long, required_unless_present = "blast")]
    pub scenario: Option<PathBuf>,
    /// Throughput mode instead of a scenario: N keep-alive connections, each sending the next
    /// request as soon as the previous answer arrives (like `wrk -cN`); prints JSON.
    #[arg(long, value_name = "N", conflicts_with = "scenario")]
    pub blast: Option<usize>,
    /// The key of every `--blast` request: a label of --keys-file (default `key-0`), or a
    /// secret itself.
    #[arg(long, default_value = "key-0")]
    pub token: String,
    /// Scrape the server's gauges here instead of the target's `/metrics` (`serve
    /// --metrics-addr`), e.g. `http://127.0.0.1:9100/metrics`.
    #[arg(long, value_name = "URL")]
    pub metrics: Option<String>,
    /// Bearer token of the metrics scrape (`serve --metrics-token`).
    #[arg(long, value_name = "TOKEN")]
    pub metrics_token: Option<String>,
    /// The server's keys (`serve --keys-out FILE`): each client sends the secret of its key's
    /// label (`key-N`), as the server knows them.
    #[arg(long, value_name = "FILE")]
    pub keys_file: Option<PathBuf>,
    /// The horizon: how long requests start; nothing after it is counted (default and
    /// maximum: the scenario's duration).
    #[arg(long)]
    pub duration: Option<String>,
    /// At most this many attempts; the run ends early when they are used up.
    #[arg(long, default_value_t = 1_000_000)]
    pub max_requests: u64,
    /// Use the keys `key-0 .. key-(N-1)` of `serve --keys N`, round-robin, instead of the
    /// scenario's client identities (which `serve --scenario` registers).
    #[arg(long)]
    pub keys: Option<u32>,
    /// Seed of the arrival and jitter streams (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output root; files go to `<out>/<scenario>/<seed>/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
    /// Skip the charts and `report.html` (tables only; faster).
    #[arg(long)]
    pub no_report: bool,
    /// Allow a target that is not on this machine.
    #[arg(long)]
    pub allow_remote: bool,
    /// Do not add the scenario's `[network] delay` (by default every attempt sleeps its
    /// simulated request and response legs, as loopback has none): the network to the target
    /// is the real one.
    #[arg(long)]
    pub real_network: bool,
    #[command(flatten)]
    pub memory: super::limits::MemoryArgs,
}

/// Run the fleets, print the summary, write the files.
pub fn run_load(args: LoadArgs, quiet: bool) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    let secrets = match &args.keys_file {
        Some(path) => Some(Secrets::read(path).map_err(bad)?),
        None => None,
    };
    if let Some(n) = args.blast {
        let token = secrets
            .as_ref()
            .and_then(|s| s.get(&args.token))
            .unwrap_or(&args.token);
        let d = args.duration.as_deref();
        return blast::run(
            &args.target,
            args.allow_remote,
            n,
            d,
            args.max_requests,
            token,
        );
    }
    let scenario_path = args.scenario.clone().unwrap_or_default();
    check_target(&args.target, args.allow_remote).map_err(bad)?;
    let display = scenario_path.display().to_string();
    let text = sim::scenario::read_file(&scenario_path).map_err(|e| bad(anyhow!("{e}")))?;
    let scenario = sim::scenario::load_str(&display, &text).map_err(|e| bad(anyhow!("{e}")))?;
    let mut opts = LoadOptions::new(&scenario);
    if let Some(d) = &args.duration {
        let d = parse_duration(d).map_err(|e| bad(anyhow!("--duration: {e}")))?;
        opts.duration = Duration::from(d).min(opts.duration);
    }
    // The live run records what a simulated one does (per-client rows, per-bucket series), so
    // the same estimate bounds it, at the horizon it will run.
    let mut sized = scenario.clone();
    sized.duration = limiters::Nanos::from(opts.duration).min(scenario.duration);
    args.memory.check(&display, &sized, 1)?;
    opts.max_requests = args.max_requests;
    opts.seed = args.seed.unwrap_or(scenario.seed);
    opts.allow_remote = args.allow_remote;
    opts.network_delay = !args.real_network;
    opts.tokens = args.keys;
    if secrets.is_none() {
        errln!(
            "throttlelab load: no --keys-file: the key labels are sent as bearer tokens, which \
             `throttlelab serve` refuses (401); pass the file `serve --keys-out FILE` wrote"
        );
    }
    opts.secrets = secrets.map(std::sync::Arc::new);
    if let Some(m) = &args.metrics {
        let url = check_target(m, args.allow_remote).map_err(|e| bad(anyhow!("--metrics: {e}")))?;
        opts.metrics_url = Some(url);
    }
    opts.metrics_token = args.metrics_token.clone();
    opts.progress = !quiet;
    if args.keys == Some(0) {
        return Err(bad(anyhow!("--keys must be at least 1")));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let run = runtime
        .block_on(run_scenario(&scenario, &args.target, &opts))
        .map_err(CliError::Failed)?;
    for w in &run.info.warnings {
        errln!("throttlelab load: {display}: not driven live: {w}");
    }
    if run.info.truncated {
        errln!(
            "throttlelab load: --max-requests {} reached after {:.2} s: the figures cover that \
             much of the run",
            args.max_requests,
            run.info.horizon_s
        );
    }
    let file_name = scenario_path
        .file_name()
        .map_or(display.clone(), |n| n.to_string_lossy().into_owned());
    let dir = report::files::run_dir(&args.out, &scenario.name, opts.seed);
    // Written aside and put in place whole (report::files::complete), like `run`'s folder.
    let staged = report::files::complete::Staged::begin(&dir)
        .with_context(|| format!("creating the run's folder beside {}", dir.display()))?;
    let html = write_live_run(staged.dir(), &run, &text, &file_name, !args.no_report)
        .map_err(CliError::Failed)?
        .map(|_| dir.join("report.html"));
    staged
        .commit()
        .with_context(|| format!("putting the run's folder in place at {}", dir.display()))?;
    if !quiet {
        let mut out = report::files::summary_table(&run.result);
        out += &format!(
            "\nlive against {} for {:.2} s ({} attempts)\n",
            run.info.target, run.info.wall_s, run.result.summary.attempts
        );
        let tables = ["summary", "timeseries", "clients", "tenants"]
            .map(report::tables::table_files_label)
            .join(", ");
        out += &format!(
            "wrote {} (manifest.json, summary.json, {tables}, result.json, live.json)\n",
            dir.display()
        );
        if let Some(html) = html {
            out += &format!("wrote {} and charts/*.png, charts/*.svg\n", html.display());
        }
        super::write_stdout(&out)?;
    }
    Ok(())
}
