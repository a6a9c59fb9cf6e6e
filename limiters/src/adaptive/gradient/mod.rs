//! Latency-based adaptive concurrency limit: Envoy's adaptive concurrency filter, gradient
//! controller (`envoy.filters.http.adaptive_concurrency`, `GradientController`).
//!
//! As the Envoy docs and `gradient_controller.cc` describe it:
//! - **minRTT** is measured periodically (every `min_rtt_interval`) by pinning the limit to
//!   `min_concurrency` and aggregating the latencies of the next `min_rtt_request_count`
//!   requests (started inside the measurement window) at the configured percentile. The
//!   previous limit is restored afterwards. A measurement is also started when the limit was
//!   set to `min_concurrency` for 5 consecutive sample windows.
//! - **sampleRTT** is the same percentile over the latencies of each `sample_interval` window.
//!   At each window end (not during a minRTT measurement, and only if the window has samples):
//!
//! ```text
//! gradient  = clamp((minRTT + minRTT * buffer) / sampleRTT, 0.5, 2.0)
//! limit     = old_limit * gradient
//! new_limit = clamp(floor(limit + sqrt(limit)), min_concurrency, max_limit)   // sqrt = headroom
//! ```
//!
//! Defaults are Envoy's: percentile 50, buffer 25%, min_rtt_request_count 50, min_concurrency
//! 3, max_limit 1000; `sample_interval` 100ms and `min_rtt_interval` 60s as in its docs example.
//!
//! Deviations, each deliberate:
//! - Timers are driven by the `now` passed to `check`/`release` (no clock, no callbacks): every
//!   timer due at or before `now` fires, in time order (a minRTT timer first on ties), before the
//!   call is handled.
//! - Envoy delays each minRTT measurement by a random jitter (default 15%); this crate has no
//!   randomness, so there is none. Many limiters built alike therefore measure in lockstep; a
//!   scenario that cares can stagger them by building them at different times.
//! - The percentile is exact (nearest rank over the window's samples), where Envoy reads an
//!   approximate log-linear histogram.
//!
//! `Dropped` outcomes cancel the sample, as Envoy's `cancelLatencySample` (no response); every
//! other outcome records its latency, as Envoy records any response, error or not.

mod entry;

pub use entry::entry;

use super::concurrency_decision;
use crate::concurrency::DEFAULT_RETRY_HINT;
use crate::{Decision, Limiter, LimiterError, Nanos, Outcome, OutcomeKind};

/// Configuration of a [`Gradient`] limiter; [`Default`] gives Envoy's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GradientConfig {
    /// Length of a sampleRTT window (Envoy `concurrency_update_interval`).
    pub sample_interval: Nanos,
    /// Time between minRTT measurements (Envoy `min_rtt_calc_params.interval`).
    pub min_rtt_interval: Nanos,
    /// Samples that complete a minRTT measurement (Envoy `request_count`).
    pub min_rtt_request_count: u32,
    /// The limit during a minRTT measurement and the floor (Envoy `min_concurrency`).
    pub min_concurrency: u64,
    /// The ceiling (Envoy `max_concurrency_limit`).
    pub max_limit: u64,
    /// minRTT buffer, parts per million (Envoy `buffer`, 25% = 250_000).
    pub buffer_ppm: u64,
    /// Aggregation percentile, parts per million (Envoy `sample_aggregate_percentile`).
    pub percentile_ppm: u64,
    /// `retry_after` reported on a denial.
    pub retry_hint: Nanos,
}

impl Default for GradientConfig {
    fn default() -> Self {
        GradientConfig {
            sample_interval: Nanos::from_millis(100),
            min_rtt_interval: Nanos::from_secs(60),
            min_rtt_request_count: 50,
            min_concurrency: 3,
            max_limit: 1000,
            buffer_ppm: 250_000,
            percentile_ppm: 500_000,
            retry_hint: DEFAULT_RETRY_HINT,
        }
    }
}

