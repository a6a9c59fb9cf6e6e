//! Command-line interface: one file per subcommand.
//!
//! Exit codes: 0 ok, 1 the run failed, 2 bad input (scenario file, flags).

mod atlas;
#[cfg(feature = "live")]
mod check_live;
mod compare;
mod compare_args;
mod compare_json;
mod compare_runs;
#[cfg(feature = "live")]
mod conform;
mod demo;
mod embedded;
mod gateway;
mod layers;
mod limits;
mod list;
#[cfg(feature = "live")]
mod load;
mod merge;
mod occ;
mod replay;
mod replay_fit;
mod replay_loop;
mod replay_loop_out;
mod replay_loop_text;
mod replay_out;
mod report;
mod run;
mod scenarios;
mod schema;
mod sealed;
#[cfg(feature = "live")]
mod serve;
#[cfg(feature = "live")]
mod serve_config;
#[cfg(feature = "live")]
mod serve_deployment;
mod shell;
mod sweep;
mod sweep_folder;
mod sweep_jobs;
mod validate;
#[cfg(not(feature = "live"))]
mod without_live;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Simulate and benchmark API throttling and retry strategies.
#[derive(Debug, Parser)]
#[command(name = "throttlelab", version, about)]
pub struct Cli {
    /// Print less.
    #[arg(long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every limiter algorithm (and retry policy) with its parameters and semantics.
    List(list::ListArgs),
    /// Drive a live server with a scenario's client fleets (loopback only by default).
    #[cfg(feature = "live")]
    Load(load::LoadArgs),
    /// Drive a live server (live mode: not in this build, built without the `live` feature).
    #[cfg(not(feature = "live"))]
    Load(without_live::NotBuilt),
    /// Run the rate-limited HTTP API on 127.0.0.1 (live mode).
    #[cfg(feature = "live")]
    Serve(Box<serve::ServeArgs>),
    /// Run the rate-limited HTTP API (live mode: not in this build, built without `live`).
    #[cfg(not(feature = "live"))]
    Serve(without_live::NotBuilt),
    /// Simulate a scenario: print a summary table, write its files under <out>/<scenario>/<seed>/.
    Run(run::RunArgs),
    /// Check scenario files without running them (errors as file:line:col; exit code 2).
    Validate(validate::ValidateArgs),
    /// Rebuild the charts (charts/*.svg, *.png) and self-contained report.html of a run, sweep or
    /// comparison folder.
    Report(report::ReportArgs),
    /// Run the cartesian product of parameter values, several seeds per point, over all cores.
    Sweep(sweep::SweepArgs),
    /// Run two scenarios with the same seeds; every figure with its difference and 95% CI.
    Compare(compare::CompareArgs),
    /// Join the shards of a sweep (`sweep --shard I/N`) into one sweep folder.
    Merge(merge::MergeArgs),
    /// Retries at every layer of a call chain: bottom calls per request, closed form and sampled.
    Layers(layers::LayersArgs),
    /// Backoff and jitter under contention: N clients, one optimistic-concurrency row.
    Occ(occ::OccArgs),
    /// The over-admission atlas: every shared-limit design x replicas x sync interval x store
    /// round trip x balancer; tables, charts and one page (docs/deployments.md).
    Atlas(atlas::AtlasArgs),
    /// Run a scenario simulated and live on loopback; every figure side by side (exit 1 if a
    /// headline figure differs by more than --tolerance).
    #[cfg(feature = "live")]
    CheckLive(check_live::CheckLiveArgs),
    /// Run a scenario simulated and live (live mode: not in this build, built without `live`).
    #[cfg(not(feature = "live"))]
    CheckLive(without_live::NotBuilt),
    /// Read a gateway's rate-limit configuration (nginx, HAProxy, Envoy, envoyproxy/ratelimit,
    /// Kong, AWS) into scenario limiter levels: printed as TOML, or merged with --into.
    Import(gateway::ImportArgs),
    /// Write a scenario's limiter levels in a gateway's language, or say why it cannot be said.
    Export(gateway::ExportArgs),
    /// Replay access logs against candidate limits: would-be refusals per tenant and client,
    /// and when each limit first bites (static answer; docs/replay.md).
    Replay(replay::ReplayArgs),
    /// Start a real gateway (nginx) on loopback with a configuration's limits, drive it with
    /// timed request streams and compare every decision with the lab's model of it.
    #[cfg(feature = "live")]
    Conform(conform::ConformArgs),
    /// Check the lab's model against a real gateway (live mode: not in this build, built
    /// without the `live` feature).
    #[cfg(not(feature = "live"))]
    Conform(without_live::NotBuilt),
    /// The design-review pack: retry storm, jitter and fairness experiments, seed APIs, index.html.
    Demo(demo::DemoArgs),
    /// The shipped scenarios, embedded in the binary: list, show, copy to edit.
    Scenarios(scenarios::ScenariosArgs),
    /// Print the JSON Schema of scenario files, for editors (Taplo, Even Better TOML).
    Schema(schema::SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with --out-dir.
    Man(shell::ManArgs),
}

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: exit code 2.
    BadInput(anyhow::Error),
    /// The run failed: exit code 1.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        CliError::Failed(e)
    }
}

/// Write `text` to standard output. A reader that closed the pipe early (`throttlelab run ... |
/// head`) is not an error: `println!` would panic there, so every subcommand prints through this
/// (tests/cli/cli_closed_pipe.rs).
pub fn write_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Failed(e.into())),
        _ => Ok(()),
    }
}

/// Run a parsed command line and map the result to an exit code.
pub fn run(cli: Cli) -> ExitCode {
    // `[[server.limiters]] from = "nginx.conf"` in any scenario this process loads
    sim::scenario::install_level_source(Box::new(gateway::GatewaySource));
    let result = match cli.command {
        Command::List(args) => list::run(args),
        #[cfg(feature = "live")]
        Command::Load(args) => load::run_load(args, cli.quiet),
        #[cfg(feature = "live")]
        Command::Serve(args) => serve::run(*args),
        #[cfg(not(feature = "live"))]
        Command::Load(_) => without_live::refuse("load"),
        #[cfg(not(feature = "live"))]
        Command::Serve(_) => without_live::refuse("serve"),
        Command::Run(args) => run::run(args, cli.quiet),
        Command::Validate(args) => validate::run(args, cli.quiet),
        Command::Report(args) => report::run(args, cli.quiet),
        Command::Sweep(args) => sweep::run(args, cli.quiet),
        Command::Compare(args) => compare::run(args, cli.quiet),
        Command::Merge(args) => merge::run(args, cli.quiet),
        Command::Layers(args) => layers::run(args),
        Command::Occ(args) => occ::run(args),
        Command::Atlas(args) => atlas::run(args, cli.quiet),
        #[cfg(feature = "live")]
        Command::CheckLive(args) => check_live::run(args, cli.quiet),
        #[cfg(not(feature = "live"))]
        Command::CheckLive(_) => without_live::refuse("check-live"),
        Command::Demo(args) => demo::run(args, cli.quiet),
        #[cfg(feature = "live")]
        Command::Conform(args) => conform::run(args, cli.quiet),
        #[cfg(not(feature = "live"))]
        Command::Conform(_) => without_live::refuse("conform"),
        Command::Import(args) => gateway::run_import(args, cli.quiet),
        Command::Export(args) => gateway::run_export(args),
        Command::Replay(args) => replay::run(args, cli.quiet),
        Command::Scenarios(args) => scenarios::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BadInput(e)) => {
            errln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(e)) => {
            errln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
