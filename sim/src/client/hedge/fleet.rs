//! A fleet's hedging, as configured (`[fleet.<name>.hedge]`) and at run time.
//!
//! The delay follows Dean and Barroso, "The Tail at Scale" (CACM 56(2), 2013): "defer sending
//! a secondary request until the first request has been outstanding for more than the
//! 95th-percentile expected latency for this class of requests". It is either a fixed duration
//! (gRPC's `hedgingDelay`, gRFC A6) or a percentile of the latencies the fleet has observed so
//! far ([`HedgeDelay::Percentile`]): the latency of each successful round, from the send of its
//! first copy to the winning response, in an HDR histogram, re-read every
//! [`REFRESH_EVERY`] samples; until [`WARMUP_SAMPLES`] have been seen no hedge is sent (there
//! is no "expected latency" yet). Hedged rounds feed back their shortened latencies, as in any
//! real client that measures its own calls.
//!
//! The rules the engine applies (`sim::client`, gRFC A6 "Hedging Policy"): at most
//! `max_attempts` copies per round, the next one `delay` after the previous if nothing answered;
//! a non-fatal failure (a status in `non_fatal`, or a client-side timeout) sends the next copy
//! at once; a fatal one cancels the others and ends the round; every gate is asked before each
//! hedge (gRPC retry throttling: "hedged RPCs are not sent" while throttled).

use super::HedgePolicy;
use crate::model::ModelError;
use crate::retry::StatusSet;
use hdrhistogram::Histogram;
use limiters::Nanos;

/// Samples needed before a percentile delay sends any hedge.
pub const WARMUP_SAMPLES: u64 = 100;
/// A percentile delay is re-read from the histogram every this many samples.
pub const REFRESH_EVERY: u64 = 32;
/// Most copies per round (gRFC A6 caps `maxAttempts` at 5).
pub const MAX_COPIES: u32 = 5;

/// When to send the next copy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HedgeDelay {
    /// A fixed `hedgingDelay`.
    Fixed(Nanos),
    /// This percentile (in `(0, 100)`) of the fleet's observed round latencies.
    Percentile(f64),
}

impl std::fmt::Display for HedgeDelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HedgeDelay::Fixed(d) => write!(f, "{d}"),
            HedgeDelay::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

/// `[fleet.<name>.hedge]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HedgeConfig {
    /// The delay before each further copy.
    pub delay: HedgeDelay,
    /// Copies per round, the first included (`max_hedges + 1`; 2..=5).
    pub max_attempts: u32,
    /// `nonFatalStatusCodes`: failures that send the next copy at once instead of ending the
    /// round (default 5xx).
    pub non_fatal: StatusSet,
}

impl HedgeConfig {
    /// `max_hedges` copies after the first, `delay` apart, 5xx non-fatal.
    pub fn new(delay: HedgeDelay, max_hedges: u32) -> HedgeConfig {
        HedgeConfig {
            delay,
            max_attempts: max_hedges.saturating_add(1),
            non_fatal: HedgePolicy::default().non_fatal,
        }
    }

    /// Check the values; `field` is the table's path (`fleet.web.hedge`).
    pub fn validate(&self, field: &str) -> Result<(), ModelError> {
        let invalid = |k: &str, reason: &str| ModelError::Invalid {
            field: format!("{field}.{k}"),
            reason: reason.to_string(),
        };
        match self.delay {
            HedgeDelay::Fixed(d) if d.is_zero() => {
                return Err(invalid("delay", "must be longer than zero"))
            }
            HedgeDelay::Percentile(p) if !(p > 0.0 && p < 100.0) => {
                return Err(invalid(
                    "delay",
                    "the percentile must be above 0 and below 100",
                ))
            }
            _ => {}
        }
        if !(2..=MAX_COPIES).contains(&self.max_attempts) {
            return Err(invalid(
                "max_hedges",
                "must be from 1 to 4 (gRPC caps maxAttempts at 5)",
            ));
        }
        Ok(())
    }
}

/// A fleet's hedging at run time: the configuration and, for a percentile delay, the latency
/// histogram and the delay last read from it.
#[derive(Clone, Debug)]
pub struct HedgeRt {
    /// The configuration.
    pub cfg: HedgeConfig,
    hist: Option<Histogram<u64>>,
    current: Option<Nanos>,
}

impl HedgeRt {
    /// The runtime form of `cfg`.
    ///
    /// ```
    /// use sim::client::hedge::{HedgeConfig, HedgeDelay, HedgeRt};
    /// use limiters::Nanos;
    /// let mut h = HedgeRt::new(HedgeConfig::new(HedgeDelay::Percentile(90.0), 1));
    /// assert_eq!(h.delay(), None); // warming up
    /// for ms in 1..=100 { h.observe(Nanos::from_millis(ms)); }
    /// let d = h.delay().unwrap().as_nanos() as f64 / 1e6; // the p90, to HDR's 3 digits
    /// assert!((d - 90.0).abs() < 0.1, "{d}");
    /// ```
    pub fn new(cfg: HedgeConfig) -> HedgeRt {
        match cfg.delay {
            HedgeDelay::Fixed(d) => HedgeRt {
                cfg,
                hist: None,
                current: Some(d),
            },
            // Microseconds up to ten days, 3 significant digits: constant, valid bounds.
            HedgeDelay::Percentile(_) => HedgeRt {
                cfg,
                hist: Histogram::new_with_max(10 * 86_400 * 1_000_000, 3).ok(),
                current: None,
            },
        }
    }

