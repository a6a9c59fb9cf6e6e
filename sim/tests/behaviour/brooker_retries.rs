//! Brooker's retry simulator (github.com/mbrooker/simulator_example, `retry_sim/`, behind
//! "Fixing retries with token buckets and circuit breakers", 2022) rebuilt as a scenario: many
//! clients each starting calls as a Poisson process, every attempt failing independently with
//! probability `p`, up to 3 retries sent at once, one gate per client. The figure is what the
//! post plots: attempts per call started.

use limiters::Nanos;
use sim::client::gate::{
    DepositBucketConfig, DepositRule, GateKind, GateScope, GateSpec, RatioBreakerConfig,
};
use sim::model::{Arrival, Fault, FaultKind, Fleet, RetryPolicy, Scenario, Strategy};

fn attempts_per_call(p: f64, gate: GateKind) -> f64 {
    let mut s = Scenario::new("brooker-retries");
    s.duration = Nanos::from_secs(60);
    s.faults.push(Fault {
        start: Nanos::ZERO,
        duration: Nanos::from_secs(60),
        kind: FaultKind::ErrorRate {
            status: 503,
            rate: p,
        },
    });
    let mut f = Fleet::new(
        "clients",
        20,
        Arrival::Poisson {
            rate: "10/s".parse().unwrap(),
        },
    );
    f.retry = RetryPolicy::new(Strategy::Immediate, 4);
    f.gates = vec![GateSpec {
        kind: gate,
        scope: GateScope::Client,
    }];
    s.fleets.push(f);
    let r = sim::run(&s, 11).unwrap().summary;
    r.attempts as f64 / r.first_attempts as f64
}

fn bucket(rule: DepositRule) -> GateKind {
    // The published run: AdaptiveRetryFactory(0.1, 5), starting full.
    GateKind::RetryBucket(DepositBucketConfig {
        rule,
        capacity_milli: 5_000,
        initial_milli: 5_000,
        ..DepositBucketConfig::default()
    })
}

#[test]
fn the_codes_bucket_retries_a_tenth_of_calls_the_posts_a_tenth_of_successes() {
    // At p = 0.5 the bucket runs dry: the code's rule buys 0.1 retry per call started, the
    // post's 0.1 per success (about 0.55 successes per call), about half as many.
    let code = attempts_per_call(0.5, bucket(DepositRule::BrookerCode));
    let post = attempts_per_call(0.5, bucket(DepositRule::BrookerPost));
    assert!((code - 1.1).abs() < 0.01, "code rule: {code}");
    assert!(post > 1.04 && post < 1.07, "post rule: {post}");
    // Few failures: both behave like 3 retries (1 + p + p^2 + p^3).
    let few = 1.0 + 0.02 + 0.0004;
    for rule in [DepositRule::BrookerCode, DepositRule::BrookerPost] {
        let a = attempts_per_call(0.02, bucket(rule));
        assert!((a - few).abs() < 0.005, "{rule:?}: {a}");
    }
}

#[test]
fn the_ratio_breaker_stops_retrying_above_its_failure_ratio() {
    let gate = GateKind::RatioBreaker(RatioBreakerConfig::default());
    // Below the ratio: 3 retries, as without a breaker.
    let low = attempts_per_call(0.05, gate.clone());
    assert!(
        (low - (1.0 + 0.05 + 0.0025)).abs() < 0.006,
        "p = 0.05: {low}"
    );
    // Far above it (0.5 failures per call > 0.1): almost no retries.
    let high = attempts_per_call(0.5, gate);
    assert!(high < 1.01, "p = 0.5: {high}");
}
