//! The fleet-429 reference model (shared/reference/fleet429_simpy.py): 1,000 Poisson clients at
//! 1/s against a 500/s token bucket with burst 500; 429 with Retry-After 1 plus uniform [0, 1)
//! jitter; at most 3 retries; admitted requests succeed at once.

use limiters::{Nanos, Params};
use sim::model::{
    Arrival, Backend, Fleet, HonourRetryAfter, Level, RetryPolicy, Scenario, Scope, Strategy,
};

pub fn fleet_429(secs: u64) -> Scenario {
    let mut s = Scenario::new("fleet-429");
    s.duration = Nanos::from_secs(secs);
    s.server.levels.push(Level::new(
        Scope::Global,
        "token_bucket",
        Params::new().with("rate", "500/s").with("burst", 500i64),
    ));
    s.server.backend = Backend::instant();
    let mut f = Fleet::new(
        "clients",
        1000,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.retry = RetryPolicy::new(
        Strategy::RetryAfter(HonourRetryAfter {
            jitter: Nanos::from_secs(1),
            ..HonourRetryAfter::default()
        }),
        4,
    );
    s.fleets.push(f);
    s
}

#[test]
fn fleet_429_matches_the_reference_counts() {
    let secs = 200;
    let r = sim::run(&fleet_429(secs), 42).unwrap();
    let s = &r.summary;
    // Arrivals: 1000 clients x 1/s.
    assert!((s.logical_requests as f64 / (1000.0 * secs as f64) - 1.0).abs() < 0.01);
    // The saturated bucket admits its burst plus 500/s.
    let expected_admitted = 500 + 500 * secs;
    assert!(
        s.admitted.abs_diff(expected_admitted) <= 2,
        "admitted {}",
        s.admitted
    );
    // Every admitted attempt is a success; events = arrivals + retries.
    assert_eq!(s.successes, s.admitted);
    assert_eq!(r.events, s.logical_requests + s.retries);
    assert_eq!(s.rejected_total, s.attempts - s.admitted);
    assert!(s.give_ups["max_attempts"] > 0);
}
