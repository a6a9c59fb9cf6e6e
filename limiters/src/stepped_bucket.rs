//! Stepped token bucket: `max_tokens` tokens, refilled by whole `tokens_per_fill` steps on a
//! timer that fires every `fill_interval` — not continuously.
//!
//! Semantics: Envoy's timer-based local rate limit bucket (`envoy.filters.http.local_ratelimit`
//! before 1.31, and after it with the runtime guard
//! `envoy.reloadable_features.no_timer_based_rate_limit_token_bucket: false`), as written in
//! `source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc`
//! (<https://github.com/envoyproxy/envoy>, `TimerTokenBucket::onFillTimer` and
//! `TimerTokenBucket::consume`):
//! - the bucket starts full (`tokens_ = max_tokens`) when the filter is built (time 0 here);
//! - the fill timer fires every `fill_interval`, and each firing does
//!   `tokens = min(max_tokens, tokens + tokens_per_fill)`; between firings nothing refills;
//! - a request takes one token if any is left (`expected_tokens == 0` -> limited).
//!
//! So at most `max_tokens` pass at once, and then exactly `tokens_per_fill` more at each timer
//! tick: a client that waits half an interval gets nothing, which a continuous bucket of the same
//! average rate would not do. That step is why this is its own algorithm (the continuous
//! [`crate::TokenBucket`] models Envoy 1.31+'s `AtomicTokenBucket` instead). The constructor
//! refuses `fill_interval < 50ms`, as Envoy does ("local rate limit token bucket fill timer must
//! be >= 50ms").
//!
//! The timer is modelled on its ideal grid (`k * fill_interval`, k >= 1); Envoy re-arms it after
//! each firing, so its real ticks drift late by the event loop's latency. A request arriving at
//! the very instant of a tick sees the tick's tokens. A `cost` above 1 takes `cost` tokens at
//! once (Envoy's HTTP filter always takes 1).

use crate::{Decision, Entry, Limiter, LimiterError, Nanos, ParamDoc};

/// Envoy's minimum `fill_interval` for the timer-based bucket.
pub const MIN_FILL_INTERVAL: Nanos = Nanos::from_millis(50);

/// A stepped (timer-refilled) token bucket.
///
/// ```
/// use limiters::{Limiter, Nanos, SteppedBucket};
/// // Envoy: max_tokens 2, tokens_per_fill 1, fill_interval 1s
/// let mut b = SteppedBucket::new(2, 1, Nanos::from_secs(1)).unwrap();
/// assert!(b.check(Nanos::ZERO, 1).allowed && b.check(Nanos::ZERO, 1).allowed);
/// let d = b.check(Nanos::from_millis(999), 1);
/// assert!(!d.allowed); // no refill before the timer fires, however close
/// assert_eq!(d.retry_after, Some(Nanos::from_millis(1)));
/// assert!(b.check(Nanos::from_secs(1), 1).allowed); // the tick at 1s adds one token
/// assert!(!b.check(Nanos::from_millis(1500), 1).allowed);
/// ```
#[derive(Clone, Debug)]
pub struct SteppedBucket {
    max: u64,
    per_fill: u64,
    interval: u64,
    tokens: u64,
    /// Timer ticks applied so far: `last / interval`.
    ticks: u64,
    last: Nanos,
}

impl SteppedBucket {
    /// Registered name.
    pub const NAME: &'static str = "stepped_bucket";

    /// A full bucket of `max_tokens`, plus `tokens_per_fill` at every `k * fill_interval`.
    pub fn new(
        max_tokens: u64,
        tokens_per_fill: u64,
        fill_interval: Nanos,
    ) -> Result<SteppedBucket, LimiterError> {
        if max_tokens == 0 {
            return Err(LimiterError::invalid(
                "max_tokens",
                "must be at least 1, got 0",
            ));
        }
        if tokens_per_fill == 0 {
            return Err(LimiterError::invalid(
                "tokens_per_fill",
                "must be at least 1, got 0",
            ));
        }
        if fill_interval < MIN_FILL_INTERVAL {
            return Err(LimiterError::invalid(
                "fill_interval",
                format!(
                    "must be at least 50ms, got {fill_interval} (Envoy refuses a faster fill timer)"
                ),
            ));
        }
        Ok(SteppedBucket {
            max: max_tokens,
            per_fill: tokens_per_fill,
            interval: fill_interval.as_nanos(),
            tokens: max_tokens,
            ticks: 0,
            last: Nanos::ZERO,
        })
    }

    /// Tokens and ticks at `t` (not before the last call).
    #[inline]
    fn at(&self, t: u64) -> (u64, u64) {
        let k = t / self.interval;
        let added = (k - self.ticks).saturating_mul(self.per_fill);
        (self.tokens.saturating_add(added).min(self.max), k)
    }

    /// Time from `t` (in tick `k`) until `n` more tokens have been added: the next tick, then
    /// one tick per further `tokens_per_fill`.
    #[inline]
    fn time_for(&self, t: u64, k: u64, n: u64) -> Nanos {
        if n == 0 {
            return Nanos::ZERO;
        }
        let steps = n.div_ceil(self.per_fill);
        let next = (k + 1).saturating_mul(self.interval).saturating_sub(t);
        Nanos(next.saturating_add((steps - 1).saturating_mul(self.interval)))
    }

