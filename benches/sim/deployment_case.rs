//! The deployment case of `benches/sim_throughput.rs` (issue #15): 64 replicas behind a round
//! robin balancer, each its own backend and its share of a global limit (`state = "split"`),
//! with 10,000 Poisson clients at 1/s, beside the same fleet against one server. The target
//! is the ratio of the two in the same run: the deployment at no less than half of one
//! server's events/s.
//!
//! Both scenarios draw the same arrivals (the fleet's streams do not depend on the server) and
//! no client retries, so both runs process the same attempts: events/s compare the same work.

use limiters::Nanos;
use sim::model::Scenario;

/// Clients in the fleet.
pub const CLIENTS: u32 = 10_000;
/// Replicas of the deployment.
pub const REPLICAS: u32 = 64;

const SEED: u64 = 42;

/// The scenario over `secs` simulated seconds, with the deployment or as one server.
pub fn scenario(secs: u64, deployment: bool) -> Scenario {
    let dep = if deployment {
        format!("state = \"split\"\n[deployment]\nreplicas = {REPLICAS}\n")
    } else {
        String::new()
    };
    let text = format!(
        r#"
name = "deployment-64x10k"
duration = "60s"
[server.backend]
workers = 64
service_time = {{ dist = "exponential", mean = "2ms" }}
[[server.limiters]]
scope = "global"
algorithm = "token_bucket"
rate = "8000/s"
burst = 1000
{dep}
[fleet.clients]
count = {CLIENTS}
arrival = {{ process = "poisson", rate = "1/s" }}
"#
    );
    let mut s = sim::scenario::load_str("deployment-64x10k.toml", &text)
        .unwrap_or_else(|e| panic!("deployment case: {e}"));
    s.duration = Nanos::from_secs(secs);
    s
}

/// One run: (events, admitted).
pub fn run(s: &Scenario) -> (u64, u64) {
    let r = sim::run(s, SEED).unwrap_or_else(|e| panic!("deployment case: {e}"));
    (r.events, r.summary.admitted)
}

/// Check that both runs measure what they claim before timing them: the same attempts, the
/// deployment's spread over all 64 replicas, and the limit binding (8,000/s against 10,000/s
/// offered) in both. Returns the events of each.
pub fn check(one: &Scenario, dep: &Scenario) -> (u64, u64) {
    let a = sim::run(one, SEED).unwrap_or_else(|e| panic!("one server: {e}"));
    let b = sim::run(dep, SEED).unwrap_or_else(|e| panic!("deployment: {e}"));
    assert!(a.deployment.is_none(), "one server has no deployment");
    let d = b.deployment.as_ref().expect("deployment figures");
    assert_eq!(d.replicas, REPLICAS);
    assert!(
        d.attempts_per_replica.iter().all(|&n| n > 0),
        "every replica gets attempts"
    );
    assert_eq!(a.summary.attempts, b.summary.attempts, "the same attempts");
    for (what, r) in [("one server", &a), ("deployment", &b)] {
        let s = &r.summary;
        assert!(
            s.admitted < s.attempts && s.admitted * 10 > s.attempts * 7,
            "{what}: the limit binds ({} of {})",
            s.admitted,
            s.attempts
        );
    }
    (a.events, b.events)
}
