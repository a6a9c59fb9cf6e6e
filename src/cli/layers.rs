//! `throttlelab layers`: experiment 8, retries at every layer of a call chain (Google SRE book,
//! "Addressing Cascading Failures"; AWS Builders' Library, "Timeouts, retries and backoff with
//! jitter"). Each layer makes up to `k` attempts on the layer below; the bottom fails each call
//! with probability `p`. Prints, for each `p`, the bottom calls per top request (Wald's closed
//! form and a Monte Carlo run of `--requests` requests) and the share of top requests that
//! fail. The model and both computations are [`sim::retry::expected_bottom_calls`]'s; nothing is
//! computed here. The rows go to `<out>/layers/layers.csv` and `layers.json` with a chart
//! ([`report::experiments::write_layers`]).

use super::CliError;
use anyhow::anyhow;
use clap::Args;
use report::experiments::{write_layers, LayersRow};
use report::files::complete::Staged;
use sim::engine::{Purpose, Stream};
use sim::retry::{expected_bottom_calls, simulate_layers, top_failure_probability};
use std::path::PathBuf;

/// Arguments of `layers`.
#[derive(Debug, Args)]
pub struct LayersArgs {
    /// Attempts at each layer, top first (`3,3,3,3,3`: five layers of 3 attempts).
    #[arg(long, value_delimiter = ',', default_value = "3,3,3,3,3")]
    pub attempts: Vec<u32>,
    /// Failure probabilities of the bottom layer, each in [0, 1].
    #[arg(long, value_delimiter = ',', default_value = "0,0.1,0.5,0.9,1")]
    pub p: Vec<f64>,
    /// Top-level requests simulated per probability.
    #[arg(long, default_value_t = 10_000)]
    pub requests: u32,
    /// Seed of the Monte Carlo stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output root; files go to `<out>/layers/`.
    #[arg(long, default_value = "notebooks-out", value_name = "DIR")]
    pub out: PathBuf,
}

/// Check the arguments, then print one row per probability.
pub fn run(args: LayersArgs) -> Result<(), CliError> {
    let bad = |m: String| CliError::BadInput(anyhow!(m));
    if args.attempts.is_empty() || args.attempts.len() > 12 {
        return Err(bad("--attempts: give 1 to 12 layers".into()));
    }
    if let Some(k) = args.attempts.iter().find(|&&k| !(1..=10).contains(&k)) {
        return Err(bad(format!(
            "--attempts: {k} is not 1 to 10 attempts per layer"
        )));
    }
    if let Some(p) = args.p.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(bad(format!("--p: {p} is not a probability in [0, 1]")));
    }
    if args.requests == 0 {
        return Err(bad("--requests: at least 1".into()));
    }
    // The worst case per request is prod(k) bottom calls: bound the total work.
    let worst: f64 = args.attempts.iter().map(|&k| f64::from(k)).product();
    if worst * f64::from(args.requests) > 1e9 {
        return Err(bad(format!(
            "--requests: {} requests x up to {worst} bottom calls each is too much work",
            args.requests
        )));
    }
    let shown: Vec<String> = args.attempts.iter().map(u32::to_string).collect();
    // Each row is written as soon as it is sampled (a large --requests takes a while).
    super::write_stdout(&format!(
        "{} layers, attempts {} (top first): up to {worst} bottom calls per request\n\
         {:>6} {:>14} {:>14} {:>14} {:>14}\n",
        args.attempts.len(),
        shown.join(","),
        "p",
        "calls_expected",
        "calls_sim",
        "fail_expected",
        "fail_sim"
    ))?;
    let mut rows = Vec::new();
    for (i, &p) in args.p.iter().enumerate() {
        let mut rng = Stream::derive(args.seed, Purpose::Faults, "layers", i as u64);
        let (calls, failed) = simulate_layers(&args.attempts, p, args.requests, &mut rng);
        let row = LayersRow {
            p,
            seed: args.seed,
            requests: args.requests,
            calls_expected: expected_bottom_calls(&args.attempts, p),
            calls_sim: calls,
            fail_expected: top_failure_probability(&args.attempts, p),
            fail_sim: failed,
        };
        super::write_stdout(&format!(
            "{p:>6} {:>14.3} {calls:>14.3} {:>14.6} {failed:>14.6}\n",
            row.calls_expected, row.fail_expected,
        ))?;
        rows.push(row);
    }
    let parameters = serde_json::json!({
        "attempts": args.attempts, "requests": args.requests, "seed": args.seed,
    });
    let dir = args.out.join("layers");
    let staged = Staged::begin(&dir).map_err(|e| CliError::Failed(e.into()))?;
    let files = write_layers(staged.dir(), &parameters, &shown.join(","), &rows)
        .map_err(|e| CliError::Failed(e.into()))?;
    let table = dir.join(files.tables[0].file_name().unwrap_or_default());
    staged.commit().map_err(|e| CliError::Failed(e.into()))?;
    super::write_stdout(&format!(
        "wrote {} (and .json), charts/layers_calls.{{svg,png}}\n",
        table.display()
    ))?;
    Ok(())
}
