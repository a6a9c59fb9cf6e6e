//! `throttlelab load`: a tokio client fleet against a live server, the live counterpart of a
//! simulated run.
//!
//! The scenario's fleets are driven with the simulator's own arrival processes
//! (`sim::client::ArrivalGen`, the same per-client streams from the same seed), retry policies
//! (`sim::retry::RetryPolicy`) and fleet gates (`sim::client::gate::build_gates`: retry budgets,
//! circuit breakers, SRE adaptive throttling, AWS adaptive rate limiting) and hedging
//! (`sim::client::hedge::HedgeRt`, see [`hedge`]), with real timeouts and real header parsing
//! (see [`client`]). What the clients observe is replayed into the
//! simulator's recorder and assembled into the same `sim::RunResult` a simulated run returns
//! ([`record`]), so [`write_live_run`] writes the same files in the same layout and
//! `throttlelab report` works on them.
//!
//! Bounds: the horizon (`duration`, at most the scenario's): no arrival, attempt or retry
//! starts at or after it and nothing observed after it is counted, as in the simulator; an
//! attempt cap (`max_requests`) that ends the run early when reached; at most
//! [`MAX_CLIENTS`] clients; and no target off this machine unless `allow_remote`.
//!
//! The scenario's network delay is slept by the client on both legs of every attempt, with
//! the simulator's draws ([`network`]), unless `network_delay` is off (`load
//! --real-network`: then it is reported in [`LiveInfo::warnings`]).

mod attempt;
pub mod blast;
mod client;
mod closed;
pub mod deployment;
pub mod gauges;
mod hedge;
mod jitter;
mod network;
mod options;
mod progress;
mod record;
mod task;
mod waiters;

pub use crate::recorded::{write_live_run, LiveInfo, LiveRun};
pub use options::LoadOptions;
use record::Log;
use task::ClientTask;

use crate::live::identities::{client_bearer, client_token, fleet_tokens, identities};
use anyhow::{anyhow, bail, Result};
use client::Shared;
use limiters::Nanos;
use sim::client::ArrivalGen;
use sim::engine::{name_hash, Purpose, Stream};
use sim::model::{Fleet, Scenario};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most clients one run may drive.
pub const MAX_CLIENTS: u64 = 10_000;

/// Accept only loopback targets (127.0.0.0/8, `localhost`, `::1`) unless `allow_remote`.
pub fn check_target(target: &str, allow_remote: bool) -> Result<reqwest::Url> {
    let url = reqwest::Url::parse(target).map_err(|e| anyhow!("--target `{target}`: {e}"))?;
    if url.scheme() != "http" {
        bail!("--target `{target}`: only http:// is supported");
    }
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback && !allow_remote {
        bail!(
            "--target `{target}` is not a loopback address (127.0.0.0/8, localhost, ::1); \
             load only goes elsewhere with --allow-remote"
        );
    }
    Ok(url)
}

/// What the scenario asks of a client that live mode does not do with `opts`.
pub fn unsupported(s: &Scenario, opts: &LoadOptions) -> Vec<String> {
    let mut out = Vec::new();
    if !s.network.delay.is_zero() && !opts.network_delay {
        out.push("the network delay is not added (the network is real)".to_string());
    }
    out
}

/// The bearer token of client `i` of `fleet`, whose key numbers start at `offset`: the secret
/// of the key labelled as the scenario labels it (one per key and tenant, see
/// [`client_bearer`]) or as `serve --keys n` does; the label itself without `secrets`.
fn bearer_of(fleet: &Fleet, offset: u32, i: u32, opts: &LoadOptions) -> Result<String> {
    let label = token_of(fleet, offset, i, opts.tokens);
    match &opts.secrets {
        None => Ok(label),
        Some(s) => s.get(&label).map(str::to_string).ok_or_else(|| {
            anyhow!(
                "the keys file has no secret for `{label}` (fleet `{}`)",
                fleet.name
            )
        }),
    }
}

/// The label of client `i`'s key (see [`bearer_of`]).
fn token_of(fleet: &Fleet, offset: u32, i: u32, tokens: Option<u32>) -> String {
    match tokens {
        None => client_bearer(fleet, offset, i),
        Some(n) => format!(
            "key-{}",
            offset.saturating_add(client_token(fleet, i)) % n.max(1)
        ),
    }
}

/// Drive `scenario`'s fleets against the server at `target` (e.g. `http://127.0.0.1:8080`),
/// scraping the target's `/metrics` once per bucket for the server's gauges.
pub async fn run_scenario(
    scenario: &Scenario,
    target: &str,
    opts: &LoadOptions,
) -> Result<LiveRun> {
    run_scenario_with(scenario, target, opts, None).await
}

