//! The backend behind the limiters, in real time: a pool of `workers` (a tokio `Semaphore`), a
//! bounded queue in front of it (503 when full), a service time drawn per request (a real
//! `sleep`), two time limits as in the simulator (a queue timeout: waited too long for a
//! worker, 504; a deadline from admission to answer, service included: 504 and the service
//! cancelled), and an injected error rate (500, drawn as the request enters the backend and
//! answered at once, as the simulator's server does).
//!
//! This is the live twin of the simulator's backend (`sim::model::Backend`): the same knobs, so
//! a scenario's server section means the same thing in `run` and in `serve`. Its draws come
//! from the simulator's streams for the same purposes, derived from the seed as the simulator
//! derives them (`Stream::derive(seed, Service | Faults, "server", 0)`): service times from
//! one, fault coin flips and spike latencies from the other. Real time still decides which
//! request gets which draw, so a seeded live run repeats as closely as its timing does. A
//! request that names its attempt (`X-Request-Identity`, [`super::attempt_id`]) gets the
//! simulator's draws for that attempt instead (`sim::engine::Crn`), whatever the order.

use super::faults::Faults;
use super::metrics::Metrics;
use anyhow::{anyhow, bail, Result};
use limiters::{parse_duration, Nanos};
use sim::engine::{lognormal_params, AttemptId, Crn, Purpose, Sampler, Stream};
use sim::model::Distribution;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Parse a `--service-time` flag into the simulator's [`Distribution`] (the same type a
/// scenario's `service_time` becomes, drawn by the simulator's own [`Sampler`]): `"5ms"`,
/// `"constant 5ms"`, `"exponential 20ms"` (the mean), `"uniform 1ms 10ms"` or
/// `"lognormal 50ms 400ms"` (mean, p99).
pub fn parse_service_time(text: &str) -> Result<Distribution> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let d = |s: &str| -> Result<Nanos> {
        parse_duration(s).map_err(|e| anyhow!("--service-time: {e}"))
    };
    Ok(match words.as_slice() {
        [v] | ["constant", v] => Distribution::Constant(d(v)?),
        ["exponential", m] => {
            let mean = d(m)?;
            if mean.is_zero() {
                bail!("--service-time exponential: the mean must be above zero");
            }
            Distribution::Exponential { mean }
        }
        ["uniform", lo, hi] => {
            let (low, high) = (d(lo)?, d(hi)?);
            if high < low {
                bail!("--service-time uniform: the upper bound is below the lower bound");
            }
            Distribution::Uniform { low, high }
        }
        ["lognormal", m, p] => {
            let (mean, p99) = (d(m)?, d(p)?);
            if lognormal_params(mean.as_nanos() as f64, p99.as_nanos() as f64).is_none() {
                bail!("--service-time lognormal: no lognormal has mean {mean} and p99 {p99} (need mean < p99 <= ~14.9 x mean)");
            }
            Distribution::Lognormal { mean, p99 }
        }
        _ => bail!(
            "--service-time `{text}`: expected `5ms`, `exponential 20ms`, `uniform 1ms 10ms` \
             or `lognormal 50ms 400ms`"
        ),
    })
}

/// How the backend treated one admitted request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// Served after `service` (plus `waited` in the queue).
    Ok {
        /// Time in the queue.
        waited: Duration,
        /// Service time.
        service: Duration,
    },
    /// An injected fault: failed at once with this status (500, 502, ...).
    Failed(u16),
    /// The queue was full (503).
    QueueFull,
    /// The queue timeout or the deadline passed while waiting, or the deadline while being
    /// served (504).
    DeadlineExceeded,
}

/// Workers, queue, service time, deadline.
#[derive(Debug)]
pub struct Backend {
    workers: Arc<Semaphore>,
    queue: usize,
    queue_timeout: Option<Duration>,
    deadline: Option<Duration>,
    service: Sampler,
    faults: Faults,
    total_workers: usize,
    service_rng: Mutex<Stream>,
    fault_rng: Mutex<Stream>,
    /// Per upstream: its name, fault windows and fault stream (as the simulator derives it).
    upstreams: Vec<(String, Faults, Mutex<Stream>, Crn)>,
    /// The simulator's per-attempt draws, for a request naming its attempt
    /// ([`super::attempt_id`]).
    service_draws: Crn,
    fault_draws: Crn,
}

/// The header a request names its upstream with.
pub const UPSTREAM_HEADER: &str = "x-upstream";

impl Backend {
    /// A backend with `workers` workers (at least 1) and room for `queue` waiting requests.
    pub fn new(config: &super::config::BackendConfig) -> Result<Backend> {
        if config.workers == 0 {
            bail!("--workers must be at least 1");
        }
        Ok(Backend {
            workers: Arc::new(Semaphore::new(config.workers)),
            queue: config.queue,
            queue_timeout: match (config.queue_timeout, config.deadline) {
                (Some(q), Some(d)) => Some(q.min(d)),
                (q, d) => q.or(d),
            },
            deadline: config.deadline,
            service: Sampler::new(&config.service_time),
            faults: Faults::new(&config.faults, Instant::now()),
            total_workers: config.workers,
            service_rng: Mutex::new(Stream::derive(config.seed, Purpose::Service, "server", 0)),
            fault_rng: Mutex::new(Stream::derive(config.seed, Purpose::Faults, "server", 0)),
            upstreams: config
                .upstreams
                .iter()
                .map(|u| {
                    let name = format!("upstream/{}", u.name);
                    let rng = Stream::derive(config.seed, Purpose::Faults, &name, 0);
                    (
                        u.name.clone(),
                        Faults::new(&u.faults, Instant::now()),
                        Mutex::new(rng),
                        Crn::named(config.seed, Purpose::Faults, &name),
                    )
                })
                .collect(),
            service_draws: Crn::new(config.seed, Purpose::Service),
            fault_draws: Crn::new(config.seed, Purpose::Faults),
        })
    }

