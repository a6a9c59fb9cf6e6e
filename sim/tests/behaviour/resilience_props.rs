//! Invariants of the resilience state machines under arbitrary event sequences.

use limiters::Nanos;
use proptest::prelude::*;
use rand::SeedableRng;
use sim::client::gate::{
    AwsQuotaConfig, AwsRetryQuota, Breaker, BreakerConfig, BreakerState, DepositBucket,
    DepositBucketConfig, EnvoyBudget, EnvoyBudgetConfig, GrpcThrottle, GrpcThrottleConfig,
    SlicedWindow, WindowKind,
};
use sim::retry::{AttemptResult, ClientGate, GateCall, GateDecision};
use sim::server::idempotency::{IdemLookup, IdempotencyStore};

/// One step: (time advance in ms, request slot, attempt number, outcome: 0 ok, 1 503, 2 timeout).
fn steps() -> impl Strategy<Value = Vec<(u16, u8, u8, u8)>> {
    prop::collection::vec((0u16..2000, 0u8..8, 1u8..4, 0u8..3), 0..300)
}

fn outcome(o: u8) -> AttemptResult {
    match o {
        0 => AttemptResult::status(200),
        1 => AttemptResult::status(503),
        _ => AttemptResult::timeout(),
    }
}

/// Drive a gate: admit, then observe when admitted.
fn drive(
    g: &mut dyn ClientGate,
    steps: &[(u16, u8, u8, u8)],
    mut check: impl FnMut(&dyn ClientGate),
) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let mut now = Nanos::ZERO;
    for &(dt, req, attempt, o) in steps {
        now += Nanos::from_millis(u64::from(dt));
        let call = GateCall::admit(now, 0, u32::from(req), u32::from(attempt));
        if g.admit_call(&call, &mut rng) == GateDecision::Allow {
            let done = GateCall::outcome(now, 0, u32::from(req), u32::from(attempt), now);
            g.observe_call(&done, &outcome(o));
        }
        check(g);
    }
}

