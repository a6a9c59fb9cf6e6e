use super::*;

fn small() -> BreakerConfig {
    BreakerConfig {
        window: WindowKind::Count(10),
        minimum_calls: 5,
        wait_in_open: Nanos::from_secs(5),
        half_open_calls: 2,
        ..BreakerConfig::default()
    }
}

#[test]
fn closed_open_half_open_closed() {
    let mut b = Breaker::new(small());
    let t = Nanos::from_secs(1);
    for _ in 0..4 {
        assert!(b.try_acquire(t));
        b.record(t, true, false);
    }
    assert_eq!(b.state(), BreakerState::Closed); // 4 < minimum 5
    b.record(t, false, false); // 4/5 = 80% >= 50%
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: Nanos::from_secs(6)
        }
    );
    assert!(!b.try_acquire(Nanos::from_millis(5_999)));
    assert!(b.try_acquire(Nanos::from_secs(6)));
    assert!(matches!(
        b.state(),
        BreakerState::HalfOpen { admitted: 1, .. }
    ));
    assert!(b.try_acquire(Nanos::from_secs(6)));
    assert!(!b.try_acquire(Nanos::from_secs(6))); // only 2 probes
    b.record(Nanos::from_secs(6), false, false);
    b.record(Nanos::from_secs(6), true, false); // 1/2 = 50% >= 50%: open again
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: Nanos::from_secs(11)
        }
    );
    assert!(b.try_acquire(Nanos::from_secs(11)));
    assert!(b.try_acquire(Nanos::from_secs(11)));
    b.record(Nanos::from_secs(11), false, false);
    b.record(Nanos::from_secs(11), false, false);
    assert_eq!(b.state(), BreakerState::Closed);
    assert_eq!(b.transitions(), 5);
    // The window starts empty after closing.
    b.record(Nanos::from_secs(12), true, false);
    assert_eq!(b.state(), BreakerState::Closed);
}

#[test]
fn slow_calls_trip_it_and_retries_only_lets_first_attempts_through() {
    let cfg = BreakerConfig {
        slow_call_duration: Nanos::from_secs(2),
        slow_call_rate_threshold: 60,
        retries_only: true,
        ..small()
    };
    let mut b = Breaker::new(cfg);
    let mut rng = rand::rngs::mock::StepRng::new(0, 1);
    for i in 0..5u64 {
        let sent = Nanos::from_secs(10 * i);
        let lat = if i < 3 { 3 } else { 1 };
        let call = GateCall::outcome(sent + Nanos::from_secs(lat), 0, 0, 1, sent);
        b.observe_call(&call, &AttemptResult::status(200));
    }
    assert!(matches!(b.state(), BreakerState::Open { .. })); // 3/5 slow = 60%
    let now = Nanos::from_secs(42);
    assert_eq!(
        b.admit_call(&GateCall::admit(now, 0, 0, 1), &mut rng),
        GateDecision::Allow
    );
    assert_eq!(
        b.admit_call(&GateCall::admit(now, 0, 0, 2), &mut rng),
        GateDecision::Deny
    );
}

#[test]
fn defaults_need_a_hundred_calls() {
    let mut b = Breaker::new(BreakerConfig::default());
    for _ in 0..99 {
        b.record(Nanos::ZERO, true, false);
    }
    assert_eq!(b.state(), BreakerState::Closed);
    b.record(Nanos::ZERO, true, false);
    assert_eq!(
        b.state(),
        BreakerState::Open {
            until: Nanos::from_secs(60)
        }
    );
}
