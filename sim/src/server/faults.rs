//! Faults on a timeline, looked up by time. Windows are few, so a linear scan over them is
//! cheaper than any index; with no fault configured every query is one empty-slice check.

use crate::engine::{AttemptId, Crn, Sampler};
use crate::model::{Fault, FaultKind};
use limiters::Nanos;

#[derive(Clone, Copy, Debug)]
enum Kind {
    ErrorRate { status: u16, rate: f64 },
    Outage { status: u16 },
    LatencySpike { extra: Sampler },
    CapacityDrop { workers: u32 },
}

#[derive(Clone, Copy, Debug)]
struct Window {
    start: Nanos,
    end: Nanos,
    kind: Kind,
}

/// The fault windows of a run and their random stream.
#[derive(Clone, Debug)]
pub struct Faults {
    windows: Vec<Window>,
    draws: Crn,
}

impl Faults {
    /// Prepare the windows; `draws` are the run's fault draws (per attempt identity).
    pub fn new(faults: &[Fault], draws: Crn) -> Faults {
        let windows = faults
            .iter()
            .map(|f| Window {
                start: f.start,
                end: f.end(),
                kind: match &f.kind {
                    FaultKind::ErrorRate { status, rate } => Kind::ErrorRate {
                        status: *status,
                        rate: *rate,
                    },
                    FaultKind::Outage { status } => Kind::Outage { status: *status },
                    FaultKind::LatencySpike { extra } => Kind::LatencySpike {
                        extra: Sampler::new(extra),
                    },
                    FaultKind::CapacityDrop { workers } => Kind::CapacityDrop { workers: *workers },
                },
            })
            .collect();
        Faults { windows, draws }
    }

    fn active(&self, now: Nanos) -> impl Iterator<Item = &Window> {
        self.windows
            .iter()
            .filter(move |w| now >= w.start && now < w.end)
    }

    /// The status every request gets during an outage, if one is active.
    #[inline]
    pub fn outage(&self, now: Nanos) -> Option<u16> {
        if self.windows.is_empty() {
            return None;
        }
        self.active(now).find_map(|w| match w.kind {
            Kind::Outage { status } => Some(status),
            _ => None,
        })
    }

    /// For admitted attempt `id`: the injected error status, if an error-rate window is
    /// active and its coin flip says so (one draw per active window, from the attempt's own
    /// stream: the same attempt gets the same coins in every variant).
    #[inline]
    pub fn error(&mut self, now: Nanos, id: AttemptId) -> Option<u16> {
        if self.windows.is_empty() {
            return None;
        }
        let mut rng = self.draws.stream(id, 0);
        for i in 0..self.windows.len() {
            let w = self.windows[i];
            if let Kind::ErrorRate { status, rate } = w.kind {
                if now >= w.start && now < w.end && rng.unit() < rate {
                    return Some(status);
                }
            }
        }
        None
    }

    /// Extra service time for attempt `id` starting service now (its own stream, apart from
    /// its error coins).
    #[inline]
    pub fn extra_latency(&mut self, now: Nanos, id: AttemptId) -> Nanos {
        if self.windows.is_empty() {
            return Nanos::ZERO;
        }
        let mut rng = self.draws.stream(id, 1);
        let mut extra = Nanos::ZERO;
        for i in 0..self.windows.len() {
            let w = self.windows[i];
            if let Kind::LatencySpike { extra: s } = w.kind {
                if now >= w.start && now < w.end {
                    extra += s.sample(&mut rng);
                }
            }
        }
        extra
    }

    /// True without any fault window.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// True when a latency-spike window exists (a service time may then be longer than the
    /// backend's own).
    pub fn adds_latency(&self) -> bool {
        self.windows
            .iter()
            .any(|w| matches!(w.kind, Kind::LatencySpike { .. }))
    }

    /// Workers available now, given the configured number.
    pub fn capacity(&self, now: Nanos, configured: u32) -> u32 {
        self.active(now)
            .filter_map(|w| match w.kind {
                Kind::CapacityDrop { workers } => Some(workers),
                _ => None,
            })
            .fold(configured, u32::min)
    }

    /// The times at which capacity changes (starts and ends of capacity drops).
    pub fn capacity_edges(&self) -> Vec<Nanos> {
        self.windows
            .iter()
            .filter(|w| matches!(w.kind, Kind::CapacityDrop { .. }))
            .flat_map(|w| [w.start, w.end])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(kind: FaultKind) -> Fault {
        Fault {
            start: Nanos::from_secs(10),
            duration: Nanos::from_secs(5),
            kind,
        }
    }

    #[test]
    fn outage_is_exactly_its_window() {
        let f = Faults::new(
            &[window(FaultKind::Outage { status: 503 })],
            Crn::new(0, crate::engine::Purpose::Faults),
        );
        assert_eq!(f.outage(Nanos::from_secs(10) - Nanos(1)), None);
        assert_eq!(f.outage(Nanos::from_secs(10)), Some(503));
        assert_eq!(f.outage(Nanos::from_secs(15) - Nanos(1)), Some(503));
        assert_eq!(f.outage(Nanos::from_secs(15)), None);
    }

    #[test]
    fn error_rate_hits_its_probability() {
        let mut f = Faults::new(
            &[window(FaultKind::ErrorRate {
                status: 502,
                rate: 0.3,
            })],
            Crn::new(1, crate::engine::Purpose::Faults),
        );
        let n = 100_000;
        let id = |r: u32| AttemptId::named("web", 0, r, 1);
        let hits = (0..n)
            .filter(|&r| f.error(Nanos::from_secs(12), id(r)) == Some(502))
            .count();
        assert!((hits as f64 / n as f64 - 0.3).abs() < 0.01);
        assert_eq!(f.error(Nanos::from_secs(20), id(0)), None);
        // The coin is the attempt's: asked again, the same attempt gets the same answer.
        for r in 0..100 {
            assert_eq!(
                f.error(Nanos::from_secs(12), id(r)),
                f.error(Nanos::from_secs(12), id(r))
            );
        }
    }

    #[test]
    fn capacity_drop_lowers_workers_in_window() {
        let f = Faults::new(
            &[window(FaultKind::CapacityDrop { workers: 2 })],
            Crn::new(0, crate::engine::Purpose::Faults),
        );
        assert_eq!(f.capacity(Nanos::from_secs(11), 8), 2);
        assert_eq!(f.capacity(Nanos::from_secs(16), 8), 8);
        assert_eq!(
            f.capacity_edges(),
            vec![Nanos::from_secs(10), Nanos::from_secs(15)]
        );
    }
}
