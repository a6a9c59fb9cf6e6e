//! `throttlelab load`: a tokio client fleet against a live server, driven by a scenario's
//! fleets with the simulator's own arrival processes (`sim::client::ArrivalGen`) and retry
//! policies (`sim::retry`), bounded in time (`--duration`, then a grace period) and in attempts
//! (`--max-requests`), and refusing any target that is not loopback unless `--allow-remote`.
//!
//! Not driven live: client-side gates (retry budgets, breakers) and the scenario's network
//! and faults (the network is real; faults belong to the server).

mod client;
mod stats;

use anyhow::{anyhow, bail, Result};
use client::{logical, Shared};
use limiters::Nanos;
use rand::SeedableRng;
use sim::client::ArrivalGen;
use sim::engine::{name_hash, Purpose, Sampler, Stream};
use sim::model::{Arrival, Fleet, Keys, Scenario};
use stats::Stats;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most clients one run may simulate.
pub const MAX_CLIENTS: u64 = 10_000;

/// A load run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub target: String,
    /// Fleets to drive.
    pub scenario: Scenario,
    /// How long new logical requests start.
    pub duration: Duration,
    /// After `duration`, how long in-flight requests may finish.
    pub grace: Duration,
    /// At most this many attempts in the whole run.
    pub max_requests: u64,
    /// The server's keys are `key-0 .. key-(keys-1)`.
    pub keys: u32,
    /// Seed of the arrival and jitter streams.
    pub seed: u64,
    /// Allow a target that is not on this machine.
    pub allow_remote: bool,
}

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

/// The key index of client `i` of a fleet whose keys start at `offset`.
fn key_of(fleet: &Fleet, offset: u64, i: u32, keys: u32) -> String {
    let k = match fleet.keys {
        Keys::PerClient => u64::from(i),
        Keys::Shared(n) => u64::from(i % n.max(1)),
    };
    format!("key-{}", (offset + k) % u64::from(keys.max(1)))
}

