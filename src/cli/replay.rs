//! `throttlelab replay LOG... --limits SCENARIO...`: what would these limits have done to this
//! traffic? Reads access logs (see `crate::replay`), checks every logged request against
//! every candidate's limiter levels at its logged time, and prints, per candidate, the
//! would-be refusals, who they hit and when the limit first bites (the static answer). With
//! `--closed-loop` the log's original requests are also replayed through the simulator with
//! each client's fitted retry policy (`super::replay_loop`). Candidates are scenario files or
//! gateway configurations. With `--out DIR` the tables are written in a sealed folder.
//!
//! Bad input (flags, a scenario, an unreadable log, a bad line under `--strict`) exits 2; a
//! limiter failing mid-run exits 1.

use super::replay_fit as fit;
use super::replay_loop as loop_;
use super::replay_out as out;
use super::CliError;
use crate::replay::formats::{Parser, NAMES};
use crate::replay::key::KeyExpr;
use crate::replay::static_pass::StaticPass;
use crate::replay::{Reader, ReplayError, Tally};
use anyhow::anyhow;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `replay`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  throttlelab replay access.log.gz --limits tight.toml loose.toml
  throttlelab replay app.jsonl --format json --json-fields time=ts,ip=client,status=code \\
      --client header:X-Api-Key --tenant 'path:/v1/orgs/{org}/...' --limits candidate.toml
  throttlelab replay access.log --format nginx \\
      --log-format '$remote_addr [$time_local] \"$request\" $status $http_x_api_key' ...
  throttlelab replay access.log.gz --limits tight.toml nginx.conf --closed-loop --out replayed
  throttlelab replay serve.jsonl --format json --client field:key --tenant field:tenant \\
      --retry-key field:request_id --closed-loop --limits b.toml

Guide: docs/replay.md")]
pub struct ReplayArgs {
    /// Access logs, read in the order given (plain, gzip or zstd, told by their first bytes;
    /// `-` for standard input).
    #[arg(required = true, value_name = "LOG")]
    pub logs: Vec<PathBuf>,
    /// Candidate limits: scenario files (.toml) whose [[server.limiters]] levels each logged
    /// request is checked against, or gateway configurations read as a scenario's `from =`
    /// reads them (nginx.conf, haproxy.cfg, Envoy or envoyproxy/ratelimit YAML, Kong YAML, an AWS
    /// usage plan JSON); several in one pass.
    #[arg(long, required = true, num_args = 1.., value_name = "SCENARIO")]
    pub limits: Vec<PathBuf>,
    /// The log format: combined (nginx/Apache), nginx (with --log-format), envoy (its default
    /// format), json, alb (AWS Application Load Balancer), cloudfront.
    #[arg(long, default_value = "combined", value_name = "FORMAT")]
    pub format: String,
    /// The nginx `log_format` string of the log, for --format nginx.
    #[arg(long, value_name = "STRING")]
    pub log_format: Option<String>,
    /// JSON field names, ROLE=FIELD,... with roles time, ip, method, path, request, status
    /// (defaults: time, remote_addr, request_method, request_uri, request, status).
    #[arg(long, value_name = "SPEC")]
    pub json_fields: Option<String>,
    /// What names a client: ip, header:NAME, path:/TEMPLATE/{x}/..., field:NAME, all.
    #[arg(long, default_value = "ip", value_name = "EXPR")]
    pub client: String,
    /// What names a tenant (same forms as --client); default: each client is its own tenant.
    #[arg(long, value_name = "EXPR")]
    pub tenant: Option<String>,
    /// Stop at the first line that does not parse (default: count it, show the first few).
    #[arg(long)]
    pub strict: bool,
    /// How many clients and tenants to list as "who gets hurt".
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Also fit each client's retry behaviour from the log (the requests that follow a 429 or
    /// 5xx on the same method and path) and show it per class.
    #[arg(long)]
    pub fit_retries: bool,
    /// How long after a refusal a request on the same route still counts as its retry.
    #[arg(long, default_value = "300s", value_name = "DURATION", value_parser = parse_window)]
    pub retry_window: limiters::Nanos,
    /// Write the tables (static_summary.csv, static_clients.csv, static_tenants.csv; with
    /// --closed-loop also closed_*.csv, .parquet beside them in a build with Parquet, and
    /// report.html) to DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also the closed-loop answer: replay the log's original requests through the simulator,
    /// each client retrying its refusals as its class's retry policy (fitted from the log)
    /// says, against every candidate.
    #[arg(long)]
    pub closed_loop: bool,
    /// The retry policy of clients the log has no refusals to learn from, as the fields of a
    /// scenario's retry table: 'policy = "exponential", base = "1s", max_attempts = 4'.
    #[arg(long, value_name = "POLICY", requires = "closed_loop")]
    pub assume_retry: Option<String>,
    /// How long the closed loop runs from the first logged request (default: to the last
    /// original request plus --retry-window).
    #[arg(long, value_name = "DURATION", value_parser = parse_window, requires = "closed_loop")]
    pub duration: Option<limiters::Nanos>,
    /// What ties a retry to the request it repeats, for the closed loop (same forms as
    /// --client: a logged request id or `Idempotency-Key`, e.g. field:request_id); default: the
    /// same method and path within --retry-window of a refusal.
    #[arg(long, value_name = "EXPR", requires = "closed_loop")]
    pub retry_key: Option<String>,
    /// Attempts (the first included) of a fitted class whose refusal chains all recovered: the
    /// log shows its longest chain, not where it gives up.
    #[arg(long, default_value_t = 10, value_name = "N", requires = "closed_loop")]
    pub unseen_attempt_cap: u32,
    /// The closed loop's seed (retry jitter, service and network times).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
}

