//! Seed 002's 409 on a reused key with a different body: a fleet whose clients rebuild the
//! body on retry (`[fleet.<name>.idempotency] changed_body_probability`) meets the stored first
//! body with 409, where the same retry with the same body is answered from the store.
//!
//! Each request's first attempt executes (100 ms) but the client gives up on it at 50 ms and
//! retries 200 ms later, after the first has completed: an unchanged body is a replay (the
//! stored 200, nothing executed again), a changed one a 409 (not retried: 409 is not in
//! `retry_on`).

use sim::scenario::load_str;

fn scenario(idempotency: &str) -> String {
    format!(
        r#"
name = "changed-body"
duration = "60s"
bucket = "1s"
[server.backend]
service_time = "100ms"
[fleet.c]
count = 10
arrival = {{ process = "poisson", rate = "1/s" }}
timeout = "50ms"
idempotent = false
idempotency_key = true
{idempotency}
[fleet.c.retry]
policy = "fixed"
delay = "200ms"
max_attempts = 2
"#
    )
}

fn run(idempotency: &str) -> sim::metrics::Summary {
    let s = load_str("changed-body.toml", &scenario(idempotency)).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, 3).unwrap().summary
}

#[test]
fn an_unchanged_body_is_a_replay() {
    let s = run("");
    assert_eq!(s.rejected.get(&409).copied().unwrap_or(0), 0, "{s:?}");
    assert_eq!(s.duplicates_executed, 0);
    assert!(s.successes + 20 >= s.logical_requests, "{s:?}");
}

#[test]
fn a_changed_body_under_the_same_key_gets_409() {
    let s = run("[fleet.c.idempotency]\nchanged_body_probability = 1.0");
    let conflicts = s.rejected.get(&409).copied().unwrap_or(0);
    assert!(conflicts > 500, "{s:?}");
    // every retry meets the stored first body: none succeeds, none executes again
    assert!(s.successes <= 20, "{s:?}");
    assert_eq!(s.duplicates_executed, 0);
    // half of them: a binomial share of the retries
    let half = run("[fleet.c.idempotency]\nchanged_body_probability = 0.5");
    let c = half.rejected.get(&409).copied().unwrap_or(0) as f64;
    let n = conflicts as f64;
    assert!((c / n - 0.5).abs() < 0.08, "{c} of {n}");
}

#[test]
fn changed_bodies_need_a_key_and_a_probability() {
    let no_key = scenario("[fleet.c.idempotency]\nchanged_body_probability = 0.5")
        .replace("idempotency_key = true\n", "");
    let e = load_str("k.toml", &no_key).unwrap_err().to_string();
    assert!(
        e.contains("k.toml:") && e.contains("idempotency_key"),
        "{e}"
    );
    let e = load_str(
        "p.toml",
        &scenario("[fleet.c.idempotency]\nchanged_body_probability = 1.5"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("p.toml:") && e.contains("probability"), "{e}");
}
