//! Each policy's delay formula against hand-computed values. A constant "RNG" that always
//! returns 2^63 makes `random_between(a, b)` land exactly on `a + (b - a) / 2` (rand's
//! widening-multiply uniform sampling takes the high half of `x * range`), so every jittered
//! value is computable by hand; seeded streams check the jitter bounds and means.

use limiters::Nanos;
use rand::rngs::mock::StepRng;
use sim::engine::Stream;
use sim::model::{Backoff, HonourRetryAfter, Jitter, RetryPolicy, StatusSet, Strategy};
use sim::retry::{AttemptResult, GiveUpReason, RetryDecision, RetryState};

fn half() -> StepRng {
    StepRng::new(1 << 63, 0)
}

fn ms(v: u64) -> Nanos {
    Nanos::from_millis(v)
}

fn state(attempts: u32, prev_ms: u64) -> RetryState {
    RetryState {
        attempts,
        prev_delay: ms(prev_ms),
    }
}

fn delay(p: &RetryPolicy, st: RetryState, r: AttemptResult, rng: &mut impl rand::RngCore) -> Nanos {
    let mut st = st;
    match p.decide(&mut st, &r, rng) {
        RetryDecision::Retry(d) => d,
        other => panic!("expected a retry, got {other:?}"),
    }
}

fn exp(jitter: Jitter) -> RetryPolicy {
    RetryPolicy::new(
        Strategy::Exponential(Backoff {
            base: ms(100),
            cap: ms(10_000),
            jitter,
        }),
        10,
    )
}

#[test]
fn hand_computed_backoff_values() {
    let r503 = AttemptResult::status(503);
    // Third attempt failed -> retry n = 2 -> v = min(10 s, 100 ms * 4) = 400 ms.
    assert_eq!(
        delay(&exp(Jitter::None), state(3, 0), r503, &mut half()),
        ms(400)
    );
    // full: random_between(0, 400 ms) at the midpoint = 200 ms.
    assert_eq!(
        delay(&exp(Jitter::Full), state(3, 0), r503, &mut half()),
        ms(200)
    );
    // equal: 400/2 + random_between(0, 200 ms) = 200 + 100 = 300 ms.
    assert_eq!(
        delay(&exp(Jitter::Equal), state(3, 0), r503, &mut half()),
        ms(300)
    );
    // decorrelated: min(10 s, random_between(100 ms, 3 * 1 s)) = 100 + 2900/2 = 1550 ms.
    assert_eq!(
        delay(
            &exp(Jitter::Decorrelated),
            state(3, 1000),
            r503,
            &mut half()
        ),
        ms(1550)
    );
    // decorrelated from a large previous delay is capped: random_between(100 ms, 30 s) = 15.05 s.
    assert_eq!(
        delay(
            &exp(Jitter::Decorrelated),
            state(3, 10_000),
            r503,
            &mut half()
        ),
        ms(10_000)
    );
    // no jitter, tenth retry: 100 ms * 2^9 = 51.2 s, capped at 10 s.
    assert_eq!(
        delay(&exp(Jitter::None), state(10 - 1, 0), r503, &mut half()),
        ms(10_000)
    );
}

#[test]
fn fixed_and_immediate_are_constant() {
    let r = AttemptResult::status(429);
    let fixed = RetryPolicy::new(Strategy::Fixed { delay: ms(250) }, 5);
    for a in 1..5 {
        assert_eq!(delay(&fixed, state(a, 0), r, &mut half()), ms(250));
    }
    let imm = RetryPolicy::new(Strategy::Immediate, 5);
    assert_eq!(delay(&imm, state(4, 0), r, &mut half()), Nanos::ZERO);
}

#[test]
fn retry_after_exact_jittered_capped_and_fallback() {
    let r429 = AttemptResult::status(429).with_retry_after(Nanos::from_secs(1));
    let mut h = HonourRetryAfter {
        jitter: Nanos::from_secs(1),
        ..HonourRetryAfter::default()
    };
    let p = |h: HonourRetryAfter| RetryPolicy::new(Strategy::RetryAfter(h), 4);
    // 1 s + random_between(0, 1 s) = 1.5 s.
    assert_eq!(delay(&p(h), state(1, 0), r429, &mut half()), ms(1500));
    h.jitter = Nanos::ZERO;
    assert_eq!(delay(&p(h), state(1, 0), r429, &mut half()), ms(1000));
    h.cap = Some(ms(600));
    assert_eq!(delay(&p(h), state(1, 0), r429, &mut half()), ms(600));
    // No Retry-After: the fallback (100 ms base, full jitter): n = 1 -> random_between(0, 200 ms).
    assert_eq!(
        delay(&p(h), state(2, 0), AttemptResult::status(503), &mut half()),
        ms(100)
    );
}

#[test]
fn limits_and_retried_statuses() {
    let mut rng = half();
    let p = exp(Jitter::Full);
    let mut st = state(10, 0);
    assert_eq!(
        p.decide(&mut st, &AttemptResult::status(503), &mut rng),
        RetryDecision::GiveUp(GiveUpReason::MaxAttempts)
    );
    for s in [400, 401, 402, 403, 404, 409, 422] {
        assert_eq!(
            p.decide(&mut state(1, 0), &AttemptResult::status(s), &mut rng),
            RetryDecision::GiveUp(GiveUpReason::NotRetryable),
            "{s}"
        );
    }
    for s in [408, 425, 429, 500, 502, 503, 504] {
        assert!(matches!(
            p.decide(&mut state(1, 0), &AttemptResult::status(s), &mut rng),
            RetryDecision::Retry(_)
        ));
    }
    let mut only_429 = p;
    only_429.retry_on = StatusSet::of(&[429]);
    assert_eq!(
        only_429.decide(&mut state(1, 0), &AttemptResult::status(503), &mut rng),
        RetryDecision::GiveUp(GiveUpReason::NotRetryable)
    );
}

#[test]
fn jitter_distributions_stay_in_bounds_with_the_right_means() {
    let mut rng = Stream::from_seed(2024);
    let r = AttemptResult::status(503);
    let n = 50_000u64;
    let mut sums = [0u64; 3];
    for _ in 0..n {
        let f = delay(&exp(Jitter::Full), state(3, 0), r, &mut rng);
        assert!(f < ms(400));
        let e = delay(&exp(Jitter::Equal), state(3, 0), r, &mut rng);
        assert!(e >= ms(200) && e < ms(400));
        let d = delay(&exp(Jitter::Decorrelated), state(3, 1000), r, &mut rng);
        assert!(d >= ms(100) && d < ms(3000));
        sums[0] += f.0;
        sums[1] += e.0;
        sums[2] += d.0;
    }
    let mean_ms = |s: u64| s as f64 / n as f64 / 1e6;
    assert!((mean_ms(sums[0]) - 200.0).abs() < 3.0);
    assert!((mean_ms(sums[1]) - 300.0).abs() < 2.0);
    assert!((mean_ms(sums[2]) - 1550.0).abs() < 15.0);
}

#[test]
fn policies_work_through_a_trait_object_rng_as_live_mode_would_use_them() {
    let mut rng: Box<dyn rand::RngCore> = Box::new(half());
    let mut st = state(3, 0);
    let d = exp(Jitter::Full).decide(&mut st, &AttemptResult::status(429), rng.as_mut());
    assert_eq!(d, RetryDecision::Retry(ms(200)));
    assert_eq!(st.prev_delay, ms(200));
}
