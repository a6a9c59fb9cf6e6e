//! Property tests of the classic rate algorithms over random request streams: they never admit
//! more than their bound over any interval, their `Decision`s are truthful (`retry_after` exact
//! to the nanosecond, `remaining` exact, `reset_after` the time back to full capacity), the exact
//! ones agree with brute-force reference models, and GCRA equals the token bucket decision by
//! decision.

use limiters::{
    AtomicGcra, AtomicTokenBucket, Decision, FixedWindow, Gcra, LeakyBucket, Limiter, Nanos, Rate,
    SlidingCounter, SlidingLog, TokenBucket,
};
use proptest::prelude::*;

/// One request: a time step (forwards, or backwards to test clock skew) and a cost.
#[derive(Clone, Copy, Debug)]
struct Step {
    gap: u64,
    back: bool,
    cost: u32,
}

fn stream(max_gap: u64, max_cost: u32, backwards: bool) -> impl Strategy<Value = Vec<Step>> {
    let gap = prop_oneof![Just(0u64), 0..1_000u64, 0..=max_gap];
    let back = if backwards {
        prop::bool::weighted(0.1).boxed()
    } else {
        Just(false).boxed()
    };
    prop::collection::vec(
        (gap, back, 0..=max_cost).prop_map(|(gap, back, cost)| Step { gap, back, cost }),
        1..160,
    )
}

/// Runs `steps` through `lim`, asserting every decision is truthful; returns the admissions as
/// `(effective time, cost, decision)`. `full` is the capacity a rested limiter reports as
/// `remaining`; `never_above` the largest cost that can ever pass.
fn run<L: Limiter>(
    lim: &mut L,
    steps: &[Step],
    full: u64,
    never_above: u64,
) -> Vec<(u64, u64, Decision)> {
    let mut t = 0u64;
    let mut latest = 0u64;
    let mut admitted = Vec::new();
    for s in steps {
        t = if s.back {
            t.saturating_sub(s.gap)
        } else {
            t + s.gap
        };
        latest = latest.max(t);
        let now = Nanos(latest);
        let peeked = lim.peek(Nanos(t), s.cost);
        let d = lim.check(Nanos(t), s.cost);
        assert_eq!(peeked, d, "peek must predict check at {t}");
        let cost = u64::from(s.cost);
        assert_eq!(
            d.is_never(),
            cost > never_above,
            "never iff cost > capacity: {d:?}"
        );
        if d.is_never() {
            continue;
        }
        if d.allowed {
            admitted.push((latest, cost, d));
        } else {
            let r = d
                .retry_after
                .expect("a denial that can pass has a retry time");
            assert!(r > Nanos::ZERO, "denied with retry_after 0");
            assert!(
                lim.peek(now + r, s.cost).allowed,
                "not admitted at +retry_after {d:?}"
            );
            assert!(
                !lim.peek(now + r - Nanos(1), s.cost).allowed,
                "admitted before retry_after"
            );
        }
        // remaining is exact: that much passes now, one more does not
        let rem = u32::try_from(d.remaining).expect("small test limits");
        assert!(lim.peek(now, rem).allowed, "remaining {rem} overstates");
        assert!(
            !lim.peek(now, rem + 1).allowed,
            "remaining {rem} understates"
        );
        // reset_after: back to full capacity then, not a nanosecond earlier
        assert_eq!(lim.peek(now + d.reset_after, 0).remaining, full, "{d:?}");
        if d.reset_after > Nanos::ZERO {
            assert!(lim.peek(now + d.reset_after - Nanos(1), 0).remaining < full);
        }
    }
    admitted
}

/// Largest total cost admitted in any interval of length at most `len` (closed at both ends when
/// `closed`, else `(t - len, t]`).
fn max_in_span(admitted: &[(u64, u64, Decision)], len: u64, closed: bool) -> u64 {
    let mut best = 0;
    for (i, &(start, _, _)) in admitted.iter().enumerate() {
        let sum: u64 = admitted[i..]
            .iter()
            .take_while(|(t, _, _)| {
                if closed {
                    t - start <= len
                } else {
                    t - start < len
                }
            })
            .map(|(_, c, _)| c)
            .sum();
        best = best.max(sum);
    }
    best
}

