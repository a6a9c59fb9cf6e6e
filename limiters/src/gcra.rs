//! GCRA, the Generic Cell Rate Algorithm, in its "virtual scheduling" form.
//!
//! Semantics: ATM Forum Traffic Management Specification 4.0 (and ITU-T I.371), as used for
//! HTTP rate limiting by the `governor` crate and `redis-cell`. State is a single number, the
//! theoretical arrival time `TAT` of the next conforming request. With emission interval
//! `T = period / count` and tolerance `tau = T * (burst - 1)`, a request arriving at `t` conforms
//! iff `t >= TAT - tau`; then `TAT = max(TAT, t) + T`. A request of cost `n` is `n` cells arriving
//! together: it conforms iff `max(TAT, t) + n*T - t <= tau + T`.
//!
//! Why it is here beside [`crate::TokenBucket`]: GCRA *is* a token bucket seen from the time axis
//! (tokens = `tau + T - (TAT - t)` in token-nanoseconds). Both use `T = rate.time_for(1)` and
//! integer nanoseconds, so they answer identically, decision by decision (a property test in
//! `tests/window_algorithms.rs` checks it). GCRA needs one word of state, which is what makes the
//! lock-free [`crate::AtomicGcra`] possible.

use crate::token_bucket::{burst_param, capacity, emission_interval};
use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc, Rate};

mod verdict;
pub use verdict::GcraVerdict;

/// GCRA over integer nanoseconds.
///
/// ```
/// use limiters::{Gcra, Limiter, Nanos, Rate};
/// let mut g = Gcra::new(Rate::per_second(2).unwrap(), 2).unwrap();
/// assert!(g.check(Nanos::ZERO, 1).allowed);
/// assert!(g.check(Nanos::ZERO, 1).allowed);
/// let d = g.check(Nanos::ZERO, 1);
/// assert_eq!(d.retry_after, Some(Nanos::from_millis(500)));
/// ```
#[derive(Clone, Debug)]
pub struct Gcra {
    params: GcraParams,
    tat: u64,
    last: Nanos,
}

/// The immutable shape of a GCRA: everything but the TAT. Stored once per limiter here, once
/// per [`crate::AtomicGcra`], and once per *store* in [`crate::keyed::KeyedGcra`], whose keys
/// hold only their TAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GcraParams {
    rate: Rate,
    /// Emission interval `T`.
    interval: u64,
    burst: u64,
    /// `tau + T = burst * T`: how far ahead of `t` the TAT may run after an admission.
    horizon: u64,
}

impl GcraParams {
    /// `T = rate.time_for(1)`, `tau = T * (burst - 1)`; `burst` at least 1.
    pub fn new(rate: Rate, burst: u64) -> Result<GcraParams, LimiterError> {
        let interval = emission_interval(rate, "rate")?;
        if burst == 0 {
            return Err(LimiterError::invalid("burst", "must be at least 1, got 0"));
        }
        Ok(GcraParams {
            rate,
            interval,
            burst,
            horizon: capacity(interval, burst, "burst")?,
        })
    }

    /// The configured rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }
    /// The burst (the decision's `limit`).
    pub fn burst(&self) -> u64 {
        self.burst
    }
    /// The emission interval `T`.
    pub fn emission_interval(&self) -> Nanos {
        Nanos(self.interval)
    }
    /// The tolerance `tau = T * (burst - 1)`.
    pub fn tolerance(&self) -> Nanos {
        Nanos(self.horizon - self.interval)
    }

    /// The TAT before an admission of `cost` that left `tat` (as of the admission's `now`:
    /// `max(old TAT, now)`, which decides like the old TAT from `now` on).
    pub(crate) fn undo(&self, tat: u64, cost: u32) -> u64 {
        tat.saturating_sub(u64::from(cost).saturating_mul(self.interval))
    }

    /// The GCRA decision, as a pure function: a request of `cost` at `t` against theoretical
    /// arrival time `tat`. Returns the decision and, when admitted, the new TAT (`None`: the
    /// TAT is unchanged). It is [`GcraParams::judge`] and then [`GcraVerdict::decision`], the one
    /// place the formula is written: [`Gcra`], [`crate::AtomicGcra`] and the keyed GCRA stores
    /// all call it.
    ///
    /// ```
    /// use limiters::{GcraParams, Nanos, Rate};
    /// let p = GcraParams::new(Rate::per_second(10).unwrap(), 2).unwrap();
    /// let (d, tat) = p.step(0, Nanos::ZERO, 2);
    /// assert!(d.allowed);
    /// assert_eq!(tat, Some(200_000_000));
    /// let (d, tat) = p.step(200_000_000, Nanos::ZERO, 1);
    /// assert_eq!((d.allowed, tat), (false, None));
    /// assert_eq!(d.retry_after, Some(Nanos::from_millis(100)));
    /// ```
    #[inline]
    pub fn step(&self, tat: u64, now: Nanos, cost: u32) -> (Decision, Option<u64>) {
        let (v, tat) = self.judge(tat, now, cost);
        (v.decision(self), tat)
    }
}

