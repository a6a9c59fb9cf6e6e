//! Idempotency keys in the simulator: non-idempotent requests that take 2 s while clients time
//! out after 1 s. Without a key every retry executes again (duplicates); with a key the retry
//! after the first finished replays its stored response (seed 004), and a retry while it still
//! executes gets 409 (seed 002's `idempotency.key_mismatch` family; Stripe's in-progress 409).

use limiters::Nanos;
use sim::model::{Arrival, Backend, Distribution, Fleet, RetryPolicy, Scenario, Strategy};

fn scenario(key: bool, retry_after: Nanos) -> Scenario {
    let mut s = Scenario::new("idem");
    s.duration = Nanos::from_secs(60);
    s.server.backend = Backend {
        service_time: Distribution::Constant(Nanos::from_secs(2)),
        ..Backend::instant()
    };
    let mut f = Fleet::new(
        "pay",
        20,
        Arrival::Poisson {
            rate: "1/10s".parse().unwrap(),
        },
    );
    f.idempotent = false;
    f.idempotency_key = key;
    f.timeout = Some(Nanos::from_secs(1));
    f.retry = RetryPolicy::new(Strategy::Fixed { delay: retry_after }, 3);
    s.fleets.push(f);
    s
}

#[test]
fn without_a_key_every_retry_executes_again() {
    let r = sim::run(&scenario(false, Nanos::from_millis(1_500)), 1).unwrap();
    let s = &r.summary;
    // Attempts at 0 s, 2.5 s, 5 s each execute for 2 s; the client never sees one finish.
    assert_eq!(s.successes, 0);
    assert!(s.duplicates_executed > 0);
    let done = s.logical_requests - s.in_flight_at_end;
    assert!(s.duplicates_executed >= 2 * done - 2, "{s:?}");
}

#[test]
fn with_a_key_the_retry_replays_the_stored_response() {
    let r = sim::run(&scenario(true, Nanos::from_millis(1_500)), 1).unwrap();
    let s = &r.summary;
    assert_eq!(s.duplicates_executed, 0);
    // The second attempt (at 2.5 s) finds the first's 200 stored: success without executing.
    assert_eq!(
        s.successes + s.in_flight_at_end,
        s.logical_requests,
        "{s:?}"
    );
    assert!(s.successes > 50);
}

#[test]
fn a_retry_while_the_first_executes_gets_409() {
    let r = sim::run(&scenario(true, Nanos::from_millis(500)), 1).unwrap();
    let s = &r.summary;
    // The retry at 1.5 s meets the key in progress (the first runs until 2 s): 409, which is
    // not retried.
    assert_eq!(s.duplicates_executed, 0);
    assert_eq!(s.successes, 0);
    assert_eq!(
        s.give_ups["not_retryable"],
        s.logical_requests - s.in_flight_at_end
    );
    assert_eq!(
        s.rejected.get(&409).copied().unwrap_or(0)
            + s.server_errors.get(&409).copied().unwrap_or(0),
        s.give_ups["not_retryable"]
    );
}
