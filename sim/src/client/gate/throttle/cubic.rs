//! The CUBIC rate calculator of the AWS SDKs' adaptive retry mode (botocore
//! `botocore/retries/throttling.py` `CubicCalculator`; aws-sdk-rust
//! `aws-smithy-runtime` `client_rate_limiter.rs`), after CUBIC congestion control (Ha, Rhee
//! and Xu, 2008; RFC 8312):
//!
//! - on a throttle at time `t` while sending at `r`: `w_max = r`,
//!   `k = cbrt(w_max * (1 - beta) / C)`, `last_fail = t`; the new rate is `r * beta`;
//! - on a success at time `t`: the rate is `C * (t - last_fail - k)^3 + w_max`;
//!
//! with `beta = 0.7` and `C = 0.4` (the scale constant). The rate is a control law computed in
//! `f64`; the times are integer [`Nanos`], turned into seconds only for the formula.

use limiters::Nanos;

/// `beta`: how much to scale back after a throttle.
pub const CUBIC_BETA: f64 = 0.7;
/// `C`: how aggressively to grow back.
pub const CUBIC_SCALE: f64 = 0.4;

/// The calculator.
///
/// ```
/// use sim::client::gate::Cubic;
/// use limiters::Nanos;
/// let mut c = Cubic::new(0.0, Nanos::ZERO);
/// assert_eq!(c.error_received(10.0, Nanos::from_secs(1)), 7.0);
/// // Back at w_max exactly k seconds after the throttle.
/// let k = (10.0f64 * 0.3 / 0.4).cbrt();
/// let at = Nanos::from_secs(1) + Nanos((k * 1e9).round() as u64);
/// assert!((c.success_received(at) - 10.0).abs() < 1e-6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cubic {
    w_max: f64,
    k: f64,
    last_fail: Nanos,
    beta: f64,
    scale: f64,
}

impl Cubic {
    /// A calculator with `starting_max_rate` (botocore starts at 0) at `start`.
    pub fn new(starting_max_rate: f64, start: Nanos) -> Cubic {
        let mut c = Cubic {
            w_max: starting_max_rate,
            k: 0.0,
            last_fail: start,
            beta: CUBIC_BETA,
            scale: CUBIC_SCALE,
        };
        c.k = c.zero_point();
        c
    }

    fn zero_point(&self) -> f64 {
        (self.w_max * (1.0 - self.beta) / self.scale).cbrt()
    }

    /// The rate for a success at `now`.
    pub fn success_received(&self, now: Nanos) -> f64 {
        let dt = (now - self.last_fail).as_secs_f64();
        self.scale * (dt - self.k).powi(3) + self.w_max
    }

    /// A throttle at `now` while sending at `current_rate`: the new rate.
    pub fn error_received(&mut self, current_rate: f64, now: Nanos) -> f64 {
        self.w_max = current_rate;
        self.k = self.zero_point();
        self.last_fail = now;
        current_rate * self.beta
    }

    /// `(w_max, k, last_fail)`.
    pub fn params(&self) -> (f64, f64, Nanos) {
        (self.w_max, self.k, self.last_fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_concave_then_convex_around_w_max() {
        let mut c = Cubic::new(0.0, Nanos::ZERO);
        c.error_received(20.0, Nanos::ZERO);
        let (w, k, _) = c.params();
        assert_eq!(w, 20.0);
        assert!((k - 15.0f64.cbrt()).abs() < 1e-12);
        // Right after the throttle: 0.4 * (0 - k)^3 + 20 = 20 - 0.4 * 15 = 14 = 20 * 0.7.
        assert!((c.success_received(Nanos::ZERO) - 14.0).abs() < 1e-9);
        // After 5 s: 0.4 * (5 - k)^3 + 20.
        let want = 0.4 * (5.0 - k).powi(3) + 20.0;
        assert!((c.success_received(Nanos::from_secs(5)) - want).abs() < 1e-9);
        assert!(want > 20.0);
    }
}
