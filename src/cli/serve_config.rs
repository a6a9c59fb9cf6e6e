//! `serve`'s arguments and the live server's configuration built from them (and from a
//! scenario file): levels, backend, keys and their secrets. `serve` (one server) and
//! `serve_deployment` (a replica of a `[deployment]`, or the parent that starts them) both
//! build on it.

use super::CliError;
use crate::live::backend::parse_service_time;
use crate::live::config::{BackendConfig, Level, LiveConfig, OnStoreError, StoreConfig};
use crate::live::envelope::Envelope;
use crate::live::identities::identities;
use crate::live::keys::{issue, Secrets};
use crate::live::scenario::server_part;
use anyhow::anyhow;
use clap::Args;
use limiters::headers::RetryAfterFormat;
use limiters::{parse_duration, Nanos, Registry};
use sim::model::{Fault, FaultKind};
use std::time::Duration;

/// Most keys (and orgs) `--keys` (`--orgs`) may generate.
const MAX_KEYS: usize = 1_000_000;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Take the limiter levels, header dialect, `Retry-After` form and backend from this
    /// scenario file's `[server]` section (instead of `--limiter`, `--dialect`, `--retry-after`,
    /// `--workers`, `--queue`, `--service-time`).
    #[arg(long)]
    pub scenario: Option<std::path::PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free port; the bound address is printed first).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Serve N API keys, labelled `key-0 .. key-(N-1)` in limits and metrics; each gets a
    /// random secret (printed after the address, or written to --keys-out).
    #[arg(long, default_value_t = 4)]
    pub keys: usize,
    /// Write the keys' secrets to this file (`<label> <secret>` lines, mode 0600) instead of
    /// printing them; `load --keys-file` reads it.
    #[arg(long, value_name = "FILE")]
    pub keys_out: Option<std::path::PathBuf>,
    /// Take the keys' secrets from this file (`<label> <secret>` lines, as --keys-out writes)
    /// instead of issuing new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "keys_out")]
    pub keys_file: Option<std::path::PathBuf>,
    /// Spread the keys round-robin over this many orgs (tenants) `org-0 ..`.
    #[arg(long, default_value_t = 2)]
    pub orgs: usize,
    /// A limiter level, repeatable: `[scope:]algorithm k=v ...` with scope global, key (default)
    /// or org, any algorithm of `throttlelab list`, and optional `status=402` for credit levels.
    /// Example: `--limiter "key:token_bucket rate=10/s burst=20"`.
    #[arg(long = "limiter")]
    pub limiters: Vec<String>,
    /// Rate-limit header dialect (x-ratelimit-delta, x-ratelimit-epoch, x-ratelimit-epoch-ms,
    /// ietf, ietf-draft07, x-quota-monthly).
    #[arg(long, default_value = "x-ratelimit-delta")]
    pub dialect: String,
    /// `Retry-After` as `seconds` or `http-date`.
    #[arg(long, default_value = "seconds")]
    pub retry_after: String,
    /// Error body shape: seed000 .. seed004 (see docs/live-mode.md).
    #[arg(long, default_value = "seed002")]
    pub envelope: String,
    /// Backend workers (requests served at once).
    #[arg(long, default_value_t = 64)]
    pub workers: usize,
    /// Requests that may wait for a worker; beyond, 503.
    #[arg(long, default_value_t = 256)]
    pub queue: usize,
    /// Deadline from admission to answer (queue wait + service); beyond, 504 and the service
    /// is cancelled. Default 30s; with `--scenario`, the scenario's `[server.backend]`
    /// `deadline` (none if it sets none), which this flag replaces when given.
    #[arg(long)]
    pub deadline: Option<String>,
    /// Service time: `5ms`, `exponential 20ms` (mean) or `uniform 1ms 10ms`.
    #[arg(long, default_value = "0s")]
    pub service_time: String,
    /// Probability that an admitted request fails with 500 (a fault window over the whole run;
    /// a scenario's `[[faults]]` windows add outages, error rates, latency spikes, capacity
    /// drops, counted from server start).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Largest request body in bytes; larger gets 413.
    #[arg(long, default_value_t = 64 * 1024)]
    pub max_body: usize,
    /// Close a connection whose request head (line and headers) is not complete within this
    /// time, and answer 408 to a body that takes longer (slow clients); heads over 64 KiB get
    /// 431.
    #[arg(long, default_value = "10s")]
    pub header_timeout: String,
    /// How long an idempotent response is kept for replay.
    #[arg(long, default_value = "24h")]
    pub idempotency_ttl: String,
    /// Stored idempotent responses kept per tenant (its oldest are evicted past it; other
    /// tenants' traffic never evicts them).
    #[arg(long, default_value_t = 10_000)]
    pub idempotency_capacity: usize,
    /// Limiter state: `memory` or `redis://127.0.0.1:6379`.
    #[arg(long, default_value = "memory")]
    pub store: String,
    /// Accept API keys that were not configured, as a public API's free tier: each is a client
    /// (and org) of its own, limited by every key and org level like a configured key. Their
    /// states are kept in bounded memory (`--max-keys` per level, the memory store; with
    /// Redis, keys expire there).
    #[arg(long)]
    pub open_registration: bool,
    /// With `--open-registration`: at most this many unconfigured keys' states per level; a
    /// new key in a full store evicts the least recently used one.
    #[arg(long, default_value_t = 100_000)]
    pub max_keys: usize,
    /// With `--open-registration`: a key unused this long whose limiter is back to full
    /// capacity is dropped (exact: a full limiter is a new one).
    #[arg(long, default_value = "60s")]
    pub idle_after: String,
    /// When Redis does not answer: fail-open, fail-closed or local (in-memory limits).
    #[arg(long, default_value = "fail-closed")]
    pub on_store_error: String,
    /// With `--on-store-error fail-closed`: refuse with this status and no `Retry-After`, as
    /// Envoy's rate limit filter answers its `status_on_error` (default: 503 with
    /// `Retry-After: 1`).
    #[arg(long, value_name = "STATUS", value_parser = clap::value_parser!(u16).range(400..=599))]
    pub status_on_error: Option<u16>,
    /// Timeout of one Redis call.
    #[arg(long, default_value = "250ms")]
    pub store_timeout: String,
    /// At most this many open connections: past it the one idle longest is closed, and when
    /// all are busy a newcomer gets 503 (kept 64 under the open-file limit, which `serve`
    /// raises to its hard maximum at start).
    #[arg(long, default_value_t = 4096)]
    pub max_connections: usize,
    /// Serve `/metrics` (and `/healthz`) on this address, e.g. `127.0.0.1:9100`, instead of
    /// the API's port, where `/metrics` is then 404 (clients of the API never see it).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `/metrics` answers 401 unless the request carries `Authorization: Bearer <TOKEN>`.
    #[arg(long, value_name = "TOKEN")]
    pub metrics_token: Option<String>,
    /// Seed of the backend's service-time and fault draws, split into streams as the simulator
    /// splits its seed (default: the scenario's seed, or 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write one JSON line per answered request to FILE (time of arrival, key, tenant, status,
    /// Retry-After, the load client's request id and attempt): what `replay --format json`
    /// reads (docs/replay.md).
    #[arg(long, value_name = "FILE")]
    pub access_log: Option<std::path::PathBuf>,
    /// With a scenario that has a `[deployment]`: the balancer (HAProxy) binary that `serve`
    /// starts in front of the replicas (see docs/deployments.md, "Live").
    #[arg(long, value_name = "PATH", default_value = crate::live::deployment::haproxy::BINARY)]
    pub haproxy: std::path::PathBuf,
    /// Internal: serve as replica I of the scenario's `[deployment]` (started by `serve`
    /// itself; exits when its stdin closes).
    #[arg(long, hide = true, requires = "scenario")]
    pub replica: Option<u32>,
    /// Internal: the prefix of the Redis keys (a deployment's own).
    #[arg(long, hide = true, default_value = "throttlelab")]
    pub store_prefix: String,
}

