//! Fault windows in real time: the simulator's fault model (`sim::model::Fault`) on the live
//! server's clock, each window counted from server start.
//!
//! - `outage`: every request gets the fault's status before auth or limiters (the load
//!   balancer answers);
//! - `error_rate`: an admitted request fails with the status with the given probability
//!   before the backend, as in the simulator (the limiters were charged and are released with
//!   a failure);
//! - `latency_spike`: extra service time, drawn per request whose service starts in the window;
//! - `capacity_drop`: the backend keeps only `workers` workers: a task takes the others'
//!   permits for the window (requests already in service finish first, as in the simulator).
//!
//! `serve --error-rate p` is an `error_rate` window with status 500 over the whole run.

use limiters::Nanos;
use rand::Rng;
use sim::engine::{Sampler, Stream};
use sim::model::{Fault, FaultKind};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The configured fault windows and the instant they count from.
#[derive(Debug)]
pub struct Faults {
    windows: Vec<(Fault, Option<Sampler>)>,
    start: Instant,
}

impl Faults {
    /// Windows counted from `start`.
    pub fn new(faults: &[Fault], start: Instant) -> Faults {
        let windows = faults
            .iter()
            .map(|f| {
                let sampler = match &f.kind {
                    FaultKind::LatencySpike { extra } => Some(Sampler::new(extra)),
                    _ => None,
                };
                (f.clone(), sampler)
            })
            .collect();
        Faults { windows, start }
    }

    /// True without any fault window: nothing is ever active, and no draw is ever made.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    fn active(&self) -> impl Iterator<Item = &(Fault, Option<Sampler>)> {
        // no clock read without windows (every request asks whether an outage is active)
        let now = if self.windows.is_empty() {
            Nanos::ZERO
        } else {
            Nanos::from(self.start.elapsed())
        };
        self.windows.iter().filter(move |(f, _)| f.active(now))
    }

    /// The status of an active outage, if any.
    pub fn outage(&self) -> Option<u16> {
        self.active().find_map(|(f, _)| match f.kind {
            FaultKind::Outage { status } => Some(status),
            _ => None,
        })
    }

    /// The status an active error-rate window makes this request fail with, if any: one coin
    /// per active window, `unit() < rate`, the simulator's own flip
    /// (`sim::server::Faults::error`), so the attempt's stream gives both the same coins.
    pub fn error(&self, rng: &mut Stream) -> Option<u16> {
        self.active().find_map(|(f, _)| match f.kind {
            FaultKind::ErrorRate { status, rate } if rng.unit() < rate => Some(status),
            _ => None,
        })
    }

    /// Extra service time from active latency spikes.
    pub fn extra_latency<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        self.active()
            .filter_map(|(_, s)| s.as_ref())
            .map(|s| Duration::from(s.sample(rng)))
            .sum()
    }

    /// Start one task per capacity drop: at the window's start it takes `total - workers`
    /// permits of `workers_sem` (waiting for requests in service), and gives them back at the
    /// window's end. Must run inside the tokio runtime.
    pub fn spawn_capacity_drops(&self, workers_sem: &Arc<Semaphore>, total: usize) {
        for (f, _) in &self.windows {
            let FaultKind::CapacityDrop { workers } = f.kind else {
                continue;
            };
            let take = u32::try_from(total.saturating_sub(workers as usize)).unwrap_or(u32::MAX);
            if take == 0 {
                continue;
            }
            let sem = Arc::clone(workers_sem);
            let begin = self.start + Duration::from(f.start);
            let end = self.start + Duration::from(f.end());
            tokio::spawn(async move {
                tokio::time::sleep_until(begin.into()).await;
                let acquire = sem.acquire_many_owned(take);
                if let Ok(Ok(permits)) = tokio::time::timeout_at(end.into(), acquire).await {
                    tokio::time::sleep_until(end.into()).await;
                    drop(permits);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::model::Distribution;

    fn window(start_ms: u64, len_ms: u64, kind: FaultKind) -> Fault {
        Fault {
            start: Nanos::from_millis(start_ms),
            duration: Nanos::from_millis(len_ms),
            kind,
        }
    }

    #[test]
    fn the_error_coins_are_the_simulators_for_the_same_attempt() {
        let w = window(
            0,
            3_600_000,
            FaultKind::ErrorRate {
                status: 500,
                rate: 0.3,
            },
        );
        let draws = sim::engine::Crn::new(7, sim::engine::Purpose::Faults);
        let mut simulated = sim::server::Faults::new(std::slice::from_ref(&w), draws);
        let live = Faults::new(&[w], Instant::now());
        // served in opposite orders: each attempt still gets its own coin on both sides
        let id = |r: u32| sim::engine::AttemptId::named("web", r % 5, r / 5, 1);
        let a: Vec<_> = (0..200).map(|r| simulated.error(Nanos(1), id(r))).collect();
        let mut b: Vec<_> = (0..200)
            .rev()
            .map(|r| live.error(&mut draws.stream(id(r), 0)))
            .collect();
        b.reverse();
        assert_eq!(a, b);
        let hits = b.iter().filter(|s| s.is_some()).count();
        assert!((40..80).contains(&hits), "about 30 %: {hits}");
    }

    #[test]
    fn windows_apply_only_while_active() {
        let mut rng = Stream::derive(1, sim::engine::Purpose::Faults, "server", 0);
        let f = Faults::new(
            &[
                window(0, 60_000, FaultKind::Outage { status: 503 }),
                window(
                    0,
                    60_000,
                    FaultKind::ErrorRate {
                        status: 502,
                        rate: 1.0,
                    },
                ),
                window(
                    0,
                    60_000,
                    FaultKind::LatencySpike {
                        extra: Distribution::Constant(Nanos::from_millis(7)),
                    },
                ),
                window(3_600_000, 1, FaultKind::Outage { status: 500 }),
            ],
            Instant::now(),
        );
        assert_eq!(f.outage(), Some(503));
        assert_eq!(f.error(&mut rng), Some(502));
        assert_eq!(f.extra_latency(&mut rng), Duration::from_millis(7));
        let later = Faults::new(
            &[window(3_600_000, 1, FaultKind::Outage { status: 500 })],
            Instant::now(),
        );
        assert_eq!(later.outage(), None);
    }

    #[tokio::test]
    async fn a_capacity_drop_takes_workers_for_its_window() {
        let sem = Arc::new(Semaphore::new(4));
        let f = Faults::new(
            &[window(20, 100, FaultKind::CapacityDrop { workers: 1 })],
            Instant::now(),
        );
        f.spawn_capacity_drops(&sem, 4);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(sem.available_permits(), 1, "during the window");
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(sem.available_permits(), 4, "after the window");
    }
}
