//! Hedged requests (Dean and Barroso, "The Tail at Scale", CACM 2013; gRPC's `hedgingPolicy`,
//! gRFC A6): send the request, and if no answer came within `delay`, send another copy, up to
//! `max_attempts` copies; the first successful response wins and the others are abandoned
//! (their server work is wasted: the extra load). Following A6, a response with a non-fatal
//! status (in `non_fatal`) sends the next copy at once; any other failure ends the call.
//!
//! [`HedgeState`] is the per-logical-request state machine the simulator's client drives;
//! [`hedge_monte_carlo`] is a self-contained model of its effect on latency and load for
//! independent attempt latencies.

use crate::retry::{AttemptResult, StatusSet};
use limiters::Nanos;
use rand::Rng;

/// `hedgingPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HedgePolicy {
    /// `hedgingDelay`: wait this long for an answer before sending the next copy.
    pub delay: Nanos,
    /// `maxAttempts`: copies in total, the first included (gRPC caps it at 5).
    pub max_attempts: u32,
    /// `nonFatalStatusCodes`: failures that send the next copy at once.
    pub non_fatal: StatusSet,
}

impl Default for HedgePolicy {
    /// Two copies, the second after 50 ms; 5xx non-fatal.
    fn default() -> HedgePolicy {
        let mut non_fatal = StatusSet::empty();
        for s in 500..600 {
            non_fatal.insert(s);
        }
        HedgePolicy {
            delay: Nanos::from_millis(50),
            max_attempts: 2,
            non_fatal,
        }
    }
}

/// What the client should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HedgeAction {
    /// Send a copy now, and arm the hedge timer for `next` (if another copy may follow).
    Send {
        /// When to fire the timer next.
        next: Option<Nanos>,
    },
    /// Nothing to do: wait for responses or the timer.
    Wait,
    /// The call succeeded; `abandoned` copies are still in flight (wasted work).
    Succeeded {
        /// Copies in flight, abandoned.
        abandoned: u32,
    },
    /// The call failed (fatal status, or every copy failed).
    Failed,
}

/// Per-logical-request hedging state.
///
/// ```
/// use sim::client::hedge::{HedgeAction, HedgePolicy, HedgeState};
/// use sim::retry::AttemptResult;
/// use limiters::Nanos;
/// let p = HedgePolicy::default();
/// let mut h = HedgeState::default();
/// assert_eq!(h.start(&p, Nanos::ZERO), HedgeAction::Send { next: Some(Nanos::from_millis(50)) });
/// assert_eq!(h.on_timer(&p, Nanos::from_millis(50)), HedgeAction::Send { next: None });
/// assert_eq!(h.on_response(&p, Nanos::from_millis(60), &AttemptResult::status(200)),
///            HedgeAction::Succeeded { abandoned: 1 });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HedgeState {
    /// Copies sent.
    pub sent: u32,
    /// Copies in flight.
    pub outstanding: u32,
    /// The call is over.
    pub done: bool,
}

impl HedgeState {
    fn send(&mut self, p: &HedgePolicy, now: Nanos) -> HedgeAction {
        self.sent += 1;
        self.outstanding += 1;
        let next = (self.sent < p.max_attempts).then(|| now + p.delay);
        HedgeAction::Send { next }
    }

    /// The first copy.
    pub fn start(&mut self, p: &HedgePolicy, now: Nanos) -> HedgeAction {
        *self = HedgeState::default();
        self.send(p, now)
    }

    /// The hedge timer fired.
    pub fn on_timer(&mut self, p: &HedgePolicy, now: Nanos) -> HedgeAction {
        if self.done || self.sent >= p.max_attempts {
            return HedgeAction::Wait;
        }
        self.send(p, now)
    }

    /// A copy's response (or timeout) arrived.
    pub fn on_response(&mut self, p: &HedgePolicy, now: Nanos, r: &AttemptResult) -> HedgeAction {
        if self.done {
            return HedgeAction::Wait;
        }
        self.outstanding = self.outstanding.saturating_sub(1);
        if r.is_success() {
            self.done = true;
            return HedgeAction::Succeeded {
                abandoned: self.outstanding,
            };
        }
        let non_fatal = match r.status {
            Some(s) => p.non_fatal.contains(s),
            None => true,
        };
        if non_fatal && self.sent < p.max_attempts {
            return self.send(p, now);
        }
        if !non_fatal || self.outstanding == 0 {
            self.done = true;
            return HedgeAction::Failed;
        }
        HedgeAction::Wait
    }
}