proptest! {
    #[test]
    fn aws_quota_stays_within_zero_and_capacity(s in steps()) {
        let mut q = AwsRetryQuota::new(AwsQuotaConfig { capacity: 50, ..AwsQuotaConfig::default() });
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        for &(_, req, attempt, o) in &s {
            let call = GateCall::admit(Nanos::ZERO, 0, u32::from(req), u32::from(attempt));
            let before = q.available();
            let d = q.admit_call(&call, &mut rng);
            if attempt == 1 { prop_assert_eq!(d, GateDecision::Allow); }
            if d == GateDecision::Deny { prop_assert!(before < 10); prop_assert_eq!(q.available(), before); }
            q.observe_call(&GateCall::outcome(Nanos::ZERO, 0, u32::from(req), u32::from(attempt), Nanos::ZERO), &outcome(o));
            prop_assert!(q.available() <= 50);
        }
    }

    #[test]
    fn grpc_tokens_stay_within_bounds_and_first_attempts_pass(s in steps()) {
        let mut g = GrpcThrottle::new(GrpcThrottleConfig::default());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        for &(_, _, attempt, o) in &s {
            let d = g.admit_call(&GateCall::admit(Nanos::ZERO, 0, 0, u32::from(attempt)), &mut rng);
            prop_assert_eq!(d == GateDecision::Allow, attempt == 1 || g.tokens_milli() > 5_000);
            g.observe_call(&GateCall::outcome(Nanos::ZERO, 0, 0, 1, Nanos::ZERO), &outcome(o));
            prop_assert!(g.tokens_milli() <= 10_000);
        }
    }

    #[test]
    fn envoy_never_exceeds_its_budget(s in steps()) {
        let cfg = EnvoyBudgetConfig::default();
        let mut b = EnvoyBudget::new(cfg);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        // Admit everything first (many in flight), then let them complete.
        let mut admitted = Vec::new();
        for &(_, _, attempt, _) in &s {
            let call = GateCall::admit(Nanos::ZERO, 0, 0, u32::from(attempt));
            let before = (b.active(), b.active_retries());
            if b.admit_call(&call, &mut rng) == GateDecision::Allow {
                admitted.push(attempt);
                if attempt > 1 {
                    prop_assert!(before.1 < b.max_retries_for(before.0));
                }
            }
            prop_assert!(b.active_retries() <= b.active());
        }
        for a in admitted {
            b.observe_call(&GateCall::outcome(Nanos::ZERO, 0, 0, u32::from(a), Nanos::ZERO), &outcome(1));
        }
        prop_assert_eq!((b.active(), b.active_retries()), (0, 0));
    }

    #[test]
    fn breaker_half_open_admits_at_most_the_permitted_probes(s in steps()) {
        let cfg = BreakerConfig {
            window: WindowKind::Count(10),
            minimum_calls: 5,
            wait_in_open: Nanos::from_secs(3),
            half_open_calls: 2,
            ..BreakerConfig::default()
        };
        let mut b = Breaker::new(cfg);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let mut now = Nanos::ZERO;
        for &(dt, _, _, o) in &s {
            now += Nanos::from_millis(u64::from(dt));
            let allowed = b.admit_call(&GateCall::admit(now, 0, 0, 1), &mut rng) == GateDecision::Allow;
            match b.state() {
                BreakerState::Open { until } => prop_assert!(!allowed && now < until),
                BreakerState::HalfOpen { admitted, .. } => prop_assert!(admitted <= 2),
                BreakerState::Closed => prop_assert!(allowed),
            }
            if allowed {
                b.observe_call(&GateCall::outcome(now, 0, 0, 1, now), &outcome(o));
            }
        }
    }

    #[test]
    fn deposit_bucket_never_overdraws(s in steps()) {
        let mut g = DepositBucket::new(DepositBucketConfig { initial_milli: 0, ..Default::default() });
        drive(&mut g, &s, |_| {});
        prop_assert!(g.tokens_milli() <= 10_000);
    }

    #[test]
    fn sliced_window_matches_a_brute_force_sum(
        adds in prop::collection::vec((0u64..5_000, -5i64..6), 0..200),
        width in 1u64..1000,
        slices in 1u32..20,
    ) {
        let mut w = SlicedWindow::new(Nanos::from_millis(width), slices);
        let mut t = 0u64;
        let mut log: Vec<(u64, i64)> = Vec::new();
        for (dt, v) in adds {
            t += dt;
            w.add(Nanos::from_millis(t), v);
            log.push((t / width, v));
            let cur = t / width;
            let want: i64 = log.iter().filter(|(s, _)| s + u64::from(slices) > cur).map(|(_, v)| v).sum();
            prop_assert_eq!(w.sum(Nanos::from_millis(t)), want);
        }
    }

    #[test]
    fn idempotency_store_stays_bounded_and_never_replays_a_foreign_body(
        ops in prop::collection::vec((0u64..30, 0u64..3, 0u16..3000, any::<bool>()), 0..300),
    ) {
        let mut s = IdempotencyStore::new(Nanos::from_secs(5), 8);
        let mut now = Nanos::ZERO;
        let mut body_of = std::collections::HashMap::new();
        for (key, body, dt, finish) in ops {
            now += Nanos::from_millis(u64::from(dt));
            match s.begin(now, key, body) {
                IdemLookup::Execute => {
                    body_of.insert(key, body);
                    if finish { s.complete(now, key, 200, true); }
                }
                IdemLookup::Replay { .. } | IdemLookup::InProgress => prop_assert_eq!(body_of.get(&key), Some(&body)),
                IdemLookup::Conflict => prop_assert_ne!(body_of.get(&key), Some(&body)),
            }
            prop_assert!(s.len() <= 8);
        }
    }
}
