//! The live half of `check-live` for a scenario with a `[deployment]`: the replicas as
//! `serve --replica I` processes behind HAProxy (`crate::live::deployment::fleet`, exactly
//! what `serve --scenario` starts), driven through the balancer's port by the `load` fleet
//! with the same seed and horizon as the simulated run. The server's admitted count is the sum
//! over the replicas' `/metrics`, and each replica's attempts (its answered API requests) and
//! admissions come from its own, so the balancer's spread is measured as simulated; the
//! over-admission figures come from the clients' log (`crate::live::load::deployment`).

use super::live_side::{DeploymentSource, LiveSide};
use crate::live::deployment::{fleet, plan};
use crate::live::identities::identities;
use crate::live::keys::issue;
use crate::live::load::{run_scenario_with, LoadOptions};
use crate::live::scenario::server_part;
use crate::recorded::figures::counter_from_metrics;
use anyhow::{anyhow, Context, Result};
use sim::model::Scenario;
use std::sync::Arc;

/// Counters summed over the replicas (the first lines of the combined `/metrics` text).
const SUMMED: [&str; 2] = [
    "throttlelab_admitted_total",
    "throttlelab_duplicates_executed_total",
];

/// Run `scenario`'s deployment live for its duration with `seed`.
pub async fn run(
    scenario: &Scenario,
    seed: u64,
    progress: bool,
    source: &DeploymentSource,
) -> Result<LiveSide> {
    let p = plan(scenario).map_err(|e| anyhow!("{}: {e}", scenario.name))?;
    let redis = match (p.needs_redis(), &source.store) {
        (false, _) => None,
        (true, Some(url)) if url.starts_with("redis://") => Some(url.clone()),
        (true, _) => {
            anyhow::bail!(
                "{}: the deployment has central or synced levels, whose state lives in Redis: \
                 give --store redis://HOST:PORT",
                scenario.name
            )
        }
    };
    let ids = identities(scenario);
    let secrets = issue(ids.keys.keys());
    let dir = std::env::temp_dir().join(format!(
        "throttlelab-check-deployment-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let keys_file = dir.join("keys");
    secrets.write(&keys_file)?;
    let d = scenario.deployment.clone().expect("plan() checked it");
    let opts = fleet::Options {
        scenario: source.file.clone(),
        keys_file,
        redis,
        prefix: format!("throttlelab:check:{:016x}", rand::random::<u64>()),
        seed: Some(seed),
        port: 0,
        haproxy: source.haproxy.clone(),
        extra: Vec::new(),
    };
    let started = tokio::task::spawn_blocking(move || {
        fleet::start(p.replicas, &d.balancer, d.health_check_delay.into(), &opts)
    })
    .await
    .context("starting the deployment")?;
    let fleet = match started {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            anyhow::bail!("starting the deployment: {e}");
        }
    };
    let mut load = LoadOptions::new(scenario);
    load.seed = seed;
    load.secrets = Some(Arc::new(secrets));
    load.progress = progress;
    tokio::time::sleep(until_aligned(scenario)).await;
    let run = run_scenario_with(scenario, &fleet.base(), &load, None).await;
    let texts = replica_texts(&fleet.replica_ports()).await;
    let metrics = combined(&texts);
    let _ = tokio::task::spawn_blocking(move || drop(fleet)).await;
    let _ = std::fs::remove_dir_all(&dir);
    let mut run = run?;
    if let (Some(fig), Some((attempts, admitted))) =
        (run.result.deployment.as_mut(), per_replica(&texts))
    {
        fig.replica_jain = sim::server::deployment::replica_jain(&attempts);
        fig.attempts_per_replica = attempts;
        fig.admitted_per_replica = admitted;
    }
    let mut warnings: Vec<String> = server_part(scenario, None, &[])
        .ignored
        .into_iter()
        .chain(ids.caveats)
        .filter(|w| !w.contains("network delay"))
        .collect();
    for w in &run.info.warnings {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    Ok(LiveSide {
        run,
        metrics,
        warnings,
    })
}

/// Longest wait for [`until_aligned`].
const MAX_ALIGN: u64 = 10_000_000_000;

/// How long to wait so the run starts at a multiple, on the Unix clock, of the longest fixed
/// window period and sync interval of the scenario's levels (when at most 10 s): the live
/// replicas put fixed windows and sync ticks on the Unix clock, the simulator at multiples
/// from its time 0, so the run's time 0 is put on a boundary of both.
fn until_aligned(s: &Scenario) -> std::time::Duration {
    let d = s.deployment.as_ref();
    let mut period = 0u64;
    for (i, l) in s.server.levels.iter().enumerate() {
        if l.algorithm == "fixed_window" {
            if let Ok(p) = l.params.positive_duration("period") {
                period = period.max(p.0);
            }
        }
        if let Some(sim::model::Placement::Synced { interval, .. }) =
            d.and_then(|d| d.placement.get(i))
        {
            period = period.max(interval.0);
        }
    }
    if period == 0 || period > MAX_ALIGN {
        return std::time::Duration::ZERO;
    }
    let now = crate::live::respond::unix_now().as_nanos();
    std::time::Duration::from_nanos((period - now % period) % period)
}

/// Each replica's `/metrics` text (empty for one that did not answer).
async fn replica_texts(ports: &[u16]) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut texts = Vec::new();
    for p in ports {
        let text = match http
            .get(format!("http://127.0.0.1:{p}/metrics"))
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
        {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        texts.push(text);
    }
    texts
}

/// Each replica's attempts (API responses of every status) and admissions, from its
/// `/metrics`; `None` when a replica's text is missing.
fn per_replica(texts: &[String]) -> Option<(Vec<u64>, Vec<u64>)> {
    let mut attempts = Vec::with_capacity(texts.len());
    let mut admitted = Vec::with_capacity(texts.len());
    for t in texts {
        admitted.push(counter_from_metrics(t, "throttlelab_admitted_total")?);
        let answered = t
            .lines()
            .filter(|l| l.starts_with("throttlelab_responses_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.trim().parse::<u64>().ok())
            .sum();
        attempts.push(answered);
    }
    Some((attempts, admitted))
}

/// The replicas' `/metrics` as one text: first the [`SUMMED`] counters over all of them, then
/// each replica's own text under a `# replica I` line.
fn combined(texts: &[String]) -> String {
    let mut out = String::new();
    for name in SUMMED {
        let sum: u64 = texts
            .iter()
            .filter_map(|t| counter_from_metrics(t, name))
            .sum();
        out.push_str(&format!("{name} {sum}\n"));
    }
    for (i, t) in texts.iter().enumerate() {
        out.push_str(&format!("# replica {i}\n{t}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_replica_counts_its_answers_and_admissions() {
        let a = "throttlelab_admitted_total 7\nthrottlelab_responses_total{status=\"200\"} 7\n\
                 throttlelab_responses_total{status=\"429\"} 3\n";
        let b = "throttlelab_admitted_total 2\nthrottlelab_responses_total{status=\"200\"} 2\n";
        let texts = [a.to_string(), b.to_string()];
        assert_eq!(per_replica(&texts), Some((vec![10, 2], vec![7, 2])));
        assert_eq!(per_replica(&[a.to_string(), String::new()]), None);
        assert!(combined(&texts).starts_with("throttlelab_admitted_total 9\n"));
    }
}
