//! `throttlelab conform --gateway nginx|haproxy CONFIG`: the real gateway against the lab's model of
//! it, decision by decision (see docs/conformance.md). Exit 1 when agreement is below
//! `--min-agreement`, 2 for a bad configuration or a missing program.

use super::CliError;
use crate::conform::{self, report, Drive};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use gateways::conform::{compare, HaproxyModel, NginxModel};
use std::path::PathBuf;
use std::time::Instant;

/// Gateways `conform` can start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Gateway {
    /// nginx `limit_req` (nginx-light from Debian).
    Nginx,
    /// HAProxy stick-table `http_req_rate` deny rules (haproxy from Debian).
    Haproxy,
    /// An envoyproxy/ratelimit YAML, run by the lab's reference of ratelimit's Redis
    /// fixed-window code over a real redis-server (from Debian).
    Ratelimit,
}

/// Arguments of `conform`.
#[derive(Debug, Args)]
#[command(
    after_help = "The gateway is started on 127.0.0.1 as the current user with a generated prefix and \
configuration holding CONFIG's limits (keyed by the X-Key request header), and stopped at the end.\n\
Each decision is compared with the lab's model fed the gateway's own clock. Report: OUT/conform.json, OUT/conform.md, OUT/decisions.csv.\n\
A file whose only limit is one nginx limit_conn (or one HAProxy sc_conn_cur rule) gets a concurrency check: overlapping requests held by a backend in the lab.\n\
--gateway ratelimit runs the lab's reference of envoyproxy/ratelimit's Redis fixed windows over a redis-server it starts. See docs/conformance.md."
)]
pub struct ConformArgs {
    /// The gateway to start.
    #[arg(long, value_enum)]
    pub gateway: Gateway,
    /// Its configuration (the rate-limit directives are taken from it).
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Requests in all.
    #[arg(long, default_value_t = 10_000)]
    pub requests: u64,
    /// Independent request streams (one connection and key set each, run concurrently).
    #[arg(long, default_value_t = 10)]
    pub streams: u32,
    /// Seed of the request schedules.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The program to run (default: /usr/sbin/nginx, /usr/sbin/haproxy, or for ratelimit
    /// the Redis server /usr/bin/redis-server).
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// Folder for conform.json and conform.md.
    #[arg(long, default_value = "conform-out")]
    pub out: PathBuf,
    /// Fail (exit 1) below this agreement, in percent.
    #[arg(long, default_value_t = 99.9)]
    pub min_agreement: f64,
    /// nginx: enforce `limit_req` delays (no dry run) and compare the time nginx held each
    /// delayed request (`$request_time`) with the model's delay; writes OUT/delays.json.
    #[arg(long)]
    pub measure_delays: bool,
    /// Tolerance of --measure-delays: measured - predicted must be in 0..=this many ms.
    #[arg(long, default_value_t = 2)]
    pub delay_tolerance_ms: u64,
    /// ratelimit: remember over-limit keys in process (LOCAL_CACHE_SIZE_IN_BYTES > 0).
    #[arg(long)]
    pub local_cache: bool,
    /// ratelimit: STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT (only the counters a request puts
    /// over the limit are incremented).
    #[arg(long)]
    pub stop_increment_when_overlimit: bool,
}

fn bad(e: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{e}"))
}

