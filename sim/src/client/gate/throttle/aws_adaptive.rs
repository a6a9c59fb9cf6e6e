//! The AWS SDKs' "adaptive" retry mode client rate limiter (botocore
//! `botocore/retries/adaptive.py` `ClientRateLimiter` and `RateClocker`,
//! `botocore/retries/bucket.py` `TokenBucket`; the same constants in aws-sdk-rust's
//! `client_rate_limiter.rs`):
//!
//! - **measured send rate** (`RateClocker`): responses are counted in half-second buckets;
//!   when a response falls in a later bucket, `rate = count / (bucket - last_bucket)` is
//!   smoothed into `measured = 0.8 * rate + 0.2 * measured`;
//! - **token bucket**: disabled until the first throttle; then every attempt takes one token,
//!   waiting for it if needed. `max_rate = v` sets `fill_rate = max(v, 0.5)` (minimum fill rate
//!   0.5/s) and `max_capacity = max(v, 1)`; the bucket starts empty;
//! - **on a throttle**: `rate = measured` (first time) or `min(measured, fill_rate)`, then
//!   `new = CUBIC.error_received(rate)` (= rate * 0.7); **on any other response** (timeouts
//!   included, as in botocore): `new = CUBIC.success_received(now)`;
//! - then `max_rate = min(new, 2 * measured)`.
//!
//! A blocked `acquire` becomes [`GateDecision::Delay`] of `(1 - balance) / fill_rate` (botocore's
//! `_sleep_amount`), and the client asks again after it, as botocore's waiter loops: several
//! waiters waking together compete for the token. (botocore also wakes waiters when the rate
//! changes; here they keep their sleep.) Rates are `f64` (a control law); every timestamp is
//! integer [`Nanos`].

use super::Cubic;
use crate::client::gate::outcome::{legacy_gate_methods, matches, throttle_statuses};
use crate::retry::{AttemptResult, ClientGate, GateCall, GateDecision, StatusSet};
use limiters::Nanos;
use rand::RngCore;

/// Smoothing of the measured rate (`_DEFAULT_SMOOTHING`).
pub const SMOOTHING: f64 = 0.8;
/// Minimum fill rate, tokens per second (`_MIN_RATE`).
pub const MIN_FILL_RATE: f64 = 0.5;
/// Width of the rate clocker's buckets (`_TIME_BUCKET_RANGE` = 0.5 s).
pub const RATE_BUCKET: Nanos = Nanos::from_millis(500);
/// `_MAX_RATE_ADJUST_SCALE`: the new rate is at most twice the measured rate.
pub const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

/// botocore `RateClocker`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateClocker {
    measured: f64,
    last_bucket: Nanos,
    count: u64,
}

impl RateClocker {
    /// A clocker created at `now` (its first bucket is the whole second of `now`).
    pub fn new(now: Nanos) -> RateClocker {
        RateClocker {
            measured: 0.0,
            last_bucket: Nanos::from_secs(now.as_secs()),
            count: 0,
        }
    }
    /// Count one response at `now`; the measured rate.
    pub fn record(&mut self, now: Nanos) -> f64 {
        let bucket = Nanos(now.as_nanos() - now.as_nanos() % RATE_BUCKET.as_nanos());
        self.count += 1;
        if bucket > self.last_bucket {
            let rate = self.count as f64 / (bucket - self.last_bucket).as_secs_f64();
            self.measured = rate * SMOOTHING + self.measured * (1.0 - SMOOTHING);
            self.count = 0;
            self.last_bucket = bucket;
        }
        self.measured
    }
    /// The measured rate.
    pub fn measured(&self) -> f64 {
        self.measured
    }
}

/// botocore `TokenBucket` (with reservation instead of blocking).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SdkTokenBucket {
    fill_rate: f64,
    max_capacity: f64,
    current: f64,
    last: Option<Nanos>,
}

