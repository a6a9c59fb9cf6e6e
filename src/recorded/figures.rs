//! The figures `check-live` puts side by side, read from either side's `sim::metrics::Summary`
//! (a live run returns the simulator's result type, counted by the clients), and the live
//! server's own admitted count from its `/metrics` text (a cross-check of the client count).

use sim::metrics::Summary;
use std::collections::BTreeMap;

/// One side's figures, for the whole run or one fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// New logical requests.
    pub logical: u64,
    /// Attempts sent.
    pub attempts: u64,
    /// Attempts admitted by every limiter level.
    pub admitted: Option<u64>,
    /// Limiter rejections (4xx answers) by status.
    pub rejected: BTreeMap<u16, u64>,
    /// Server errors (5xx answers) by status.
    pub server_errors: BTreeMap<u16, u64>,
    /// Attempts without an answer (client timeout, transport error).
    pub timeouts: u64,
    /// Hedges sent (further copies of an attempt in flight; included in `attempts`).
    pub hedges: u64,
    /// Logical requests won by a hedge (its answer came first).
    pub hedge_wins: u64,
    /// Successful logical requests.
    pub successes: u64,
    /// Median latency of successful logical requests (ms).
    pub p50_ms: Option<f64>,
    /// 99th percentile of the same (ms).
    pub p99_ms: Option<f64>,
}

impl Figures {
    /// Retry amplification: attempts per logical request (0 without any).
    pub fn amplification(&self) -> f64 {
        if self.logical == 0 {
            0.0
        } else {
            self.attempts as f64 / self.logical as f64
        }
    }

    /// Goodput over a run of `secs` seconds.
    pub fn goodput(&self, secs: f64) -> f64 {
        if secs > 0.0 {
            self.successes as f64 / secs
        } else {
            0.0
        }
    }

    /// All limiter rejections.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// The figures of a run's summary (simulated or live).
    pub fn from_summary(s: &Summary) -> Figures {
        Figures {
            logical: s.logical_requests,
            attempts: s.attempts,
            admitted: Some(s.admitted),
            rejected: s.rejected.clone(),
            server_errors: s.server_errors.clone(),
            timeouts: s.timeouts,
            hedges: s.hedges,
            hedge_wins: s.hedge_wins,
            successes: s.successes,
            p50_ms: s.latency.as_ref().map(|l| l.p50_ms),
            p99_ms: s.latency.as_ref().map(|l| l.p99_ms),
        }
    }
}

/// `throttlelab_admitted_total N` from a `/metrics` exposition text.
pub fn admitted_from_metrics(text: &str) -> Option<u64> {
    counter_from_metrics(text, "throttlelab_admitted_total")
}

/// The value of the unlabelled counter `name` in a `/metrics` exposition text.
pub fn counter_from_metrics(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_figures() {
        let f = Figures {
            logical: 10,
            attempts: 15,
            successes: 7,
            rejected: BTreeMap::from([(402, 1), (429, 5)]),
            ..Figures::default()
        };
        assert_eq!(f.amplification(), 1.5);
        assert_eq!(f.goodput(2.0), 3.5);
        assert_eq!(f.rejected_total(), 6);
        assert_eq!(Figures::default().amplification(), 0.0);
    }

    #[test]
    fn the_admitted_counter_is_read_from_the_metrics_text() {
        let text = "# TYPE throttlelab_admitted_total counter\nthrottlelab_admitted_total 42\n\
                    throttlelab_idempotent_replays_total 3\n";
        assert_eq!(admitted_from_metrics(text), Some(42));
        assert_eq!(admitted_from_metrics("nothing"), None);
    }
}