    /// The delay before the next copy; `None` while a percentile delay is warming up.
    #[inline]
    pub fn delay(&self) -> Option<Nanos> {
        self.current
    }

    /// The policy of the state machine with the current delay (`None`: warming up).
    pub fn policy(&self) -> Option<HedgePolicy> {
        self.current.map(|delay| HedgePolicy {
            delay,
            max_attempts: self.cfg.max_attempts,
            non_fatal: self.cfg.non_fatal,
        })
    }

    /// When the hedge timer armed by a copy sent at `now` fires, the round having sent `copies`
    /// copies: `delay` later (gRFC A6 `hedgingDelay`), if the delay is known (not warming up),
    /// the round may send another copy (`maxAttempts`) and that is before both the run's
    /// `horizon` and the request's `deadline`. The simulator's client and the live client
    /// (`throttlelab load`) both arm their timers with it.
    ///
    /// ```
    /// use sim::client::hedge::{HedgeConfig, HedgeDelay, HedgeRt};
    /// use limiters::Nanos;
    /// let ms = Nanos::from_millis;
    /// let h = HedgeRt::new(HedgeConfig::new(HedgeDelay::Fixed(ms(50)), 1));
    /// assert_eq!(h.timer_at(ms(10), 1, ms(1000), Nanos::MAX), Some(ms(60)));
    /// assert_eq!(h.timer_at(ms(10), 2, ms(1000), Nanos::MAX), None); // both copies sent
    /// assert_eq!(h.timer_at(ms(10), 1, ms(60), Nanos::MAX), None); // at the horizon
    /// ```
    pub fn timer_at(
        &self,
        now: Nanos,
        copies: u32,
        horizon: Nanos,
        deadline: Nanos,
    ) -> Option<Nanos> {
        let d = self.delay()?;
        if copies >= self.cfg.max_attempts {
            return None;
        }
        let at = now.saturating_add(d);
        (at < horizon && at < deadline).then_some(at)
    }

    /// A copy of a round that has sent `copies` copies failed with `result` at `now`, while
    /// `live` other copies are still in flight: what next, by gRFC A6's rules
    /// ([`HedgeState::on_response`](super::HedgeState::on_response)): `Wait` for the others,
    /// `Send` the next copy at once (a non-fatal failure), or `Failed` (a fatal status, or no
    /// copy left in flight: the round is over and the retry policy decides). No further copy
    /// is sent while a percentile delay is still warming up.
    ///
    /// ```
    /// use sim::client::hedge::{HedgeAction, HedgeConfig, HedgeDelay, HedgeRt};
    /// use sim::retry::AttemptResult;
    /// use limiters::Nanos;
    /// let h = HedgeRt::new(HedgeConfig::new(HedgeDelay::Fixed(Nanos::from_millis(50)), 2));
    /// let now = Nanos::from_millis(20);
    /// let e503 = AttemptResult::status(503);
    /// assert!(matches!(h.after_failure(now, 1, 0, &e503), HedgeAction::Send { .. }));
    /// assert_eq!(h.after_failure(now, 3, 1, &e503), HedgeAction::Wait);
    /// assert_eq!(h.after_failure(now, 3, 0, &e503), HedgeAction::Failed);
    /// assert_eq!(h.after_failure(now, 2, 1, &AttemptResult::status(429)), HedgeAction::Failed);
    /// ```
    pub fn after_failure(
        &self,
        now: Nanos,
        copies: u32,
        live: u32,
        result: &crate::retry::AttemptResult,
    ) -> super::HedgeAction {
        let p = HedgePolicy {
            delay: self.delay().unwrap_or(Nanos::ZERO),
            max_attempts: if self.delay().is_some() {
                self.cfg.max_attempts
            } else {
                copies
            },
            non_fatal: self.cfg.non_fatal,
        };
        let mut st = super::HedgeState {
            sent: copies,
            outstanding: live + 1,
            done: false,
        };
        st.on_response(&p, now, result)
    }

    /// A successful round took `latency` (first copy sent to winning response).
    pub fn observe(&mut self, latency: Nanos) {
        let (HedgeDelay::Percentile(p), Some(h)) = (self.cfg.delay, self.hist.as_mut()) else {
            return;
        };
        h.saturating_record(latency.0 / 1_000);
        let n = h.len();
        if n >= WARMUP_SAMPLES && (n - WARMUP_SAMPLES).is_multiple_of(REFRESH_EVERY) {
            let us = h.median_equivalent(h.value_at_quantile(p / 100.0));
            // At least 1 µs: a zero delay would hedge every request at once.
            self.current = Some(Nanos::from_micros(us.max(1)));
        }
    }
}

#[cfg(test)]
mod tests;