    /// (decision, tokens, ticks, clamped now).
    #[inline]
    fn decide(&self, now: Nanos, cost: u32) -> (Decision, u64, u64, Nanos) {
        let now = now.max(self.last);
        let t = now.as_nanos();
        let (tokens, k) = self.at(t);
        let cost = u64::from(cost);
        if cost > self.max {
            return (Decision::never(self.max), tokens, k, now);
        }
        if cost <= tokens {
            let left = tokens - cost;
            let d = Decision::allow(self.max, left, self.time_for(t, k, self.max - left));
            (d, left, k, now)
        } else {
            let d = Decision::deny(
                self.max,
                tokens,
                self.time_for(t, k, self.max - tokens),
                self.time_for(t, k, cost - tokens),
            );
            (d, tokens, k, now)
        }
    }

    /// The registry entry.
    pub fn entry() -> Entry {
        Entry {
            name: Self::NAME,
            summary: "stepped token bucket: `max_tokens`, plus `tokens_per_fill` on a timer every \
                      `fill_interval` (>= 50ms), no refill between ticks (Envoy local_ratelimit's \
                      timer-based bucket)",
            params: &[
                ParamDoc {
                    name: "max_tokens",
                    help: "bucket size, also its content at time 0, at least 1 (required)",
                },
                ParamDoc {
                    name: "tokens_per_fill",
                    help: "tokens added at each tick, at least 1 (default 1)",
                },
                ParamDoc {
                    name: "fill_interval",
                    help: "time between ticks, a duration of at least \"50ms\" (required)",
                },
            ],
            factory: |p| {
                Ok(Box::new(SteppedBucket::new(
                    p.positive_u64("max_tokens")?,
                    p.u64_or("tokens_per_fill", 1)?,
                    p.duration("fill_interval")?,
                )?))
            },
        }
    }
}

impl Limiter for SteppedBucket {
    #[inline]
    fn check(&mut self, now: Nanos, cost: u32) -> Decision {
        let (d, tokens, ticks, now) = self.decide(now, cost);
        self.tokens = tokens;
        self.ticks = ticks;
        self.last = now;
        d
    }
    fn peek(&self, now: Nanos, cost: u32) -> Decision {
        self.decide(now, cost).0
    }
    /// The check brought the bucket to `now`'s tick and took `cost`: put the tokens back (ticks
    /// from there on add exactly what they would have added).
    fn undo(&mut self, _now: Nanos, cost: u32) {
        self.tokens = self.tokens.saturating_add(u64::from(cost)).min(self.max);
    }
    fn name(&self) -> &'static str {
        Self::NAME
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    fn ms(v: u64) -> Nanos {
        Nanos::from_millis(v)
    }

    #[test]
    fn refills_in_whole_steps_at_ticks_only() {
        // Envoy docs' example shape: max 10, 5 per fill, every 100ms
        let mut b = SteppedBucket::new(10, 5, ms(100)).unwrap();
        for _ in 0..10 {
            assert!(b.check(ms(10), 1).allowed);
        }
        let d = b.check(ms(99), 1);
        assert_eq!((d.allowed, d.retry_after), (false, Some(ms(1))));
        for _ in 0..5 {
            assert!(b.check(ms(100), 1).allowed);
        }
        assert!(!b.check(ms(199), 1).allowed);
        // two ticks (200, 300) while idle: +10, capped at 10
        let d = b.peek(ms(300), 0);
        assert_eq!((d.remaining, d.reset_after), (10, Nanos::ZERO));
    }

    #[test]
    fn reset_and_retry_count_ticks() {
        let mut b = SteppedBucket::new(7, 3, ms(50)).unwrap();
        let d = b.check(ms(20), 7);
        // 7 missing, 3 per tick: ticks at 50, 100, 150 -> full at 150
        assert_eq!((d.remaining, d.reset_after), (0, ms(130)));
        let d = b.check(ms(60), 5); // tick at 50 gave 3
        assert_eq!(
            (d.allowed, d.remaining, d.retry_after),
            (false, 3, Some(ms(40)))
        );
        assert!(b.check(ms(100), 5).allowed); // 6 at the tick of 100
        assert!(b.check(ms(20), 8).is_never());
    }

    #[test]
    fn backwards_time_and_undo() {
        let mut b = SteppedBucket::new(1, 1, ms(100)).unwrap();
        assert!(b.check(ms(150), 1).allowed);
        assert!(
            !b.check(ms(0), 1).allowed,
            "judged at 150ms: no token until 200ms"
        );
        assert!(b.check(ms(200), 1).allowed);
        b.undo(ms(200), 1);
        assert!(b.check(ms(200), 1).allowed);
    }

    #[test]
    fn parameters_validate_with_envoys_minimum() {
        let e = SteppedBucket::new(1, 1, ms(49)).unwrap_err();
        assert_eq!(e.param(), Some("fill_interval"));
        assert!(e.to_string().contains("50ms"), "{e}");
        assert_eq!(
            SteppedBucket::new(0, 1, ms(50)).unwrap_err().param(),
            Some("max_tokens")
        );
        assert_eq!(
            SteppedBucket::new(1, 0, ms(50)).unwrap_err().param(),
            Some("tokens_per_fill")
        );
        let p = Params::new()
            .with("max_tokens", 4i64)
            .with("fill_interval", "1s");
        let l = (SteppedBucket::entry().factory)(&p).unwrap();
        assert_eq!(l.peek(ms(0), 1).limit, 4);
    }
}