/// Envoy-style gradient concurrency limiter (see the module docs).
///
/// ```
/// use limiters::adaptive::{Gradient, GradientConfig};
/// use limiters::{Limiter, Nanos};
/// let g = Gradient::new(GradientConfig::default()).unwrap();
/// assert_eq!(g.limit(), 3); // pinned to min_concurrency while measuring minRTT
/// assert!(g.in_min_rtt_window());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gradient {
    cfg: GradientConfig,
    limit: u64,
    in_flight: u64,
    min_rtt: Nanos,
    sample_rtt: Nanos,
    samples: Vec<u64>,
    /// The limit to restore after a minRTT measurement; non-zero exactly while measuring.
    deferred_limit: u64,
    min_rtt_epoch: Nanos,
    next_sample_reset: Option<Nanos>,
    next_min_rtt: Option<Nanos>,
    consecutive_min: u32,
    latest: Nanos,
}

impl Gradient {
    /// Validate and build; the first minRTT measurement starts at time zero, as Envoy starts
    /// one when the filter is created.
    pub fn new(cfg: GradientConfig) -> Result<Gradient, LimiterError> {
        let positive = |d: Nanos, name: &str| {
            if d.is_zero() {
                Err(LimiterError::invalid(name, "must be longer than zero"))
            } else {
                Ok(())
            }
        };
        positive(cfg.sample_interval, "sample_interval")?;
        positive(cfg.min_rtt_interval, "min_rtt_interval")?;
        positive(cfg.retry_hint, "retry_hint")?;
        if cfg.min_rtt_request_count == 0 {
            return Err(LimiterError::invalid(
                "min_rtt_request_count",
                "must be at least 1",
            ));
        }
        if cfg.min_concurrency == 0 {
            return Err(LimiterError::invalid(
                "min_concurrency",
                "must be at least 1",
            ));
        }
        if cfg.max_limit < cfg.min_concurrency {
            return Err(LimiterError::invalid(
                "max_limit",
                format!("must be at least min_concurrency ({})", cfg.min_concurrency),
            ));
        }
        if cfg.percentile_ppm == 0 || cfg.percentile_ppm > 1_000_000 {
            return Err(LimiterError::invalid("percentile", "must be in (0, 100]"));
        }
        let mut g = Gradient {
            cfg,
            limit: cfg.min_concurrency,
            in_flight: 0,
            min_rtt: Nanos::ZERO,
            sample_rtt: Nanos::ZERO,
            samples: Vec::new(),
            deferred_limit: 0,
            min_rtt_epoch: Nanos::ZERO,
            next_sample_reset: Some(cfg.sample_interval),
            next_min_rtt: None,
            consecutive_min: 0,
            latest: Nanos::ZERO,
        };
        g.enter_min_rtt_window(Nanos::ZERO);
        Ok(g)
    }