/// Run the fleets; returns the JSON report.
pub async fn run(cfg: LoadConfig) -> Result<serde_json::Value> {
    let base = check_target(&cfg.target, cfg.allow_remote)?;
    let clients: u64 = cfg.scenario.fleets.iter().map(|f| u64::from(f.count)).sum();
    if clients > MAX_CLIENTS {
        bail!("{clients} clients: load drives at most {MAX_CLIENTS}");
    }
    let url = base
        .join("/v1/work")
        .map_err(|e| anyhow!("--target: {e}"))?;
    let start = Instant::now();
    let shared = Arc::new(Shared {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .map_err(|e| anyhow!("HTTP client: {e}"))?,
        url: url.to_string(),
        budget: AtomicU64::new(cfg.max_requests),
        hard_stop: start + cfg.duration + cfg.grace,
        stats: cfg
            .scenario
            .fleets
            .iter()
            .map(|_| Mutex::new(Stats::default()))
            .collect(),
    });
    let in_flight = Arc::new(AtomicUsize::new(0));
    let horizon = Nanos::from(cfg.duration);
    let mut offset = 0u64;
    for (fi, fleet) in cfg.scenario.fleets.iter().enumerate() {
        let fleet = Arc::new(fleet.clone());
        let gen = Arc::new(ArrivalGen::new(&fleet.arrival));
        for i in 0..fleet.count {
            let key = key_of(&fleet, offset, i, cfg.keys);
            let arrivals = Stream::derive(cfg.seed, Purpose::Arrivals, &fleet.name, u64::from(i));
            let jitter = name_hash(&fleet.name);
            let task = ClientTask {
                shared: Arc::clone(&shared),
                fleet: Arc::clone(&fleet),
                gen: Arc::clone(&gen),
                fi,
                i,
                key,
                seed: cfg.seed,
                jitter,
                start,
                horizon,
                in_flight: Arc::clone(&in_flight),
            };
            in_flight.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(task.run(arrivals));
        }
        offset += match fleet.keys {
            Keys::PerClient => u64::from(fleet.count),
            Keys::Shared(n) => u64::from(n),
        };
    }
    // every task ends by hard_stop (no attempt starts later, each is bounded by it)
    while in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < shared.hard_stop {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = start
        .elapsed()
        .min(cfg.duration.max(Duration::from_millis(1)));
    let mut total = Stats::default();
    let mut fleets = serde_json::Map::new();
    for (fi, f) in cfg.scenario.fleets.iter().enumerate() {
        let st = shared.stats[fi]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        total.merge(&st);
        fleets.insert(f.name.clone(), st.to_json(elapsed));
    }
    Ok(serde_json::json!({
        "target": shared.url,
        "scenario": cfg.scenario.name,
        "duration_s": cfg.duration.as_secs_f64(),
        "max_requests": cfg.max_requests,
        "total": total.to_json(elapsed),
        "fleets": fleets,
    }))
}

/// One client of a fleet.
struct ClientTask {
    shared: Arc<Shared>,
    fleet: Arc<Fleet>,
    gen: Arc<ArrivalGen>,
    fi: usize,
    i: u32,
    key: String,
    seed: u64,
    jitter: u64,
    start: Instant,
    horizon: Nanos,
    in_flight: Arc<AtomicUsize>,
}

impl ClientTask {
    fn rng(&self, n: u64) -> rand::rngs::StdRng {
        let mut s = Stream::derive_hashed(
            self.seed,
            Purpose::Jitter,
            self.jitter,
            (u64::from(self.i) << 32) | n,
        );
        rand::rngs::StdRng::from_rng(&mut s)
            .unwrap_or_else(|_| rand::rngs::StdRng::seed_from_u64(n))
    }

    async fn run(self, mut arrivals: Stream) {
        let this = Arc::new(self);
        if let Arrival::Closed { concurrency, think } = &this.fleet.arrival {
            let think = Sampler::new(think);
            for lane in 0..*concurrency {
                this.in_flight.fetch_add(1, Ordering::SeqCst);
                let t = Arc::clone(&this);
                let mut lane_rng = Stream::derive(
                    t.seed,
                    Purpose::Arrivals,
                    &t.fleet.name,
                    (u64::from(t.i) << 16) | u64::from(lane),
                );
                tokio::spawn(async move {
                    let mut n = 0u64;
                    while t.start.elapsed() < Duration::from(t.horizon) {
                        let mut rng = t.rng((u64::from(lane) << 24) | n);
                        logical(&t.shared, t.fi, &t.fleet, &t.key, &mut rng).await;
                        n += 1;
                        tokio::time::sleep(Duration::from(think.sample(&mut lane_rng))).await;
                    }
                    t.in_flight.fetch_sub(1, Ordering::SeqCst);
                });
            }
        } else {
            let mut next = this.gen.first(&mut arrivals, this.horizon);
            let mut n = 0u64;
            while let Some(at) = next {
                tokio::time::sleep_until((this.start + Duration::from(at)).into()).await;
                let t = Arc::clone(&this);
                let mut rng = t.rng(n);
                t.in_flight.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    logical(&t.shared, t.fi, &t.fleet, &t.key, &mut rng).await;
                    t.in_flight.fetch_sub(1, Ordering::SeqCst);
                });
                n += 1;
                next = this.gen.next(at, &mut arrivals, this.horizon);
            }
        }
        this.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_without_allow_remote() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.3.4.5:1",
            "http://localhost:9",
            "http://[::1]:80",
        ] {
            assert!(check_target(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:80",
            "http://192.168.1.1",
            "http://example.com",
            "https://127.0.0.1",
            "not a url",
        ] {
            assert!(check_target(bad, false).is_err(), "{bad}");
        }
        assert!(check_target("http://10.0.0.1:80", true).is_ok());
    }

    #[test]
    fn clients_map_to_server_keys() {
        let mut f = Fleet::new(
            "web",
            10,
            Arrival::Closed {
                concurrency: 1,
                think: sim::model::Distribution::ZERO,
            },
        );
        assert_eq!(key_of(&f, 0, 5, 4), "key-1");
        f.keys = Keys::Shared(2);
        assert_eq!(key_of(&f, 3, 5, 100), "key-4");
    }
}
