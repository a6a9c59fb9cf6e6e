use super::*;

fn aimd(initial: u64, min: u64, max: u64) -> Aimd {
    Aimd::new(
        initial,
        min,
        max,
        0.9,
        Nanos::from_secs(5),
        Nanos::from_secs(1),
    )
    .unwrap()
}

fn ok(ms: u64) -> Outcome {
    Outcome::success(Nanos::from_millis(ms))
}

#[test]
fn grows_by_one_per_success_while_half_the_limit_is_in_use() {
    let mut a = aimd(10, 1, 100);
    // Keep 5 in flight: each completion is replaced by a new admission.
    for _ in 0..5 {
        assert!(a.check(Nanos::ZERO, 1).allowed);
    }
    for k in 1..=3u64 {
        a.release(Nanos(k), 1, ok(10)); // in flight 5 at completion: 10 >= limit?
        assert!(a.check(Nanos(k), 1).allowed);
    }
    // 5*2=10 >= 10 -> 11; 10 >= 11? no -> stays 11; again no -> 11.
    assert_eq!(a.limit(), 11);
}

#[test]
fn does_not_grow_when_the_limit_is_not_in_use() {
    let mut a = aimd(10, 1, 100);
    for k in 0..20u64 {
        assert!(a.check(Nanos(k), 1).allowed);
        a.release(Nanos(k), 1, ok(1));
    }
    assert_eq!(a.limit(), 10);
}

#[test]
fn after_k_successes_at_full_use_limit_is_initial_plus_k() {
    let mut a = aimd(4, 1, 100);
    // Hold the limit fully in use: fill, then on each completion refill to the new limit.
    while a.check(Nanos::ZERO, 1).allowed {}
    for k in 1..=7u64 {
        a.release(Nanos(k), 1, ok(1));
        while a.check(Nanos(k), 1).allowed {}
    }
    assert_eq!(a.limit(), 4 + 7);
}

#[test]
fn drop_and_slow_success_multiply_by_backoff_and_clamp_at_min() {
    let mut a = aimd(50, 10, 100);
    a.check(Nanos::ZERO, 1);
    a.release(Nanos(1), 1, Outcome::failure(Nanos(1)));
    assert_eq!(a.limit(), 45);
    a.check(Nanos(1), 1);
    a.release(Nanos(2), 1, ok(6_000)); // slower than the 5s timeout
    assert_eq!(a.limit(), 40); // floor(45 * 0.9) = 40
    for _ in 0..30 {
        a.check(Nanos(3), 1);
        a.release(
            Nanos(3),
            1,
            Outcome {
                kind: OutcomeKind::Dropped,
                latency: Nanos(1),
            },
        );
    }
    assert_eq!(a.limit(), 10);
}

#[test]
fn never_above_max_limit_and_growth_stops_at_max() {
    let mut a = aimd(2, 1, 3);
    assert!(a.check(Nanos::ZERO, 4).is_never());
    assert!(!a.check(Nanos::ZERO, 3).allowed && !a.check(Nanos::ZERO, 3).is_never());
    for k in 0..10u64 {
        while a.check(Nanos(k), 1).allowed {}
        a.release(Nanos(k), 1, ok(1)); // fully in use: would grow, but max is 3
        assert!(a.limit() <= 3);
    }
    assert_eq!(a.limit(), 3);
}

#[test]
fn invalid_parameters_name_themselves() {
    let t = Nanos::from_secs(1);
    let cases: [(Result<Aimd, LimiterError>, &str); 6] = [
        (Aimd::new(10, 0, 20, 0.9, t, t), "min_limit"),
        (Aimd::new(10, 5, 4, 0.9, t, t), "max_limit"),
        (Aimd::new(30, 5, 20, 0.9, t, t), "initial_limit"),
        (Aimd::new(10, 5, 20, 1.0, t, t), "backoff_ratio"),
        (Aimd::new(10, 5, 20, 0.9, Nanos::ZERO, t), "timeout"),
        (Aimd::new(10, 5, 20, 0.9, t, Nanos::ZERO), "retry_hint"),
    ];
    for (r, name) in cases {
        assert_eq!(r.unwrap_err().param(), Some(name));
    }
    let a = Aimd::from_params(&Params::new()).unwrap();
    assert_eq!((a.limit(), a.min_limit, a.max_limit), (20, 20, 200));
}