fn duration(flag: &str, text: &str) -> Result<Duration, CliError> {
    parse_duration(text)
        .map(Duration::from)
        .map_err(|e| CliError::BadInput(anyhow!("--{flag}: {e}")))
}

/// `--error-rate p` as a fault window: 500 with probability `p` over the whole run.
fn error_rate_fault(p: f64) -> Result<Option<Fault>, CliError> {
    if !(0.0..=1.0).contains(&p) {
        return Err(CliError::BadInput(anyhow!(
            "--error-rate must be within [0, 1], got {p}"
        )));
    }
    Ok((p > 0.0).then_some(Fault {
        start: Nanos::ZERO,
        duration: Nanos::MAX,
        kind: FaultKind::ErrorRate {
            status: 500,
            rate: p,
        },
    }))
}

/// `--max-connections`, after raising the open-file limit, kept under it (said on stderr when
/// that lowers it).
fn connection_cap(wanted: usize) -> usize {
    use crate::live::conns::{effective_cap, raise_nofile};
    let nofile = raise_nofile();
    let cap = effective_cap(wanted, nofile);
    if let (true, Some(n)) = (cap < wanted, nofile) {
        errln!(
            "throttlelab serve: at most {cap} connections, not {wanted}: the open-file limit \
             is {n} and cannot be raised"
        );
    }
    cap
}