/// What [`hedge_monte_carlo`] measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HedgeEstimate {
    /// Latency percentile `q` without hedging.
    pub plain: Nanos,
    /// The same percentile with hedging.
    pub hedged: Nanos,
    /// Copies sent per request with hedging (1.0 = no extra load).
    pub load: f64,
}

/// Monte Carlo of hedging for `n` requests whose copies take independent latencies drawn by
/// `sample` (always successful): the `q`-quantile (0..1) of latency without and with hedging,
/// and the copies per request. The RNG is passed in; the result is deterministic for a seed.
pub fn hedge_monte_carlo<R: Rng + ?Sized>(
    p: &HedgePolicy,
    n: u32,
    q: f64,
    rng: &mut R,
    mut sample: impl FnMut(&mut R) -> Nanos,
) -> HedgeEstimate {
    let mut plain = Vec::with_capacity(n as usize);
    let mut hedged = Vec::with_capacity(n as usize);
    let mut copies = 0u64;
    for _ in 0..n {
        let first = sample(rng);
        plain.push(first);
        let mut best = first;
        let mut k = 1u32;
        // Copy k is sent at k * delay if nothing has answered by then.
        while k < p.max_attempts {
            let at = p.delay.saturating_mul(u64::from(k));
            if best <= at {
                break;
            }
            best = best.min(at + sample(rng));
            k += 1;
        }
        copies += u64::from(k);
        hedged.push(best);
    }
    let pick = |v: &mut Vec<Nanos>| {
        v.sort_unstable();
        let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len().max(1)) - 1;
        v.get(i).copied().unwrap_or(Nanos::ZERO)
    };
    HedgeEstimate {
        plain: pick(&mut plain),
        hedged: pick(&mut hedged),
        load: copies as f64 / f64::from(n.max(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn non_fatal_failure_sends_next_copy_at_once_fatal_ends() {
        let p = HedgePolicy {
            max_attempts: 3,
            ..HedgePolicy::default()
        };
        let mut h = HedgeState::default();
        h.start(&p, Nanos::ZERO);
        let a = h.on_response(&p, Nanos::from_millis(10), &AttemptResult::status(503));
        assert_eq!(
            a,
            HedgeAction::Send {
                next: Some(Nanos::from_millis(60))
            }
        );
        assert_eq!(
            h.on_timer(&p, Nanos::from_millis(60)),
            HedgeAction::Send { next: None }
        );
        assert_eq!(h.on_timer(&p, Nanos::from_millis(70)), HedgeAction::Wait);
        assert_eq!(
            h.on_response(&p, Nanos::from_millis(80), &AttemptResult::status(400)),
            HedgeAction::Failed
        );
        assert_eq!(
            h.on_response(&p, Nanos::from_millis(90), &AttemptResult::status(200)),
            HedgeAction::Wait
        );
    }

    #[test]
    fn every_copy_failing_fails_the_call() {
        let p = HedgePolicy::default();
        let mut h = HedgeState::default();
        h.start(&p, Nanos::ZERO);
        h.on_timer(&p, Nanos::from_millis(50));
        let r = AttemptResult::status(502);
        assert_eq!(
            h.on_response(&p, Nanos::from_millis(70), &r),
            HedgeAction::Wait
        );
        assert_eq!(
            h.on_response(&p, Nanos::from_millis(80), &r),
            HedgeAction::Failed
        );
    }

    #[test]
    fn hedging_cuts_the_tail_of_a_bimodal_latency_for_a_few_percent_more_load() {
        // 95% take 10 ms, 5% take 1 s; hedge at 50 ms.
        let p = HedgePolicy::default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let est = hedge_monte_carlo(&p, 20_000, 0.99, &mut rng, |r| {
            if r.gen::<f64>() < 0.05 {
                Nanos::from_secs(1)
            } else {
                Nanos::from_millis(10)
            }
        });
        assert_eq!(est.plain, Nanos::from_secs(1));
        // The p99 becomes 50 ms + 10 ms: both copies slow has probability 0.25%.
        assert_eq!(est.hedged, Nanos::from_millis(60));
        assert!((est.load - 1.05).abs() < 0.01, "load {}", est.load);
    }
}