impl SdkTokenBucket {
    /// `TokenBucket(max_rate)`: empty.
    pub fn new(max_rate: f64) -> SdkTokenBucket {
        let mut b = SdkTokenBucket {
            fill_rate: MIN_FILL_RATE,
            max_capacity: 1.0,
            current: 0.0,
            last: None,
        };
        b.apply_max_rate(max_rate);
        b
    }
    fn apply_max_rate(&mut self, v: f64) {
        self.fill_rate = v.max(MIN_FILL_RATE);
        self.max_capacity = if v >= 1.0 { v } else { 1.0 };
        self.current = self.current.min(self.max_capacity);
    }
    fn refill(&mut self, now: Nanos) {
        let Some(last) = self.last else {
            self.last = Some(now);
            return;
        };
        let add = (now - last).as_secs_f64() * self.fill_rate;
        self.current = (self.current + add).min(self.max_capacity);
        self.last = Some(now.max(last));
    }
    /// Set the rate at `now` (tokens accrued so far are added at the old rate first).
    pub fn set_max_rate(&mut self, now: Nanos, v: f64) {
        self.refill(now);
        self.apply_max_rate(v);
    }
    /// Take one token at `now` if there is one (`None`); else the wait until one will be
    /// there at the current rate (`_sleep_amount`), taking nothing: the caller asks again then.
    pub fn try_acquire(&mut self, now: Nanos) -> Option<Nanos> {
        self.refill(now);
        if self.current >= 1.0 {
            self.current -= 1.0;
            return None;
        }
        Some(Nanos(
            ((1.0 - self.current) / self.fill_rate * 1e9)
                .ceil()
                .max(1.0) as u64,
        ))
    }
    /// The fill rate (tokens per second).
    pub fn fill_rate(&self) -> f64 {
        self.fill_rate
    }
    /// The balance.
    pub fn available(&self) -> f64 {
        self.current
    }
}

/// The adaptive mode's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveConfig {
    /// Statuses that are throttling errors (default 429).
    pub throttle_on: StatusSet,
}

impl Default for AdaptiveConfig {
    fn default() -> AdaptiveConfig {
        AdaptiveConfig {
            throttle_on: throttle_statuses(),
        }
    }
}

/// botocore `ClientRateLimiter`, as a [`ClientGate`] (every attempt goes through it).
#[derive(Clone, Debug)]
pub struct AdaptiveRateLimiter {
    cfg: AdaptiveConfig,
    cubic: Cubic,
    clocker: RateClocker,
    bucket: SdkTokenBucket,
    enabled: bool,
}

impl AdaptiveRateLimiter {
    /// A limiter created at `now`, as `register_retry_handler` builds it.
    pub fn new(cfg: AdaptiveConfig, now: Nanos) -> AdaptiveRateLimiter {
        AdaptiveRateLimiter {
            cfg,
            cubic: Cubic::new(0.0, now),
            clocker: RateClocker::new(now),
            bucket: SdkTokenBucket::new(1.0),
            enabled: false,
        }
    }
    /// Whether the bucket is in use (after the first throttle).
    pub fn enabled(&self) -> bool {
        self.enabled
    }
    /// The bucket's fill rate (the client's send rate limit).
    pub fn fill_rate(&self) -> f64 {
        self.bucket.fill_rate()
    }
    /// The measured rate.
    pub fn measured(&self) -> f64 {
        self.clocker.measured()
    }
    /// Before sending at `now`: `None` to send, or how long to wait before asking again.
    pub fn on_sending(&mut self, now: Nanos) -> Option<Nanos> {
        if self.enabled {
            self.bucket.try_acquire(now)
        } else {
            None
        }
    }
    /// A response (or timeout) at `now`.
    pub fn on_response(&mut self, now: Nanos, throttled: bool) {
        let measured = self.clocker.record(now);
        let new_rate = if throttled {
            let rate = if self.enabled {
                measured.min(self.bucket.fill_rate())
            } else {
                measured
            };
            self.enabled = true;
            self.cubic.error_received(rate, now)
        } else {
            self.cubic.success_received(now)
        };
        self.bucket
            .set_max_rate(now, new_rate.min(MAX_RATE_ADJUST_SCALE * measured));
    }
}