    /// The current concurrency limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
    /// The last measured minRTT (zero before the first measurement completes).
    pub fn min_rtt(&self) -> Nanos {
        self.min_rtt
    }
    /// The last sampleRTT.
    pub fn sample_rtt(&self) -> Nanos {
        self.sample_rtt
    }
    /// True while a minRTT measurement is in progress.
    pub fn in_min_rtt_window(&self) -> bool {
        self.deferred_limit > 0
    }
    /// Cost units in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    fn timers_due(&self, now: Nanos) -> bool {
        self.next_min_rtt.is_some_and(|t| t <= now)
            || self.next_sample_reset.is_some_and(|t| t <= now)
    }

    /// Fire every timer due at or before `now`, in time order.
    fn advance(&mut self, now: Nanos) {
        loop {
            let m = self.next_min_rtt.filter(|t| *t <= now);
            let s = self.next_sample_reset.filter(|t| *t <= now);
            match (m, s) {
                (None, None) => return,
                (Some(m), Some(s)) if s < m => self.sample_tick(s, now),
                (None, Some(s)) => self.sample_tick(s, now),
                (Some(m), _) => {
                    self.next_min_rtt = None;
                    self.enter_min_rtt_window(m);
                }
            }
        }
    }

    fn sample_tick(&mut self, at: Nanos, now: Nanos) {
        let every = self.cfg.sample_interval;
        if self.in_min_rtt_window() {
            // Envoy gives up on this timer; the end of the measurement re-arms it.
            self.next_sample_reset = None;
            return;
        }
        if self.samples.is_empty() {
            // Nothing changes until new samples arrive, which cannot happen before `now`:
            // skip every empty tick up to `now` (or to the next minRTT timer) in one step.
            let horizon = self.next_min_rtt.map_or(now, |m| m.min(now));
            let k = (horizon.0 - at.0) / every.0 + 1;
            self.next_sample_reset = Some(at + every.saturating_mul(k));
            return;
        }
        self.sample_rtt = self.take_percentile();
        let new_limit = self.calculate_new_limit();
        self.update_limit(new_limit, at);
        self.next_sample_reset = Some(at + every);
    }

    fn calculate_new_limit(&self) -> u64 {
        let min_rtt = self.min_rtt.0 as f64;
        let buffered = min_rtt + min_rtt * self.cfg.buffer_ppm as f64 / 1e6;
        let gradient = (buffered / self.sample_rtt.0.max(1) as f64).clamp(0.5, 2.0);
        let limit = self.limit as f64 * gradient;
        let new_limit = (limit + limit.sqrt()) as u64;
        new_limit.clamp(self.cfg.min_concurrency, self.cfg.max_limit)
    }

    fn enter_min_rtt_window(&mut self, at: Nanos) {
        if self.in_min_rtt_window() {
            return;
        }
        self.deferred_limit = self.limit;
        self.update_limit(self.cfg.min_concurrency, at);
        self.samples.clear();
        self.min_rtt_epoch = at;
    }

    fn update_limit(&mut self, new_limit: u64, at: Nanos) {
        let min = self.cfg.min_concurrency;
        let old = std::mem::replace(&mut self.limit, new_limit);
        if !self.in_min_rtt_window() && old == min && new_limit == min {
            self.consecutive_min += 1;
        } else {
            self.consecutive_min = 0;
        }
        if self.consecutive_min >= 5 {
            self.next_min_rtt = Some(at);
        }
    }

    /// The configured percentile of the current samples (nearest rank), clearing them.
    fn take_percentile(&mut self) -> Nanos {
        self.samples.sort_unstable();
        let n = self.samples.len() as u64;
        let rank = (n * self.cfg.percentile_ppm)
            .div_ceil(1_000_000)
            .clamp(1, n);
        let v = self.samples[(rank - 1) as usize];
        self.samples.clear();
        Nanos(v)
    }

    fn decide(&self, cost: u32) -> Decision {
        let (limit, max, hint) = (self.limit, self.cfg.max_limit, self.cfg.retry_hint);
        concurrency_decision(limit, max, self.in_flight, cost, hint)
    }
}

impl Limiter for Gradient {
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.latest = self.latest.max(now);
        self.advance(self.latest);
        let d = self.decide(cost);
        if d.allowed {
            self.in_flight += u64::from(cost);
        }
        d
    }

    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        let now = self.latest.max(now);
        if self.timers_due(now) {
            let mut ahead = self.clone();
            ahead.advance(now);
            return ahead.decide(cost);
        }
        self.decide(cost)
    }

    fn release(&mut self, now: Nanos, cost: u32, outcome: Outcome) {
        self.latest = self.latest.max(now);
        let now = self.latest;
        self.advance(now);
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
        if outcome.kind == OutcomeKind::Dropped || now - outcome.latency < self.min_rtt_epoch {
            return; // cancelled, or started before the current minRTT measurement
        }
        self.samples.push(outcome.latency.0);
        if self.in_min_rtt_window() && self.samples.len() >= self.cfg.min_rtt_request_count as usize
        {
            self.min_rtt = self.take_percentile();
            self.update_limit(self.deferred_limit, now);
            self.deferred_limit = 0;
            self.next_min_rtt = Some(now + self.cfg.min_rtt_interval);
            self.next_sample_reset = Some(now + self.cfg.sample_interval);
        }
    }

    /// Free the slot without learning anything (the request was never sent); the timers the
    /// check advanced to `now` would be advanced by any later call.
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.in_flight = self.in_flight.saturating_sub(u64::from(cost));
    }

    fn name(&self) -> &'static str {
        "gradient"
    }
}
