//! The backend behind the limiters, in real time: a pool of `workers` (a tokio `Semaphore`), a
//! bounded queue in front of it (503 when full), a service time drawn per request (a real
//! `sleep`), a deadline from admission to answer (504), and an injected error rate (500).
//!
//! This is the live twin of the simulator's backend (`sim::model::Backend`): the same knobs, so
//! a scenario's server section means the same thing in `run` and in `serve`.

use super::metrics::Metrics;
use anyhow::{anyhow, bail, Result};
use limiters::parse_duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// A service-time distribution for live mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ServiceTime {
    /// Always this long.
    Constant(Duration),
    /// Exponential with this mean (an M/M/c backend).
    Exponential(Duration),
    /// Uniform on `[low, high]`.
    Uniform(Duration, Duration),
}

impl ServiceTime {
    /// Parse `"5ms"` (constant), `"constant 5ms"`, `"exponential 20ms"` (the mean) or
    /// `"uniform 1ms 10ms"`.
    pub fn parse(text: &str) -> Result<ServiceTime> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let d = |s: &str| -> Result<Duration> {
            parse_duration(s)
                .map(Duration::from)
                .map_err(|e| anyhow!("--service-time: {e}"))
        };
        Ok(match words.as_slice() {
            [v] | ["constant", v] => ServiceTime::Constant(d(v)?),
            ["exponential", m] => {
                let m = d(m)?;
                if m.is_zero() {
                    bail!("--service-time exponential: the mean must be above zero");
                }
                ServiceTime::Exponential(m)
            }
            ["uniform", lo, hi] => {
                let (lo, hi) = (d(lo)?, d(hi)?);
                if hi < lo {
                    bail!("--service-time uniform: the upper bound is below the lower bound");
                }
                ServiceTime::Uniform(lo, hi)
            }
            _ => bail!(
                "--service-time `{text}`: expected `5ms`, `constant 5ms`, `exponential 20ms` or \
                 `uniform 1ms 10ms`"
            ),
        })
    }

    fn sample(&self, rng: &mut StdRng) -> Duration {
        match *self {
            ServiceTime::Constant(d) => d,
            ServiceTime::Exponential(mean) => {
                // rate 1/mean in 1/seconds; Exp::new only fails for a negative or NaN rate
                let draw = Exp::new(1.0 / mean.as_secs_f64())
                    .map(|e| e.sample(rng))
                    .unwrap_or(0.0);
                Duration::try_from_secs_f64(draw).unwrap_or(mean)
            }
            ServiceTime::Uniform(lo, hi) if lo == hi => lo,
            ServiceTime::Uniform(lo, hi) => rng.gen_range(lo..=hi),
        }
    }
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
    /// The injected fault: served, then failed (500).
    Failed,
    /// The queue was full (503).
    QueueFull,
    /// The deadline passed while waiting or being served (504).
    DeadlineExceeded,
}

/// Workers, queue, service time, deadline.
#[derive(Debug)]
pub struct Backend {
    workers: Arc<Semaphore>,
    queue: usize,
    deadline: Duration,
    service: ServiceTime,
    error_rate: f64,
    rng: Mutex<StdRng>,
}

impl Backend {
    /// A backend with `workers` workers (at least 1) and room for `queue` waiting requests.
    pub fn new(config: &super::config::BackendConfig) -> Result<Backend> {
        if config.workers == 0 {
            bail!("--workers must be at least 1");
        }
        if !(0.0..=1.0).contains(&config.error_rate) {
            bail!("--error-rate must be within [0, 1]");
        }
        Ok(Backend {
            workers: Arc::new(Semaphore::new(config.workers)),
            queue: config.queue,
            deadline: config.deadline,
            service: config.service_time,
            error_rate: config.error_rate,
            // live mode: randomness from the OS is fine (runs are not meant to be reproducible)
            rng: Mutex::new(StdRng::from_entropy()),
        })
    }

    fn draw(&self) -> (Duration, bool) {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let service = self.service.sample(&mut rng);
        let fail = self.error_rate > 0.0 && rng.gen_bool(self.error_rate);
        (service, fail)
    }

    /// Serve one admitted request: wait for a worker (or refuse when the queue is full), sleep
    /// the service time, all within the deadline. Cancel-safe: dropping the future frees the
    /// worker and the queue slot.
    pub async fn serve(&self, metrics: &Metrics) -> Served {
        let start = Instant::now();
        let permit = match Arc::clone(&self.workers).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let _waiting = metrics.queued();
                if metrics.queue_depth() > self.queue as i64 {
                    return Served::QueueFull;
                }
                match tokio::time::timeout(self.deadline, Arc::clone(&self.workers).acquire_owned())
                    .await
                {
                    Ok(Ok(p)) => p,
                    _ => return Served::DeadlineExceeded,
                }
            }
        };
        let waited = start.elapsed();
        let (service, fail) = self.draw();
        let left = self.deadline.saturating_sub(waited);
        if service > left {
            // the worker is busy until the deadline, then the request is abandoned
            tokio::time::sleep(left).await;
            drop(permit);
            return Served::DeadlineExceeded;
        }
        tokio::time::sleep(service).await;
        drop(permit);
        if fail {
            Served::Failed
        } else {
            Served::Ok { waited, service }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_time_specs_parse() {
        assert_eq!(
            ServiceTime::parse("5ms").unwrap(),
            ServiceTime::Constant(Duration::from_millis(5))
        );
        assert_eq!(
            ServiceTime::parse("exponential 20ms").unwrap(),
            ServiceTime::Exponential(Duration::from_millis(20))
        );
        assert!(ServiceTime::parse("uniform 5ms 1ms").is_err());
        assert!(ServiceTime::parse("exponential 0s").is_err());
        assert!(ServiceTime::parse("lognormal").is_err());
        assert!(ServiceTime::parse("").is_err());
    }

    #[test]
    fn samples_stay_in_range() {
        let mut rng = StdRng::seed_from_u64(7);
        let u = ServiceTime::Uniform(Duration::from_millis(1), Duration::from_millis(3));
        for _ in 0..100 {
            let d = u.sample(&mut rng);
            assert!(d >= Duration::from_millis(1) && d <= Duration::from_millis(3));
        }
        let e = ServiceTime::Exponential(Duration::from_millis(10));
        let mean: f64 = (0..2000)
            .map(|_| e.sample(&mut rng).as_secs_f64())
            .sum::<f64>()
            / 2000.0;
        assert!((0.008..0.012).contains(&mean), "mean {mean}");
    }
}
