//! `throttlelab serve --scenario FILE` for a scenario with a `[deployment]`: the replicas as
//! child `serve --replica I` processes behind HAProxy ([`crate::live::deployment`]), and the
//! replica's own side (`--replica I`: its share of a split limit, its store).
//!
//! The parent prints the balancer's address as `serve` prints its own
//! (`listening on http://127.0.0.1:PORT`, then the keys unless `--keys-out`), so scripts and
//! `load` use a deployment exactly as one server; it stops the balancer and the replicas on
//! Ctrl-C or SIGTERM (and they stop by themselves if it dies: see `deployment::fleet`).

use super::serve_config::{config, ServeArgs};
use super::CliError;
use crate::live::config::{LiveConfig, StoreConfig};
use crate::live::deployment::{fleet, plan, Decider, Plan};
use crate::live::store::SyncedLevel;
use anyhow::{anyhow, Context};
use sim::model::Scenario;

/// The Redis URL a plan needs, from `--store`.
fn redis_url(p: &Plan, store: &str) -> Result<Option<String>, CliError> {
    if !p.needs_redis() {
        return Ok(None);
    }
    if !store.starts_with("redis://") {
        return Err(CliError::BadInput(anyhow!(
            "the deployment has central or synced levels, whose state lives in Redis: give \
             --store redis://HOST:PORT (e.g. redis://127.0.0.1:6379)"
        )));
    }
    Ok(Some(store.to_string()))
}

/// Configure this process as replica `i` of `s`'s deployment: split levels get their share,
/// and the store is the plan's (Redis for central levels, memory with synced counters).
pub fn as_replica(
    config: &mut LiveConfig,
    s: &Scenario,
    i: u32,
    args: &ServeArgs,
) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    let p = plan(s).map_err(|e| bad(anyhow!("{e}")))?;
    if i >= p.replicas {
        return Err(bad(anyhow!(
            "--replica {i}: the deployment has {} replicas",
            p.replicas
        )));
    }
    // `[[faults]] replica = N`: a fault hits only that replica's backend. The backend's list
    // is the scenario's faults in order, then `--error-rate`'s (every replica's).
    if let Some(d) = &s.deployment {
        let mut k = 0;
        config.backend.faults.retain(|_| {
            let keep = k >= s.faults.len() || d.fault_hits(k, i);
            k += 1;
            keep
        });
    }
    for &j in &p.split {
        let l = &mut config.levels[j];
        l.params = sim::server::deployment::split_params(&l.params, p.replicas)
            .map_err(|e| bad(anyhow!("level {j}: {e}")))?;
    }
    let url = redis_url(&p, &args.store)?;
    // the load client times each verdict by the replica's clock (check-live's figures)
    config.arrival_header = true;
    config.store = match (&p.decider, url) {
        (
            Decider::Redis {
                on_error,
                timeout,
                closed_status,
            },
            Some(url),
        ) => StoreConfig::Redis {
            url,
            on_error: *on_error,
            timeout: *timeout,
            prefix: args.store_prefix.clone(),
            closed_status: Some(*closed_status),
        },
        (Decider::Memory, Some(url)) => StoreConfig::Synced {
            url,
            prefix: args.store_prefix.clone(),
            levels: p
                .synced
                .iter()
                .map(|&(index, interval, timeout)| SyncedLevel {
                    index,
                    interval,
                    timeout,
                })
                .collect(),
        },
        _ => StoreConfig::Memory,
    };
    // started by a parent `serve`: end with it (its end of our stdin closes when it exits)
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    Ok(())
}

/// The parent's flags every replica gets, so none is silently dropped; `--metrics-addr` (one
/// address for N processes) is refused.
fn forwarded(a: &ServeArgs) -> Result<Vec<String>, CliError> {
    if a.metrics_addr.is_some() {
        return Err(CliError::BadInput(anyhow!(
            "--metrics-addr names one address, and a deployment has a process per replica: \
             each serves /metrics on its own port (printed at start)"
        )));
    }
    let mut v: Vec<String> = [
        ("--keys", a.keys.to_string()),
        ("--orgs", a.orgs.to_string()),
        ("--envelope", a.envelope.clone()),
        ("--max-body", a.max_body.to_string()),
        ("--header-timeout", a.header_timeout.clone()),
        ("--idempotency-ttl", a.idempotency_ttl.clone()),
        ("--idempotency-capacity", a.idempotency_capacity.to_string()),
        ("--max-connections", a.max_connections.to_string()),
        ("--error-rate", a.error_rate.to_string()),
        ("--max-keys", a.max_keys.to_string()),
        ("--idle-after", a.idle_after.clone()),
    ]
    .into_iter()
    .flat_map(|(f, x)| [f.to_string(), x])
    .collect();
    if let Some(d) = &a.deadline {
        v.extend(["--deadline".to_string(), d.clone()]);
    }
    if let Some(t) = &a.metrics_token {
        v.extend(["--metrics-token".to_string(), t.clone()]);
    }
    if a.open_registration {
        v.push("--open-registration".to_string());
    }
    Ok(v)
}

/// Run `s`'s deployment until Ctrl-C / SIGTERM.
pub fn run(args: &ServeArgs, s: &Scenario) -> Result<(), CliError> {
    let bad = CliError::BadInput;
    let p = plan(s).map_err(|e| bad(anyhow!("{}: {e}", s.name)))?;
    let redis = redis_url(&p, &args.store)?;
    // the keys (and every other flag) checked as a replica will check them
    let (_, _, secrets) = config(args)?;
    let dir = std::env::temp_dir().join(format!(
        "throttlelab-deployment-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let keys_file = dir.join("keys");
    secrets.write(&keys_file).map_err(CliError::Failed)?;
    let d = s
        .deployment
        .as_ref()
        .expect("plan() checked the deployment");
    let opts = fleet::Options {
        scenario: args
            .scenario
            .clone()
            .expect("a deployment comes from --scenario"),
        keys_file,
        redis,
        prefix: format!("throttlelab:dep:{:016x}", rand::random::<u64>()),
        seed: args.seed,
        port: args.port,
        haproxy: args.haproxy.clone(),
        extra: forwarded(args)?,
    };
    let started = fleet::start(p.replicas, &d.balancer, d.health_check_delay.into(), &opts);
    let fleet = match started {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(CliError::Failed(anyhow!("starting the deployment: {e}")));
        }
    };
    let banner = match &args.keys_out {
        Some(path) => {
            secrets.write(path).map_err(bad)?;
            String::new()
        }
        None if args.keys_file.is_some() => String::new(),
        None => secrets.render(),
    };
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        write!(out, "listening on {}\n{banner}", fleet.base()).context("writing to stdout")?;
        out.flush().context("flushing stdout")?;
    }
    errln!(
        "throttlelab serve: {} replicas on 127.0.0.1 ports {:?} behind HAProxy ({}), {}",
        p.replicas,
        fleet.replica_ports(),
        crate::live::deployment::haproxy::balance(&d.balancer, 0).0,
        fleet.base()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(crate::live::server::shutdown_signal());
    drop(fleet);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
