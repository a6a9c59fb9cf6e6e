//! Client timeouts and deadlines: an abandoned attempt may still be executed by the server
//! (wasted work), a retried non-idempotent request executed twice is a duplicate, the deadline
//! bounds a logical request; fairness over clients and tenants.

use limiters::{Nanos, Params};
use sim::model::{
    Arrival, Backend, Distribution, Fleet, Level, RetryPolicy, Scenario, Scope, Strategy,
};

fn slow_server(secs: u64) -> Scenario {
    let mut s = Scenario::new("slow");
    s.duration = Nanos::from_secs(secs);
    s.server.backend = Backend {
        workers: None,
        queue: 0,
        queue_timeout: None,
        deadline: None,
        service_time: Distribution::Constant(Nanos::from_millis(100)),
    };
    s
}

#[test]
fn abandoned_attempts_are_wasted_work_and_non_idempotent_retries_duplicate() {
    let mut s = slow_server(60);
    let mut f = Fleet::new(
        "impatient",
        5,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.timeout = Some(Nanos::from_millis(60));
    f.retry = RetryPolicy::new(Strategy::Immediate, 3);
    f.idempotent = false;
    s.fleets.push(f.clone());
    let r = sim::run(&s, 1).unwrap();
    let sm = &r.summary;
    // Every attempt times out; the server finishes each 40 ms later anyway.
    assert_eq!(sm.successes, 0);
    assert_eq!(sm.timeouts, sm.attempts - sm.in_flight_at_end);
    assert!(sm.wasted_attempts + 20 >= sm.attempts);
    assert!((sm.wasted_work_s - sm.wasted_attempts as f64 * 0.1).abs() < 1e-6);
    // 3 executions per logical request = 2 duplicates each.
    let expect = 2 * sm.give_ups_total;
    assert!(
        sm.duplicates_executed.abs_diff(expect) <= 20,
        "{} vs {expect}",
        sm.duplicates_executed
    );
    assert_eq!(sm.give_ups["max_attempts"], sm.give_ups_total);

    // The same fleet, idempotent: no duplicates counted, the same waste.
    let mut s2 = slow_server(60);
    f.idempotent = true;
    s2.fleets.push(f);
    let r2 = sim::run(&s2, 1).unwrap();
    assert_eq!(r2.summary.duplicates_executed, 0);
    assert_eq!(r2.summary.wasted_attempts, sm.wasted_attempts);
}

#[test]
fn the_deadline_bounds_a_logical_request() {
    let mut s = slow_server(60);
    let mut f = Fleet::new(
        "deadline",
        5,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.timeout = Some(Nanos::from_millis(60));
    f.deadline = Some(Nanos::from_millis(250));
    f.retry = RetryPolicy::new(
        Strategy::Fixed {
            delay: Nanos::from_millis(50),
        },
        100,
    );
    s.fleets.push(f);
    let r = sim::run(&s, 2).unwrap();
    let sm = &r.summary;
    assert_eq!(sm.give_ups["deadline"], sm.give_ups_total);
    // Sends at 0, 110, 220 ms: the third attempt is cut by the deadline at 250 ms.
    let amp = sm.retry_amplification;
    assert!((amp - 3.0).abs() < 0.05, "amplification {amp}");
}

#[test]
fn fairness_sees_a_starved_tenant() {
    let mut s = Scenario::new("fair");
    s.duration = Nanos::from_secs(200);
    s.server.levels.push(Level::new(
        Scope::Tenant,
        "token_bucket",
        Params::new().with("rate", "5/s").with("burst", 5i64),
    ));
    // Tenant "small": one client under its limit. Tenant "big": 10 clients at 2/s against 5/s.
    let small = Fleet::new(
        "small",
        1,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    let big = Fleet::new(
        "big",
        10,
        Arrival::Poisson {
            rate: "2/s".parse().unwrap(),
        },
    );
    s.fleets.push(small);
    s.fleets.push(big);
    let r = sim::run(&s, 3).unwrap();
    // Tenant ratios ~1.0 and ~0.25: J = 1.25^2 / (2 * (1 + 0.0625)) ~ 0.735.
    let j = r.summary.fairness_tenants.unwrap();
    assert!((j - 0.735).abs() < 0.02, "tenant fairness {j}");
    assert!(r.fleets["small"].fairness_tenants.unwrap() > 0.999);
    // Within "big" every client is treated alike.
    assert!(r.fleets["big"].fairness_clients.unwrap() > 0.95);
    assert_eq!(r.clients.len(), 11);
    assert_eq!(r.tenants.len(), 2);
}
