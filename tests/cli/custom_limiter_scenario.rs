//! `docs/limiters.md`, "Adding your own algorithm", last step: a limiter registered by a program (the
//! `custom_limiter` example of the `limiters` crate) is used *by name* in a scenario file, and
//! the simulator runs it.

#[allow(dead_code)]
#[path = "../../limiters/examples/custom_limiter.rs"]
mod custom_limiter;

const SCENARIO: &str = r#"
name = "custom"
duration = "10s"

[[server.limiters]]
scope = "key"
algorithm = "expiring_counter"
limit = 5
period = "1s"

[fleet.web]
count = 1
arrival = { process = "constant", rate = "20/s" }

[fleet.web.retry]
policy = "none"
"#;

#[test]
fn a_registered_algorithm_is_used_by_name_in_a_scenario() {
    let registry = custom_limiter::registry();
    let scenario = sim::scenario::load_str_with("custom.toml", SCENARIO, &registry)
        .unwrap_or_else(|e| panic!("{e}"));
    let result = sim::Simulation::new(&scenario, 7)
        .registry(&registry)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let s = &result.summary;
    // one client at 20/s against 5 per window of 1s: about a quarter admitted, the rest 429
    assert!(s.admitted > 0 && s.rejected_total > 0, "{s:?}");
    assert!(s.admitted <= 5 * 11, "at most 5 per window over 10s: {s:?}");
    assert!(s.admitted >= 5 * 9, "the windows reopen: {s:?}");
}

#[test]
fn without_registration_the_name_is_a_clear_error() {
    let e = sim::scenario::load_str("custom.toml", SCENARIO)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expiring_counter"), "{e}");
}