impl Gcra {
    /// Registered name.
    pub const NAME: &'static str = "gcra";

    /// GCRA admitting `rate` with bursts of up to `burst` requests.
    pub fn new(rate: Rate, burst: u64) -> Result<Gcra, LimiterError> {
        Ok(Gcra {
            params: GcraParams::new(rate, burst)?,
            tat: 0,
            last: Nanos::ZERO,
        })
    }

    /// The emission interval `T`.
    pub fn emission_interval(&self) -> Nanos {
        self.params.emission_interval()
    }

    /// The tolerance `tau = T * (burst - 1)`.
    pub fn tolerance(&self) -> Nanos {
        self.params.tolerance()
    }

    /// The configured rate.
    pub fn rate(&self) -> Rate {
        self.params.rate
    }

    /// The shape (everything but the state).
    pub fn params(&self) -> GcraParams {
        self.params
    }

    /// (decision, new TAT, clamped now).
    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, Nanos) {
        let now = now.max(self.last);
        let (d, tat) = self.params.step(self.tat, now, cost);
        (d, tat.unwrap_or(self.tat), now)
    }

    /// [`Limiter::check`] without the decision's figures, for hot paths that need only
    /// admitted-or-not: the state changes exactly as with `check`, and
    /// [`GcraVerdict::decision`] gives `check`'s decision when it is wanted.
    #[inline]
    pub fn admit(&mut self, now: Nanos, cost: u32) -> GcraVerdict {
        let now = now.max(self.last);
        let (v, tat) = self.params.judge(self.tat, now, cost);
        if let Some(tat) = tat {
            self.tat = tat;
        }
        self.last = now;
        v
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "GCRA virtual scheduling: TAT, T = period/count, tau = T*(burst-1) \
                      (ATM Forum TM 4.0; as in governor and redis-cell)",
            params: &[
                ParamDoc {
                    name: "rate",
                    help: "sustained rate such as \"10/s\" (required)",
                },
                ParamDoc {
                    name: "burst",
                    help: "requests admitted at once from idle, at least 1 (default: the rate's count)",
                },
            ],
            factory: |p| {
                let rate = p.rate("rate")?;
                Ok(Box::new(Gcra::new(rate, burst_param(p, rate)?)?))
            },
        }
    }
}

impl Limiter for Gcra {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        self.admit(now, cost).decision(&self.params)
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check set `TAT = max(TAT, now) + cost * T`; back to `max(TAT, now)`, which decides
    /// exactly like the old TAT from `now` on.
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.tat = self.params.undo(self.tat, cost);
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Nanos {
        Nanos::from_millis(v)
    }
    fn gcra(rate: &str, burst: u64) -> Gcra {
        Gcra::new(rate.parse().unwrap(), burst).unwrap()
    }

    #[test]
    fn interval_and_tolerance_follow_the_spec() {
        let g = gcra("10/s", 5);
        assert_eq!(g.emission_interval(), ms(100));
        assert_eq!(g.tolerance(), ms(400));
    }

    #[test]
    fn burst_then_one_per_interval() {
        let mut g = gcra("10/s", 3);
        for _ in 0..3 {
            assert!(g.check(ms(0), 1).allowed);
        }
        assert!(!g.check(ms(0), 1).allowed);
        assert!(!g.check(ms(99), 1).allowed);
        assert!(g.check(ms(100), 1).allowed);
        assert!(!g.check(ms(150), 1).allowed);
        assert!(g.check(ms(200), 1).allowed);
    }

    #[test]
    fn retry_after_exact_and_reset() {
        let mut g = gcra("10/s", 4);
        let d = g.check(ms(0), 3);
        assert_eq!((d.remaining, d.reset_after), (1, ms(300)));
        let d = g.check(ms(10), 3);
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Some(ms(190)));
        assert!(!g.peek(ms(200) - Nanos(1), 3).allowed);
        assert!(g.peek(ms(200), 3).allowed);
    }

    #[test]
    fn never_backwards_and_idle() {
        let mut g = gcra("10/s", 2);
        assert!(g.check(ms(0), 3).is_never());
        assert!(g.check(ms(1000), 2).allowed);
        assert!(
            !g.check(ms(0), 1).allowed,
            "earlier now is judged as 1000ms"
        );
        let d = g.peek(Nanos::from_secs(100), 0);
        assert_eq!((d.remaining, d.reset_after), (2, Nanos::ZERO));
    }

    #[test]
    fn bad_parameters() {
        let r: Rate = "10/s".parse().unwrap();
        assert_eq!(Gcra::new(r, 0).unwrap_err().param(), Some("burst"));
        assert_eq!(
            Gcra::new(r, u64::MAX / 4).unwrap_err().param(),
            Some("burst")
        );
    }
}