/// `throttlelab conform`.
pub fn run(args: ConformArgs, quiet: bool) -> Result<(), CliError> {
    if args.streams == 0 || args.requests == 0 {
        return Err(bad("--requests and --streams must be at least 1"));
    }
    let display = args.config.display().to_string();
    let text = sim::scenario::read_file(&args.config).map_err(bad)?;
    let drive = Drive {
        requests: args.requests,
        streams: args.streams,
        seed: args.seed,
    };
    let started = Instant::now();
    let (name, default_binary) = match args.gateway {
        Gateway::Nginx => ("nginx", conform::nginx::DEFAULT_BINARY),
        Gateway::Haproxy => ("haproxy", conform::haproxy::DEFAULT_BINARY),
        Gateway::Ratelimit => ("ratelimit", conform::ratelimit::server::DEFAULT_REDIS),
    };
    let binary = args.binary.clone().unwrap_or_else(|| default_binary.into());
    let program = |_: ()| -> Result<String, CliError> {
        if !binary.exists() {
            return Err(bad(format!(
                "{} not found: install it (apt-get install -y nginx-light haproxy) or pass --binary",
                binary.display()
            )));
        }
        Ok(version(&binary))
    };
    let failed = |e: String| CliError::Failed(anyhow!(e));
    let (c, mode, version, seen) = match args.gateway {
        Gateway::Nginx => {
            let all = gateways::nginx::read(&display, &text).map_err(bad)?;
            let limits = all.req;
            if limits.is_empty() {
                // a concurrency check: the one limit_conn, overlapping held requests
                let [conn] = all.conn.as_slice() else {
                    return Err(bad(format!(
                        "{display}: no limit_req, and {} limit_conn directives: conform checks \
                         the limit_req directives, or else exactly one limit_conn",
                        all.conn.len()
                    )));
                };
                let version = program(())?;
                let per = drive.requests.div_ceil(u64::from(drive.streams));
                let plans: Vec<_> = (0..drive.streams)
                    .map(|i| conform::conn::plan(drive.seed, i, per, conn.max))
                    .collect();
                let held = conform::nginx_conn::run(&binary, conn, &plans).map_err(failed)?;
                let c = gateways::conform_conn::compare_concurrency(&held, conn.max);
                let seen = held.into_iter().map(|h| h.observation).collect();
                (c, "limit_conn, enforcing, held requests", version, seen)
            } else {
                let model = NginxModel::new(&limits).map_err(bad)?;
                let version = program(())?;
                // the fastest per-key interval of the limits, in microseconds
                let interval_us = limits
                    .iter()
                    .filter_map(|l| limiters::nginx_rate(&l.rate).ok())
                    .map(|milli| (1_000_000_000 / milli.max(1)) as u64)
                    .min()
                    .unwrap_or(1000);
                let running =
                    conform::nginx::start(&binary, &limits, args.measure_delays).map_err(failed)?;
                let seen = conform::drive(running.port, &drive, interval_us, conform::nginx::read)
                    .map_err(failed)?;
                drop(running);
                if args.measure_delays {
                    let d = gateways::conform_delay::compare_delays(
                        &seen,
                        &model,
                        args.delay_tolerance_ms,
                    );
                    conform::report_delay::write_delays(&args.out, &d).map_err(failed)?;
                    if !quiet {
                        super::write_stdout(&conform::report_delay::delay_summary(&d))?;
                    }
                }
                let mode = if args.measure_delays {
                    "enforcing, delays measured"
                } else if conform::nginx::delays(&limits) {
                    "dry run (same decisions, no delay timer)"
                } else {
                    "enforcing"
                };
                (compare(&seen, || model.clone()), mode, version, seen)
            }
        }
        Gateway::Haproxy => {
            let rules = gateways::haproxy::read(&display, &text).map_err(bad)?.rules;
            let model = HaproxyModel::new(&rules).map_err(bad)?;
            if model.tables() == 0 {
                // a concurrency check: one conn_cur rule, overlapping held requests
                let Some(rule) = conform::haproxy_conn::the_rule(&rules) else {
                    return Err(bad(format!(
                        "{display}: no http_req_rate deny rule, and not exactly one conn_cur \
                         rule: conform checks the rate rules, or else one conn_cur rule"
                    )));
                };
                let version = program(())?;
                let held =
                    conform::haproxy_conn::run(&binary, rule, &conn_plans(&drive, rule.limit))
                        .map_err(failed)?;
                let c = gateways::conform_conn::compare_concurrency(&held, rule.limit.max(1));
                let seen = held.into_iter().map(|h| h.observation).collect();
                (c, "conn_cur, enforcing, held requests", version, seen)
            } else {
                if model.tables() > 3 {
                    return Err(bad(format!(
                        "{display}: more than 3 tables to track (sc0..sc2)"
                    )));
                }
                let version = program(())?;
                let interval_us = rules
                    .iter()
                    .filter_map(|r| match r.counter {
                        gateways::haproxy::Counter::HttpReqRate(p) => {
                            Some(p * 1000 / (r.limit + 1))
                        }
                        gateways::haproxy::Counter::ConnCur => None,
                    })
                    .min()
                    .unwrap_or(1000);
                let running = conform::haproxy::start(&binary, &rules).map_err(failed)?;
                let seen =
                    conform::drive(running.port, &drive, interval_us, conform::haproxy::read)
                        .map_err(failed)?;
                drop(running);
                (compare(&seen, || model.clone()), "enforcing", version, seen)
            }
        }
        Gateway::Ratelimit => {
            use conform::ratelimit::{reference::Options, run, RunError};
            let opts = Options {
                local_cache: args.local_cache,
                stop_increment_when_overlimit: args.stop_increment_when_overlimit,
            };
            let o = run(&display, &text, &drive, &binary, opts).map_err(|e| match e {
                RunError::Bad(m) => bad(m),
                RunError::Failed(m) => failed(m),
            })?;
            (o.comparison, o.mode, version(&binary), o.seen)
        }
    };
    let header = report::Header {
        gateway: name,
        version,
        config: display.clone(),
        command: format!(
            "throttlelab conform --gateway {name} {display} --requests {} --streams {} --seed {}{}{}",
            args.requests,
            args.streams,
            args.seed,
            if args.local_cache { " --local-cache" } else { "" },
            if args.stop_increment_when_overlimit {
                " --stop-increment-when-overlimit"
            } else {
                ""
            }
        ),
        streams: args.streams,
        seed: args.seed,
        mode,
        seconds: started.elapsed().as_secs_f64(),
    };
    report::write(&args.out, &header, &c, &seen).map_err(|e| CliError::Failed(anyhow!(e)))?;
    if !quiet {
        super::write_stdout(&report::summary(&header, &c, 20))?;
    }
    if 100.0 * c.agreement() < args.min_agreement {
        return Err(CliError::Failed(anyhow!(
            "agreement {:.4}% is below --min-agreement {}%",
            100.0 * c.agreement(),
            args.min_agreement
        )));
    }
    Ok(())
}

/// The streams of a concurrency check with `max` requests at once per key.
fn conn_plans(drive: &Drive, max: u64) -> Vec<Vec<conform::conn::Planned>> {
    let per = drive.requests.div_ceil(u64::from(drive.streams));
    (0..drive.streams)
        .map(|i| conform::conn::plan(drive.seed, i, per, max))
        .collect()
}

/// The program's version line (`nginx -v` writes it to stderr, `haproxy -v` to stdout).
fn version(binary: &std::path::Path) -> String {
    std::process::Command::new(binary)
        .arg("-v")
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stderr).to_string()
                + &String::from_utf8_lossy(&o.stdout);
            text.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_default()
}