fn parse_window(s: &str) -> Result<limiters::Nanos, String> {
    limiters::parse_duration(s).map_err(|e| e.to_string())
}

fn bad(e: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{e}"))
}

/// A candidate that is a gateway's configuration (anything but a `.toml` scenario): read
/// through the `gateways` importers exactly as a scenario's `[[server.limiters]] from = "..."`
/// reads it, into a scenario named after the file, with the default server otherwise.
fn gateway_candidate(path: &std::path::Path) -> Result<sim::model::Scenario, CliError> {
    let abs = std::path::absolute(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let quoted = |v: &str| toml::Value::String(v.to_string()).to_string();
    let text = format!(
        "name = {}\nduration = \"1m\"\n[[server.limiters]]\nfrom = {}\n\
         [fleet.clients]\ncount = 1\narrival = {{ process = \"poisson\", rate = \"1/s\" }}\n",
        quoted(&name),
        quoted(&abs.display().to_string())
    );
    sim::scenario::load_str(&path.display().to_string(), &text).map_err(|e| {
        // The wrapper's own position means nothing to the user: keep what follows it.
        let e = e.to_string();
        let first = e.lines().next().unwrap_or_default();
        let what = first
            .split_once(": from ")
            .map_or(first, |(_, w)| w.split_once("\": ").map_or(w, |(_, w)| w));
        bad(format!("--limits {}: {what}", path.display()))
    })
}

/// The candidates: each scenario, or gateway configuration (named uniquely).
fn candidates(files: &[PathBuf]) -> Result<Vec<sim::model::Scenario>, CliError> {
    let mut out: Vec<sim::model::Scenario> = Vec::new();
    for path in files {
        let is_scenario = path.extension().is_some_and(|e| e == "toml");
        let mut s: sim::model::Scenario = if is_scenario {
            sim::scenario::load_file(path).map_err(bad)?
        } else {
            gateway_candidate(path)?
        };
        if out.iter().any(|o| o.name == s.name) {
            s.name = format!("{} ({})", s.name, path.display());
        }
        out.push(s);
    }
    Ok(out)
}

/// Run `replay`.
pub fn run(args: ReplayArgs, quiet: bool) -> Result<(), CliError> {
    let parser = Parser::new(
        &args.format,
        args.log_format.as_deref(),
        args.json_fields.as_deref(),
    )
    .map_err(|e| bad(format!("--format: {e} (formats: {NAMES})")))?;
    let client = KeyExpr::parse(&args.client).map_err(|e| bad(format!("--client: {e}")))?;
    let tenant = match &args.tenant {
        Some(t) => Some(KeyExpr::parse(t).map_err(|e| bad(format!("--tenant: {e}")))?),
        None => None,
    };
    let assume = match &args.assume_retry {
        Some(t) => Some(crate::replay::closed::policy::parse_assume(t).map_err(bad)?),
        None => None,
    };
    let scenarios = candidates(&args.limits)?;
    let mut pass = StaticPass::new(
        scenarios
            .iter()
            .map(|s| (s.name.clone(), s.server.levels.clone()))
            .collect(),
    )
    .map_err(bad)?;
    let mut closed = args
        .closed_loop
        .then(crate::replay::closed::Collect::default);
    if let (Some(c), Some(k)) = (&mut closed, &args.retry_key) {
        c.retry_key = Some(KeyExpr::parse(k).map_err(|e| bad(format!("--retry-key: {e}")))?);
    }
    let mut reader = Reader {
        parser,
        client,
        tenant,
        strict: args.strict,
        tally: Tally::default(),
    };
    let mut failed = None;
    let mut fit = args.fit_retries.then(fit::Collect::default);
    for log in &args.logs {
        reader
            .read(log, |rec, c, t| {
                if failed.is_none() {
                    if let Err(e) = pass.observe(rec.time, c, t, rec.status) {
                        failed = Some(e);
                    }
                }
                if let Some(fit) = &mut fit {
                    let id = pass.clients.id(c);
                    fit.add(id, rec.time, rec);
                }
                if let Some(closed) = &mut closed {
                    closed.add(rec, c, t);
                }
            })
            .map_err(|e| match e {
                ReplayError::Io { .. } | ReplayError::Strict(_) => bad(e),
            })?;
        if let Some(e) = failed.take() {
            return Err(CliError::Failed(anyhow!("a limiter failed: {e}")));
        }
    }
    if pass.requests == 0 {
        let why = match reader.tally.shown.first() {
            Some(first) => format!(" (first bad line: {first})"),
            None => String::new(),
        };
        return Err(bad(format!(
            "no request in the logs could be read and keyed: {} lines, {} bad, {} without a \
             key; check --format and --client{why}",
            reader.tally.lines, reader.tally.bad, reader.tally.unkeyed
        )));
    }
    let mut text = out::text(&pass, &reader.tally, args.logs.len(), args.top);
    if let Some(fit) = fit {
        text.push_str(&fit::text(&fit.fit(args.retry_window), args.retry_window));
    }
    let mut looped = None;
    if let Some(collect) = closed {
        let set = loop_::Settings {
            window: args.retry_window,
            assume,
            duration: args.duration,
            seed: args.seed,
            unseen_cap: args.unseen_attempt_cap,
        };
        let r = loop_::run(collect, &scenarios, &pass, set)
            .map_err(|e| CliError::Failed(anyhow!("the closed-loop replay failed: {e}")))?;
        text.push_str(&super::replay_loop_text::text(&r, args.top));
        looped = Some(r);
    }
    if !quiet {
        super::write_stdout(&text)?;
    }
    if let Some(dir) = &args.out {
        let logs = args
            .logs
            .iter()
            .map(|l| l.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // The staged folder is made beside `dir`: a relative name without a parent needs one.
        let dir = &std::path::absolute(dir).map_err(|e| bad(format!("--out: {e}")))?;
        let written = out::write_csv(&pass, dir, |d| match &looped {
            Some(r) => super::replay_loop_out::write(r, d, &logs),
            None => Ok(()),
        })?;
        if !quiet {
            super::write_stdout(&format!("wrote {}\n", written.display()))?;
        }
    }
    Ok(())
}