    /// The index of upstream `name` (`None`: unknown); without a name, the first.
    pub fn upstream(&self, name: Option<&str>) -> Option<usize> {
        match name {
            None => Some(0),
            Some(n) => self.upstreams.iter().position(|(u, _, _, _)| u == n),
        }
    }

    /// The status of an active outage of upstream `i`, if any.
    pub fn upstream_outage(&self, i: usize) -> Option<u16> {
        self.upstreams.get(i).and_then(|(_, f, _, _)| f.outage())
    }

    /// Service time, with any active latency spike (drawn when service starts): attempt
    /// `id`'s own draws, as the simulator's (`sim::server::BackendRt`), else the next of the
    /// server's sequence.
    fn draw(&self, id: Option<AttemptId>) -> Duration {
        if let Some(id) = id {
            let service = self.service.sample(&mut self.service_draws.stream(id, 0));
            let extra = self
                .faults
                .extra_latency(&mut self.fault_draws.stream(id, 1));
            return Duration::from(service) + extra;
        }
        // a constant service time draws nothing, and no fault window draws nothing: then the
        // streams are left alone without taking their locks (the next draw is the same either
        // way, so a seeded run's sequence does not change)
        let service = match self.service {
            Sampler::Const(ns) => Duration::from_nanos(ns),
            _ => {
                let mut rng = self.service_rng.lock().unwrap_or_else(|p| p.into_inner());
                Duration::from(self.service.sample(&mut *rng))
            }
        };
        if self.faults.is_empty() {
            return service;
        }
        let mut rng = self.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
        service + self.faults.extra_latency(&mut *rng)
    }

    /// An injected failure status, if any (drawn when the request enters the backend): the
    /// whole API's windows, then those of upstream `upstream`, as the simulator's server;
    /// from attempt `id`'s own streams when named (the simulator's coins for that attempt).
    fn fails(&self, upstream: usize, id: Option<AttemptId>) -> Option<u16> {
        if let Some(id) = id {
            return self
                .faults
                .error(&mut self.fault_draws.stream(id, 0))
                .or_else(|| {
                    let (_, faults, _, draws) = self.upstreams.get(upstream)?;
                    faults.error(&mut draws.stream(id, 0))
                });
        }
        // without windows nothing is drawn: skip the stream's lock
        let global = if self.faults.is_empty() {
            None
        } else {
            let mut rng = self.fault_rng.lock().unwrap_or_else(|p| p.into_inner());
            self.faults.error(&mut rng)
        };
        global.or_else(|| {
            let (_, faults, rng, _) = self.upstreams.get(upstream)?;
            if faults.is_empty() {
                return None;
            }
            let mut rng = rng.lock().unwrap_or_else(|p| p.into_inner());
            faults.error(&mut rng)
        })
    }

    /// The status of an active outage window, if any.
    pub fn outage(&self) -> Option<u16> {
        self.faults.outage()
    }

    /// Start the capacity-drop windows (inside the runtime, when serving starts).
    pub fn start_faults(&self) {
        self.faults
            .spawn_capacity_drops(&self.workers, self.total_workers);
    }

    /// Serve one admitted request for upstream `upstream` (0 without upstreams): wait for a
    /// worker (or refuse when the queue is full), sleep the service time, all within the
    /// deadline. Cancel-safe: dropping the future frees the worker and the queue slot.
    pub async fn serve(&self, metrics: &Metrics, upstream: usize, id: Option<AttemptId>) -> Served {
        if let Some(status) = self.fails(upstream, id) {
            // as in the simulator's server: an injected error fails the admitted request
            // before the backend (no worker, no service time)
            return Served::Failed(status);
        }
        let start = Instant::now();
        // a free worker is taken without cloning the semaphore's `Arc` (the common case)
        let permit = match self.workers.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                let _waiting = metrics.queued();
                if metrics.queue_depth() > self.queue as i64 {
                    return Served::QueueFull;
                }
                let wait = self.workers.acquire();
                let got = match self.queue_timeout {
                    Some(limit) => tokio::time::timeout(limit, wait).await.ok(),
                    None => Some(wait.await),
                };
                match got {
                    Some(Ok(p)) => p,
                    _ => return Served::DeadlineExceeded,
                }
            }
        };
        let waited = start.elapsed();
        let _busy = metrics.busy();
        let service = self.draw(id);
        let left = self
            .deadline
            .map_or(Duration::MAX, |d| d.saturating_sub(waited));
        if service > left {
            // the worker is busy until the deadline, then the request is abandoned
            tokio::time::sleep(left).await;
            drop(permit);
            return Served::DeadlineExceeded;
        }
        if !service.is_zero() {
            // a zero service time answers at once, not on the timer's next tick
            tokio::time::sleep(service).await;
        }
        drop(permit);
        Served::Ok { waited, service }
    }
}

#[cfg(test)]
mod tests;
