//! `stepped_bucket` against a literal replay of Envoy's timer: a reference that fires every tick
//! one by one (`tokens = min(max_tokens, tokens + tokens_per_fill)`, as
//! `TimerTokenBucket::onFillTimer` does) and takes one token per request while any is left (as
//! `TimerTokenBucket::consume` does). The limiter must answer every request the same way, and its
//! `retry_after` must name the first tick at which the reference would admit.

use limiters::{Limiter, Nanos, SteppedBucket};
use proptest::prelude::*;

struct Timer {
    max: u64,
    per_fill: u64,
    interval: u64,
    tokens: u64,
    fired: u64,
}

impl Timer {
    fn advance(&mut self, t: u64) {
        while (self.fired + 1) * self.interval <= t {
            self.fired += 1;
            self.tokens = (self.tokens + self.per_fill).min(self.max);
        }
    }
    fn consume(&mut self, t: u64) -> bool {
        self.advance(t);
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn equals_envoys_timer_request_by_request(
        max in 1u64..12,
        per_fill in 1u64..6,
        interval_ms in 50u64..400,
        gaps in prop::collection::vec(0u64..300_000_000, 1..120),
    ) {
        let interval = interval_ms * 1_000_000;
        let mut lim = SteppedBucket::new(max, per_fill, Nanos(interval)).unwrap();
        let mut reference = Timer { max, per_fill, interval, tokens: max, fired: 0 };
        let mut t = 0u64;
        for gap in gaps {
            t += gap;
            let d = lim.check(Nanos(t), 1);
            prop_assert_eq!(d.allowed, reference.consume(t), "at {}ns", t);
            prop_assert!(d.remaining <= max);
            if let Some(wait) = d.retry_after {
                // the reference has no token until exactly the tick at t + wait
                let at = t + wait.as_nanos();
                prop_assert_eq!(at % interval, 0, "retry_after lands on a tick");
                let mut probe = Timer { ..reference };
                probe.advance(at - 1);
                prop_assert_eq!(probe.tokens, 0);
                probe.advance(at);
                prop_assert!(probe.tokens > 0);
            }
        }
    }

    #[test]
    fn never_more_than_max_plus_the_ticks_between(
        max in 1u64..8,
        per_fill in 1u64..4,
        gaps in prop::collection::vec((0u64..120_000_000, 1u32..4), 1..80),
    ) {
        let interval = 50_000_000u64;
        let mut lim = SteppedBucket::new(max, per_fill, Nanos(interval)).unwrap();
        let mut admitted: Vec<(u64, u64)> = Vec::new();
        let mut t = 0u64;
        for (gap, cost) in gaps {
            t += gap;
            if lim.check(Nanos(t), cost).allowed {
                admitted.push((t, u64::from(cost)));
            }
        }
        for i in 0..admitted.len() {
            let mut sum = 0;
            for &(tj, c) in &admitted[i..] {
                sum += c;
                let ticks = tj / interval - admitted[i].0 / interval;
                prop_assert!(sum <= max + per_fill * ticks);
            }
        }
    }
}