impl ClientGate for AdaptiveRateLimiter {
    legacy_gate_methods!();

    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn RngCore) -> GateDecision {
        match self.on_sending(call.now) {
            None => GateDecision::Allow,
            Some(w) => GateDecision::Delay(w),
        }
    }

    fn observe_call(&mut self, call: &GateCall, result: &AttemptResult) {
        let throttled = matches(result, &self.cfg.throttle_on, false);
        self.on_response(call.now, throttled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocker_smooths_per_half_second() {
        let mut c = RateClocker::new(Nanos::ZERO);
        for i in 0..10 {
            c.record(Nanos::from_millis(i * 10)); // all in bucket 0: no update
        }
        assert_eq!(c.measured(), 0.0);
        // 11th response at 0.5 s: 11 responses over 0.5 s = 22/s, smoothed: 0.8 * 22.
        let m = c.record(Nanos::from_millis(500));
        assert!((m - 17.6).abs() < 1e-9);
        // One more at 1.5 s: 1 / 1.0 s = 1/s -> 0.8 * 1 + 0.2 * 17.6 = 4.32.
        assert!((c.record(Nanos::from_millis(1_500)) - 4.32).abs() < 1e-9);
    }

    #[test]
    fn bucket_starts_empty_refills_and_takes_only_whole_tokens() {
        let mut b = SdkTokenBucket::new(1.0);
        assert_eq!(b.try_acquire(Nanos::ZERO), Some(Nanos::from_secs(1))); // empty: 1 / 1 s
        b.set_max_rate(Nanos::ZERO, 4.0);
        assert_eq!(b.try_acquire(Nanos::ZERO), Some(Nanos::from_millis(250)));
        // 100 ms later: 0.4 tokens; 0.6 more at 4/s = 150 ms.
        assert_eq!(
            b.try_acquire(Nanos::from_millis(100)),
            Some(Nanos::from_millis(150))
        );
        // 3 s later: 0.4 + 11.6, capped at 4.
        assert_eq!(b.try_acquire(Nanos::from_secs(3)), None);
        assert!((b.available() - 3.0).abs() < 1e-9);
        b.set_max_rate(Nanos::from_secs(3), 0.1);
        assert_eq!(b.fill_rate(), MIN_FILL_RATE);
        assert!((b.available() - 1.0).abs() < 1e-9); // capacity 1
    }

    #[test]
    fn a_throttle_cuts_to_seventy_percent_of_the_measured_rate() {
        let mut l = AdaptiveRateLimiter::new(AdaptiveConfig::default(), Nanos::ZERO);
        // 20 successes in [0, 1 s), then one in the next second's first bucket.
        for i in 0..20 {
            l.on_response(Nanos::from_millis(i * 50), false);
        }
        assert!(!l.enabled());
        // Bucket 0.5 s was reached at i = 10: 11 / 0.5 = 22/s -> measured 17.6.
        // The throttle at 1.0 s: 10 more / 0.5 s = 20/s -> 0.8*20 + 0.2*17.6 = 19.52.
        l.on_response(Nanos::from_secs(1), true);
        assert!(l.enabled());
        let m = 0.8 * 20.0 + 0.2 * 17.6;
        assert!((l.measured() - m).abs() < 1e-9);
        assert!((l.fill_rate() - 0.7 * m).abs() < 1e-9);
        // A success 2 s later: CUBIC 0.4 * (2 - k)^3 + m, capped at 2 * measured.
        let k = (m * 0.3 / 0.4).cbrt();
        l.on_response(Nanos::from_secs(3), false);
        let m2 = 0.8 * (1.0 / 2.0) + 0.2 * m;
        let want = (0.4 * (2.0 - k).powi(3) + m).min(2.0 * m2);
        assert!((l.fill_rate() - want.max(MIN_FILL_RATE)).abs() < 1e-9);
    }
}