/// [`run_scenario`], reading the server's gauges from `source` (`None`: scrape the target).
pub async fn run_scenario_with(
    scenario: &Scenario,
    target: &str,
    opts: &LoadOptions,
    source: Option<gauges::Source>,
) -> Result<LiveRun> {
    let base = check_target(target, opts.allow_remote)?;
    let clients: u64 = scenario.fleets.iter().map(|f| u64::from(f.count)).sum();
    if clients > MAX_CLIENTS {
        bail!("{clients} clients: load drives at most {MAX_CLIENTS}");
    }
    if scenario.fleets.len() > usize::from(u16::MAX) {
        bail!("too many fleets");
    }
    let horizon = Nanos::from(opts.duration).min(scenario.duration);
    // every client's bearer token first: a missing secret fails the run before it starts
    let mut bearers = Vec::new();
    let mut offset = 0u32;
    for fleet in &scenario.fleets {
        for i in 0..fleet.count {
            bearers.push(bearer_of(fleet, offset, i, opts)?);
        }
        offset = offset.saturating_add(fleet_tokens(fleet));
    }
    let mut bearers = bearers.into_iter();
    let url = base
        .join("/v1/work")
        .map_err(|e| anyhow!("target `{target}`: {e}"))?;
    let denials: Vec<u16> = scenario.server.levels.iter().map(|l| l.status).collect();
    let source = source
        .or_else(|| {
            let url = match &opts.metrics_url {
                Some(u) => u.clone(),
                None => base.join("/metrics").ok()?,
            };
            gauges::Source::scrape(url, opts.metrics_token.clone())
        })
        .map(Arc::new);
    let samples = Arc::new(Mutex::new(gauges::Samples::default()));
    let first = match &source {
        Some(src) => src.read().await,
        None => None,
    };
    let reads_server = first.is_some();
    samples.lock().unwrap_or_else(|p| p.into_inner()).start = first;
    let start = Instant::now();
    let sampler = source.as_ref().filter(|_| reads_server).map(|src| {
        tokio::spawn(gauges::sample_edges(
            Arc::clone(src),
            start,
            scenario.bucket,
            horizon,
            Arc::clone(&samples),
        ))
    });
    let shared = Arc::new(Shared {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()
            .map_err(|e| anyhow!("HTTP client: {e}"))?,
        url: url.to_string(),
        verdicts: scenario.deployment.is_some(),
        budget: AtomicU64::new(opts.max_requests),
        exhausted: AtomicBool::new(false),
        log: Log::new(start, horizon),
        gates: scenario
            .fleets
            .iter()
            .map(|f| sim::client::gate::build_gates(&f.gates).map(Mutex::new))
            .collect(),
        waiters: scenario.fleets.iter().map(|_| Default::default()).collect(),
        hedges: scenario
            .fleets
            .iter()
            .map(|f| {
                f.hedge
                    .map(|h| Mutex::new(sim::client::hedge::HedgeRt::new(h)))
            })
            .collect(),
        denials,
        requests: AtomicU32::new(0),
        body_salts: scenario
            .fleets
            .iter()
            .map(|f| sim::server::idempotency::body_salt(opts.seed, &f.name))
            .collect(),
        upstreams: scenario
            .server
            .upstreams
            .iter()
            .map(|u| u.name.clone())
            .collect(),
        network: opts
            .network_delay
            .then(|| network::Network::new(scenario, opts.seed))
            .flatten(),
    });
    let mut tasks = tokio::task::JoinSet::new();
    let mut offset = 0u32;
    let mut global = 0u32;
    for (fi, fleet) in scenario.fleets.iter().enumerate() {
        let fleet = Arc::new(fleet.clone());
        let gen = Arc::new(ArrivalGen::new(&fleet.arrival));
        let h = name_hash(&fleet.name);
        for i in 0..fleet.count {
            let task = ClientTask {
                shared: Arc::clone(&shared),
                fleet: Arc::clone(&fleet),
                gen: Arc::clone(&gen),
                fi: fi as u16,
                client: global,
                index: i,
                token: bearers.next().unwrap_or_default(),
                arrivals: Stream::derive_hashed(opts.seed, Purpose::Arrivals, h, u64::from(i)),
                jitter: Stream::derive_hashed(opts.seed, Purpose::Jitter, h, u64::from(i)),
            };
            tasks.spawn(task.run());
            global += 1;
        }
        offset = offset.saturating_add(fleet_tokens(&fleet));
    }
    // Run to the horizon, or until the attempt cap is reached.
    let end = start + Duration::from(horizon);
    let mut truncated_at = None;
    let bar = progress::LiveProgress::new(opts.progress, &scenario.name, Duration::from(horizon));
    while Instant::now() < end {
        let left = shared.budget.load(Ordering::Relaxed);
        bar.update(start.elapsed(), opts.max_requests.saturating_sub(left));
        if shared.exhausted.load(Ordering::SeqCst) {
            truncated_at = Some(shared.log.now());
            break;
        }
        tokio::time::sleep(
            Duration::from_millis(5).min(end.saturating_duration_since(Instant::now())),
        )
        .await;
    }
    if let (Some(sampler), Some(src)) = (sampler, &source) {
        // the horizon's reading, before the clients' connections close
        sampler.abort();
        let end = src.read().await;
        samples.lock().unwrap_or_else(|p| p.into_inner()).end = end;
    }
    bar.finish();
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    let wall = start.elapsed();
    let covered = truncated_at.map_or(horizon, |t| t.max(Nanos(1)).min(horizon));
    let mut feed = gauges::Feed::new(
        &samples.lock().unwrap_or_else(|p| p.into_inner()),
        scenario.bucket,
    );
    let result = record::assemble(scenario, opts.seed, covered, &shared.log, &mut feed);
    let mut warnings = unsupported(scenario, opts);
    if !reads_server {
        warnings.push(
            "the target reports no throttlelab gauges at /metrics: the time series' queue \
             length, busy workers and limiter state and the wasted work are left empty"
                .to_string(),
        );
    }
    if opts.tokens.is_none() {
        warnings.extend(identities(scenario).caveats);
    }
    Ok(LiveRun {
        result,
        info: LiveInfo {
            mode: "live",
            target: base.to_string(),
            wall_s: wall.as_secs_f64(),
            horizon_s: covered.as_secs_f64(),
            truncated: truncated_at.is_some(),
            warnings,
        },
    })
}

#[cfg(test)]
mod tests;
