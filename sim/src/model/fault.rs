//! Faults injected on a timeline: each is active on `[start, start + duration)`.

use super::Distribution;
use limiters::Nanos;

/// What goes wrong during a fault window.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Each request admitted by the limiters fails with `status` with probability `rate`
    /// (the limiters are charged, then released with a failure).
    ErrorRate {
        /// 500, 502, 503, ...
        status: u16,
        /// Probability in [0, 1].
        rate: f64,
    },
    /// Every request gets `status`, before any limiter is consulted (the load balancer answers).
    Outage {
        /// Usually 503.
        status: u16,
    },
    /// Extra service time added to every request whose service starts in the window.
    LatencySpike {
        /// The extra time.
        extra: Distribution,
    },
    /// The backend runs with at most `workers` workers (requests in service keep going).
    CapacityDrop {
        /// Workers left during the window.
        workers: u32,
    },
}

impl FaultKind {
    /// The name as written in scenario files.
    pub fn as_str(&self) -> &'static str {
        match self {
            FaultKind::ErrorRate { .. } => "error_rate",
            FaultKind::Outage { .. } => "outage",
            FaultKind::LatencySpike { .. } => "latency_spike",
            FaultKind::CapacityDrop { .. } => "capacity_drop",
        }
    }
}

/// A fault window.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// When it starts (since scenario start).
    pub start: Nanos,
    /// How long it lasts.
    pub duration: Nanos,
    /// What it does.
    pub kind: FaultKind,
}

impl Fault {
    /// The end of the window (exclusive).
    pub fn end(&self) -> Nanos {
        self.start + self.duration
    }
    /// True when `now` is inside the window.
    pub fn active(&self, now: Nanos) -> bool {
        now >= self.start && now < self.end()
    }
}
