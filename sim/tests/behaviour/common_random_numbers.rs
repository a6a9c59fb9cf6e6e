//! Common random numbers: service times, fault coins, fault latencies and network delays are
//! drawn per attempt identity (fleet, client index in the fleet, request number, attempt), so
//! two variants that differ only in something that reorders the server's work give the same
//! draws to the same attempt of an unchanged client.
//!
//! The scenarios have no limiter and unlimited workers: a client of the `steady` fleet then
//! interacts with the other fleet only through the random draws, and its whole history (every
//! attempt, response and its time) must be identical across variants. With one server-wide
//! stream per purpose (before), the other fleet's extra attempts shift every later draw.

use sim::engine::{TraceEvent, TraceKind};
use sim::Simulation;

/// `steady` (with its own retries) and, when `other` is given, a second fleet with that
/// TOML body, listed first so that `steady`'s global client indices move too (the identity
/// uses the index within the fleet).
fn scenario(other: Option<&str>) -> sim::model::Scenario {
    let mut text = String::from(
        r#"
name = "crn"
duration = "60s"

[server.backend]
service_time = { dist = "exponential", mean = "30ms" }

[network]
delay = { dist = "exponential", mean = "4ms" }

[[faults]]
kind = "error_rate"
start = "0s"
duration = "60s"
rate = 0.3

[[faults]]
kind = "latency_spike"
start = "20s"
duration = "20s"
extra = { dist = "exponential", mean = "50ms" }
"#,
    );
    if let Some(body) = other {
        text.push_str("\n[fleet.other]\n");
        text.push_str(body);
    }
    text.push_str(
        r#"
[fleet.steady]
count = 20
arrival = { process = "poisson", rate = "2/s" }

[fleet.steady.retry]
policy = "exponential"
base = "100ms"
cap = "1s"
jitter = "full"
max_attempts = 4
"#,
    );
    sim::scenario::load_str("crn.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The `steady` fleet's trace: (time, client index in the fleet, step).
fn steady(s: &sim::model::Scenario) -> Vec<(u64, u32, String)> {
    let fi = s.fleets.iter().position(|f| f.name == "steady").unwrap();
    let (r, trace) = Simulation::new(s, 11).run_traced().unwrap();
    let rows: Vec<(u64, u32, String)> = trace
        .iter()
        .filter(|e: &&TraceEvent| usize::from(e.fleet) == fi)
        .map(|e| (e.at.0, e.client, format!("{:?}", e.kind)))
        .collect();
    // The run exercises what it claims to: failures, retries and successes.
    let f = &r.fleets["steady"];
    assert!(f.retries > 100 && f.successes > 1000, "{f:?}");
    assert!(trace
        .iter()
        .any(|e| matches!(e.kind, TraceKind::Response { status: 500 })));
    rows
}

const NO_RETRY: &str = r#"
count = 30
arrival = { process = "poisson", rate = "3/s" }
"#;

const RETRY: &str = r#"
count = 30
arrival = { process = "poisson", rate = "3/s" }

[fleet.other.retry]
policy = "exponential"
base = "50ms"
cap = "2s"
jitter = "full"
max_attempts = 6
"#;

#[test]
fn another_fleets_retry_policy_leaves_a_steady_fleets_draws_unchanged() {
    let a = steady(&scenario(Some(NO_RETRY)));
    let b = steady(&scenario(Some(RETRY)));
    assert_eq!(a.len(), b.len());
    assert!(
        a == b,
        "first difference: {:?}",
        a.iter().zip(&b).find(|(x, y)| x != y)
    );
}

#[test]
fn adding_a_fleet_leaves_a_steady_fleets_draws_unchanged() {
    let alone = steady(&scenario(None));
    let crowded = steady(&scenario(Some(RETRY)));
    assert!(
        alone == crowded,
        "first difference: {:?}",
        alone.iter().zip(&crowded).find(|(x, y)| x != y)
    );
}

#[test]
fn the_draws_still_depend_on_the_seed() {
    let s = scenario(Some(RETRY));
    let a = Simulation::new(&s, 1).run().unwrap();
    let b = Simulation::new(&s, 2).run().unwrap();
    assert_ne!(
        format!("{:?}", a.fleets["steady"]),
        format!("{:?}", b.fleets["steady"])
    );
}
