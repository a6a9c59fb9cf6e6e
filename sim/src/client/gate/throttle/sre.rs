//! Client-side adaptive throttling from *Site Reliability Engineering* (Beyer et al., O'Reilly
//! 2016), chapter 21 "Handling Overload": each client keeps, over the last two minutes,
//!
//! - `requests`: attempts the application made (including those this throttle rejected), and
//! - `accepts`: attempts the backend accepted,
//!
//! and rejects a new request locally with probability
//! `max(0, (requests - K * accepts) / (requests + 1))`, K = 2 by default ("the client
//! allows K times as many requests as the backend accepts"). The counts live in 120 one-second
//! slices ([`SlicedWindow`]), so the window is deterministic. The probability is computed from
//! the counts before the current request, which is then counted. A response is "not
//! accepted" when its status is in `reject_on` (default 429 and 503) or the attempt timed out.

use crate::client::gate::outcome::{legacy_gate_methods, matches, rejection_statuses};
use crate::client::gate::SlicedWindow;
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision, StatusSet};
use limiters::Nanos;
use rand::{Rng, RngCore};

/// The throttle's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SreThrottleConfig {
    /// K (default 2.0; 1.1 is "more aggressive", per the book).
    pub k: f64,
    /// The window (default 120 s), in one-second slices.
    pub window_secs: u32,
    /// Statuses that mean "the backend rejected it" (default 429, 503).
    pub reject_on: StatusSet,
    /// Whether a timeout counts as not accepted (default true).
    pub timeouts_reject: bool,
}

impl Default for SreThrottleConfig {
    fn default() -> SreThrottleConfig {
        SreThrottleConfig {
            k: 2.0,
            window_secs: 120,
            reject_on: rejection_statuses(),
            timeouts_reject: true,
        }
    }
}

/// The rejection probability for given counts.
///
/// ```
/// use sim::client::gate::sre_reject_probability;
/// assert_eq!(sre_reject_probability(100, 50, 2.0), 0.0);
/// assert!((sre_reject_probability(100, 30, 2.0) - 40.0 / 101.0).abs() < 1e-12);
/// ```
pub fn sre_reject_probability(requests: u64, accepts: u64, k: f64) -> f64 {
    let r = requests as f64;
    ((r - k * accepts as f64) / (r + 1.0)).max(0.0)
}

/// The throttle, as a [`ClientGate`].
#[derive(Clone, Debug)]
pub struct SreThrottle {
    cfg: SreThrottleConfig,
    requests: SlicedWindow,
    accepts: SlicedWindow,
}

impl SreThrottle {
    /// Empty counts.
    pub fn new(cfg: SreThrottleConfig) -> SreThrottle {
        let w = SlicedWindow::new(Nanos::from_secs(1), cfg.window_secs.max(1));
        SreThrottle {
            cfg,
            requests: w.clone(),
            accepts: w,
        }
    }
    /// `(requests, accepts)` over the window ending at `now`.
    pub fn counts(&mut self, now: Nanos) -> (u64, u64) {
        (
            self.requests.sum(now).max(0) as u64,
            self.accepts.sum(now).max(0) as u64,
        )
    }
    /// The rejection probability at `now`.
    pub fn probability(&mut self, now: Nanos) -> f64 {
        let (r, a) = self.counts(now);
        sre_reject_probability(r, a, self.cfg.k)
    }
}

impl ClientGate for SreThrottle {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, rng: &mut dyn RngCore) -> GateDecision {
        let p = self.probability(call.now);
        self.requests.add(call.now, 1);
        if p > 0.0 && rng.gen::<f64>() < p {
            GateDecision::Deny
        } else {
            GateDecision::Allow
        }
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        if !matches(result, &self.cfg.reject_on, self.cfg.timeouts_reject) {
            self.accepts.add(call.now, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn counts_expire_after_two_minutes_and_rejections_count_as_requests() {
        let mut t = SreThrottle::new(SreThrottleConfig::default());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let now = Nanos::from_secs(5);
        // 10 attempts, all throttled: p grows as (n - 0) / (n + 1).
        for n in 0..10u64 {
            assert!((t.probability(now) - n as f64 / (n as f64 + 1.0)).abs() < 1e-12);
            let d = t.admit_call(&GateCall::admit(now, 0, 0, 1), &mut rng);
            if d == GateDecision::Allow {
                t.observe_call(&GateCall::admit(now, 0, 0, 1), &AttemptResult::status(429));
            }
        }
        assert_eq!(t.counts(now), (10, 0));
        assert_eq!(t.counts(Nanos::from_secs(124)), (10, 0));
        assert_eq!(t.counts(Nanos::from_secs(125)), (0, 0));
    }

    #[test]
    fn rejection_rate_matches_the_probability() {
        let mut t = SreThrottle::new(SreThrottleConfig::default());
        let now = Nanos::from_secs(1);
        for _ in 0..30 {
            t.observe_call(&GateCall::admit(now, 0, 0, 1), &AttemptResult::status(200));
        }
        for _ in 0..100 {
            t.requests.add(now, 1);
        }
        // requests 100, accepts 30, K 2: p = 40/101.
        let p = t.probability(now);
        assert!((p - 40.0 / 101.0).abs() < 1e-12);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut denied = 0;
        let n = 20_000;
        for _ in 0..n {
            // Each probe sees the same counts (a fresh copy of the throttle).
            let mut probe = t.clone();
            if probe.admit_call(&GateCall::admit(now, 0, 0, 1), &mut rng) == GateDecision::Deny {
                denied += 1;
            }
        }
        let rate = denied as f64 / n as f64;
        assert!((rate - p).abs() < 0.015, "rate {rate} p {p}");
    }
}
