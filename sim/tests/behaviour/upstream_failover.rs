//! Seed 003's fail-over: "Retry with a smaller horizon or shorter context window, then fail
//! over to a different model". A scenario names several upstreams with their own faults; a
//! fleet's `failover` moves a request on to the next upstream after `after` failures with a
//! status in `on`.
//!
//! The primary upstream answers 502 to every request for the whole run; the secondary is
//! healthy. A fleet retrying on the primary only never succeeds; one that fails over after
//! one 502 succeeds on its second attempt, and one that fails over after two on its third.

use sim::scenario::load_str;

fn scenario(failover: &str) -> String {
    format!(
        r#"
name = "failover"
duration = "60s"
bucket = "1s"
[[server.upstreams]]
name = "primary"
[[server.upstreams.faults]]
kind = "error_rate"
start = "0s"
duration = "60s"
status = 502
rate = 1.0
[[server.upstreams]]
name = "secondary"
[fleet.c]
count = 10
arrival = {{ process = "poisson", rate = "1/s" }}
{failover}
[fleet.c.retry]
policy = "fixed"
delay = "100ms"
max_attempts = 3
retry_on = [502]
"#
    )
}

fn run(failover: &str) -> sim::metrics::Summary {
    let s = load_str("failover.toml", &scenario(failover)).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, 5).unwrap().summary
}

#[test]
fn without_failover_every_attempt_meets_the_failing_primary() {
    let s = run("");
    assert_eq!(s.successes, 0, "{s:?}");
    assert!(s.logical_requests > 400);
}

#[test]
fn failing_over_reaches_the_healthy_secondary() {
    let s = run("[fleet.c.failover]\non = [502]");
    let done = s.logical_requests - s.in_flight_at_end;
    assert_eq!(s.successes, done, "{s:?}");
    // one 502 on the primary, then the secondary: two attempts per request (a request still
    // in flight at the end may have had its 502)
    let e502 = s.server_errors[&502];
    assert!(done <= e502 && e502 <= s.logical_requests, "{s:?}");
    let after_two = run("[fleet.c.failover]\non = [502]\nafter = 2");
    let done = after_two.logical_requests - after_two.in_flight_at_end;
    assert_eq!(after_two.successes, done);
    let e502 = after_two.server_errors[&502];
    assert!(2 * done <= e502 && e502 <= 2 * after_two.logical_requests);
}

#[test]
fn failover_needs_two_upstreams_and_upstream_faults_are_errors_or_outages() {
    let one = scenario("[fleet.c.failover]\non = [502]");
    let one = one.replace("[[server.upstreams]]\nname = \"secondary\"\n", "");
    let e = load_str("one.toml", &one).unwrap_err().to_string();
    assert!(e.contains("one.toml:") && e.contains("two"), "{e}");
    let spike = scenario("").replace(
        "kind = \"error_rate\"",
        "kind = \"latency_spike\"\nextra = \"1s\"",
    );
    let spike = spike.replace("status = 502\nrate = 1.0\n", "");
    let e = load_str("spike.toml", &spike).unwrap_err().to_string();
    assert!(
        e.contains("spike.toml:") && e.contains("shared backend"),
        "{e}"
    );
}