/// Build the configuration from flags (every error is bad input: exit code 2), with the
/// keys' secrets (issued, or read from `--keys-file`).
pub fn config(args: &ServeArgs) -> Result<(LiveConfig, RetryAfterFormat, Secrets), CliError> {
    let bad = CliError::BadInput;
    // Every generated key is allocated up front (100,000,000 took 9.8 GB).
    if args.keys > MAX_KEYS || args.orgs > MAX_KEYS {
        return Err(bad(anyhow!(
            "--keys {} / --orgs {}: at most {MAX_KEYS} generated keys and orgs",
            args.keys,
            args.orgs
        )));
    }
    let registry = Registry::builtin();
    let levels = args
        .limiters
        .iter()
        .map(|s| Level::parse(s, &registry))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(bad)?;
    let envelope = Envelope::parse(&args.envelope).ok_or_else(|| {
        bad(anyhow!(
            "--envelope `{}`: expected seed000, seed001, seed002, seed003 or seed004",
            args.envelope
        ))
    })?;
    let retry_after: RetryAfterFormat = args
        .retry_after
        .parse()
        .map_err(|e| bad(anyhow!("--retry-after: {e}")))?;
    let store = if args.store == "memory" {
        StoreConfig::Memory
    } else if args.store.starts_with("redis://") {
        StoreConfig::Redis {
            url: args.store.clone(),
            on_error: OnStoreError::parse(&args.on_store_error).map_err(bad)?,
            timeout: duration("store-timeout", &args.store_timeout)?,
            prefix: args.store_prefix.clone(),
            closed_status: args.status_on_error,
        }
    } else {
        return Err(bad(anyhow!(
            "--store `{}`: expected `memory` or a redis:// URL",
            args.store
        )));
    };
    let mut config = LiveConfig {
        port: args.port,
        keys: LiveConfig::generated_keys(args.keys, args.orgs).map_err(bad)?,
        levels,
        dialect: args.dialect.clone(),
        envelope,
        max_body: args.max_body,
        header_timeout: duration("header-timeout", &args.header_timeout)?,
        idempotency_ttl: duration("idempotency-ttl", &args.idempotency_ttl)?,
        idempotency_capacity: args.idempotency_capacity,
        backend: BackendConfig {
            workers: args.workers,
            queue: args.queue,
            deadline: Some(duration(
                "deadline",
                args.deadline.as_deref().unwrap_or("30s"),
            )?),
            queue_timeout: None,
            service_time: parse_service_time(&args.service_time).map_err(bad)?,
            faults: error_rate_fault(args.error_rate)?.into_iter().collect(),
            upstreams: Vec::new(),
            seed: args.seed.unwrap_or(0),
        },
        store,
        max_connections: connection_cap(args.max_connections),
        metrics_addr: args.metrics_addr,
        metrics_token: args.metrics_token.clone(),
        open_keys: match args.open_registration {
            false => None,
            true if args.max_keys == 0 => {
                return Err(bad(anyhow!("--max-keys must be at least 1")));
            }
            true => Some(crate::live::config::OpenKeys {
                max_keys: args.max_keys,
                idle_after: duration("idle-after", &args.idle_after)?,
            }),
        },
        arrival_header: false,
    };
    let mut retry_after = retry_after;
    if let Some(path) = &args.scenario {
        if !args.limiters.is_empty() {
            return Err(bad(anyhow!(
                "--limiter and --scenario both set the limiter levels: use one"
            )));
        }
        let scenario = sim::scenario::load_file(path).map_err(|e| bad(anyhow!("{e}")))?;
        let flag = match &args.deadline {
            Some(d) => Some(duration("deadline", d)?),
            None => None,
        };
        let part = server_part(&scenario, flag, &config.backend.faults);
        for what in &part.ignored {
            errln!(
                "throttlelab serve: {}: not honoured live: {what}",
                path.display()
            );
        }
        // the scenario's clients as keys (`load --scenario` sends them), then any further
        // `--keys` tokens
        let ids = identities(&scenario);
        for c in &ids.caveats {
            errln!("throttlelab serve: {}: {c}", path.display());
        }
        let generated = std::mem::replace(&mut config.keys, ids.keys);
        for (token, id) in generated {
            config.keys.entry(token).or_insert(id);
        }
        config.levels = part.levels;
        config.dialect = part.dialect;
        config.backend = part.backend;
        if let Some(seed) = args.seed {
            config.backend.seed = seed;
        }
        retry_after = part.retry_after;
    }
    if let Some(t) = &args.metrics_token {
        let min = crate::live::scrape::MIN_TOKEN_LEN;
        if t.len() < min || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad(anyhow!(
                "--metrics-token must be at least {min} visible ASCII characters"
            )));
        }
    }
    // the labels above name the keys; clients present their secrets
    let secrets = match &args.keys_file {
        Some(path) => Secrets::read(path).map_err(bad)?,
        None => issue(config.keys.keys()),
    };
    let roster = std::mem::take(&mut config.keys);
    config.keys = secrets.secure(roster).map_err(|e| match &args.keys_file {
        Some(path) => bad(anyhow!("{}: {e}", path.display())),
        None => bad(e),
    })?;
    Ok((config, retry_after, secrets))
}