/// The token-bucket bound: over any interval `[a, b]`, at most `burst + (b - a) / T`.
fn assert_bucket_bound(admitted: &[(u64, u64, Decision)], burst: u64, interval: u64) {
    for i in 0..admitted.len() {
        let mut sum = 0;
        for &(t, c, _) in &admitted[i..] {
            sum += c;
            let bound = burst + (t - admitted[i].0) / interval;
            assert!(
                sum <= bound,
                "{sum} admitted in [{}, {t}] > {bound}",
                admitted[i].0
            );
        }
    }
}

fn rate_strategy() -> impl Strategy<Value = Rate> {
    (1u64..20, 1u64..2_000)
        .prop_map(|(count, ms)| Rate::new(count, Nanos::from_millis(ms)).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn token_bucket_is_truthful_and_bounded(rate in rate_strategy(), burst in 1u64..8, steps in stream(400_000_000, 9, true)) {
        let mut tb = TokenBucket::new(rate, burst).unwrap();
        let admitted = run(&mut tb, &steps, burst, burst);
        assert_bucket_bound(&admitted, burst, rate.time_for(1).as_nanos());
    }

    #[test]
    fn gcra_equals_token_bucket_decision_by_decision(rate in rate_strategy(), burst in 1u64..8, steps in stream(400_000_000, 9, true)) {
        let mut tb = TokenBucket::new(rate, burst).unwrap();
        let mut g = Gcra::new(rate, burst).unwrap();
        let mut t = 0u64;
        for s in &steps {
            t = if s.back { t.saturating_sub(s.gap) } else { t + s.gap };
            prop_assert_eq!(g.peek(Nanos(t), s.cost), tb.peek(Nanos(t), s.cost));
            prop_assert_eq!(g.check(Nanos(t), s.cost), tb.check(Nanos(t), s.cost));
        }
        // and GCRA passes the same truthfulness checks on its own
        let mut g = Gcra::new(rate, burst).unwrap();
        let admitted = run(&mut g, &steps, burst, burst);
        assert_bucket_bound(&admitted, burst, rate.time_for(1).as_nanos());
    }

    #[test]
    fn atomic_variants_equal_the_sequential_ones(rate in rate_strategy(), burst in 1u64..8, steps in stream(400_000_000, 9, false)) {
        let ag = AtomicGcra::new(rate, burst).unwrap();
        let at = AtomicTokenBucket::new(rate, burst).unwrap();
        let mut g = Gcra::new(rate, burst).unwrap();
        let mut t = 0u64;
        for s in &steps {
            t += s.gap;
            prop_assert_eq!(ag.peek(Nanos(t), s.cost), g.peek(Nanos(t), s.cost));
            let d = g.check(Nanos(t), s.cost);
            prop_assert_eq!(ag.check(Nanos(t), s.cost), d);
            prop_assert_eq!(at.check(Nanos(t), s.cost), d);
        }
    }

    #[test]
    fn fixed_window_matches_reference_and_bounds(limit in 1u64..8, period in 1_000u64..3_000_000_000, align in 0u64..4_000_000_000, steps in stream(1_500_000_000, 9, true)) {
        let mut fw = FixedWindow::new(limit, Nanos(period), Nanos(align)).unwrap();
        let admitted = run(&mut fw, &steps, limit, limit);
        // reference: admitted iff the cost already admitted in the same aligned window leaves room
        let a = align % period;
        let window_of = |t: u64| (t + period - a) / period;
        let mut fw = FixedWindow::new(limit, Nanos(period), Nanos(align)).unwrap();
        let mut log: Vec<(u64, u64)> = Vec::new();
        let (mut t, mut latest) = (0u64, 0u64);
        for s in &steps {
            t = if s.back { t.saturating_sub(s.gap) } else { t + s.gap };
            latest = latest.max(t);
            let used: u64 = log.iter().filter(|(at, _)| window_of(*at) == window_of(latest)).map(|(_, c)| c).sum();
            let expect = used + u64::from(s.cost) <= limit;
            prop_assert_eq!(fw.check(Nanos(t), s.cost).allowed, expect);
            if expect { log.push((latest, u64::from(s.cost))); }
        }
        prop_assert!(max_in_span(&admitted, period - 1, true) <= 2 * limit);
    }

    #[test]
    fn sliding_log_matches_exact_rolling_window(limit in 1u64..8, window in 1_000u64..3_000_000_000, steps in stream(1_500_000_000, 9, true)) {
        let mut log = SlidingLog::new(limit, Nanos(window)).unwrap();
        let admitted = run(&mut log, &steps, limit, limit);
        prop_assert!(max_in_span(&admitted, window, false) <= limit);
        // reference: brute force over every admission so far
        let mut log = SlidingLog::new(limit, Nanos(window)).unwrap();
        let mut seen: Vec<(u64, u64)> = Vec::new();
        let (mut t, mut latest) = (0u64, 0u64);
        for s in &steps {
            t = if s.back { t.saturating_sub(s.gap) } else { t + s.gap };
            latest = latest.max(t);
            let used: u64 = seen.iter().filter(|(at, _)| at + window > latest).map(|(_, c)| c).sum();
            let expect = used + u64::from(s.cost) <= limit;
            prop_assert_eq!(log.check(Nanos(t), s.cost).allowed, expect);
            if expect { seen.push((latest, u64::from(s.cost))); }
        }
    }

    #[test]
    fn sliding_counter_stays_within_its_documented_bound(limit in 1u64..8, window in 1_000u64..3_000_000_000, steps in stream(1_500_000_000, 9, true)) {
        let mut sc = SlidingCounter::new(limit, Nanos(window)).unwrap();
        let admitted = run(&mut sc, &steps, limit, limit);
        // under 2x limit in any rolling window ...
        prop_assert!(max_in_span(&admitted, window, false) < 2 * limit);
        // ... and at most limit in each aligned window
        for &(t, _, _) in &admitted {
            let w = t / window;
            let sum: u64 = admitted.iter().filter(|(u, _, _)| u / window == w).map(|(_, c, _)| c).sum();
            prop_assert!(sum <= limit);
        }
    }

    #[test]
    fn leaky_bucket_is_truthful_bounded_and_smooth(rate in rate_strategy(), burst in 0u64..6, steps in stream(400_000_000, 1, true)) {
        let interval = rate.time_for(1).as_nanos();
        let mut lb = LeakyBucket::new(rate, burst, Some(0)).unwrap();
        let admitted = run(&mut lb, &steps, burst + 1, burst + 1);
        assert_bucket_bound(&admitted, burst + 1, interval);
        // with delay = 0, requests are served (admission + delay) at most one per interval
        let mut served: Vec<u64> = admitted.iter().filter(|(_, c, _)| *c > 0).map(|(t, _, d)| t + d.delay.as_nanos()).collect();
        served.sort_unstable();
        for w in served.windows(2) {
            prop_assert!(w[1] - w[0] >= interval, "served {} and {} closer than {}", w[0], w[1], interval);
        }
        // nodelay: the same admissions, none delayed
        let mut nd = LeakyBucket::new(rate, burst, None).unwrap();
        let admitted_nd = run(&mut nd, &steps, burst + 1, burst + 1);
        prop_assert_eq!(admitted_nd.len(), admitted.len());
        prop_assert!(admitted_nd.iter().all(|(_, _, d)| d.delay.is_zero()));
    }

    #[test]
    fn leaky_bucket_weighted_requests_are_truthful(rate in rate_strategy(), burst in 0u64..6, delay in 0u64..6, steps in stream(400_000_000, 7, true)) {
        let mut lb = LeakyBucket::new(rate, burst, Some(delay.min(burst))).unwrap();
        let admitted = run(&mut lb, &steps, burst + 1, burst + 1);
        assert_bucket_bound(&admitted, burst + 1, rate.time_for(1).as_nanos());
    }
}

/// Regression (found by the properties above): a "never" denial still moves the limiter's notion
/// of the latest time, so a later skewed `now` is judged at the latest time for every algorithm.
#[test]
fn a_never_denial_still_counts_as_the_latest_time() {
    let rate: Rate = "1/s".parse().unwrap();
    let mut all: Vec<Box<dyn Limiter>> = vec![
        Box::new(TokenBucket::new(rate, 1).unwrap()),
        Box::new(Gcra::new(rate, 1).unwrap()),
        Box::new(FixedWindow::new(1, Nanos::from_secs(1), Nanos::ZERO).unwrap()),
        Box::new(SlidingLog::new(1, Nanos::from_secs(1)).unwrap()),
        Box::new(SlidingCounter::new(1, Nanos::from_secs(1)).unwrap()),
        Box::new(LeakyBucket::new(rate, 0, None).unwrap()),
    ];
    for l in &mut all {
        assert!(l.check(Nanos::ZERO, 1).allowed, "{}", l.name());
        assert!(l.check(Nanos::from_secs(10), 5).is_never(), "{}", l.name());
        let d = l.check(Nanos::ZERO, 1);
        assert!(
            d.allowed,
            "{}: judged at 10s, the first request is long gone",
            l.name()
        );
    }
}
