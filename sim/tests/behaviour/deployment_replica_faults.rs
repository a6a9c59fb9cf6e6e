//! `[[faults]]` with `replica = N` (issue #15): the fault is in that replica's backend only.
//!
//! Closed form: one client sends 10 requests a second, evenly, for 60 s, to 2 replicas behind
//! round robin (no limiter, no retries). An outage from 30 s to the end answers all 300
//! requests of the second half; on replica 1 only, exactly every other one: 150.

use sim::metrics::RunResult;
use sim::scenario::load_str;

fn text(replicas: u32, fault_replica: &str) -> String {
    format!(
        r#"name = "rf"
duration = "60s"
seed = 3
[deployment]
replicas = {replicas}
[[faults]]
kind = "outage"
status = 503
start = "30s"
duration = "30s"
{fault_replica}
[fleet.web]
count = 1
arrival = {{ process = "constant", rate = "10/s" }}
"#
    )
}

fn run(replicas: u32, fault_replica: &str) -> RunResult {
    let s = load_str("rf.toml", &text(replicas, fault_replica)).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, s.seed).unwrap()
}

fn outage_503(r: &RunResult) -> u64 {
    r.summary.server_errors.get(&503).copied().unwrap_or(0)
}

#[test]
fn a_fault_on_one_replica_hits_only_its_share_of_the_requests() {
    let all = run(2, "");
    assert_eq!(
        outage_503(&all),
        300,
        "every replica down: the whole second half"
    );
    let one = run(2, "replica = 1");
    assert_eq!(outage_503(&one), 150, "replica 1 only: every other request");
    assert_eq!(one.summary.successes, 600 - 150);
    // The other replica never answers 503: the same fault on replica 0 is the other half.
    let zero = run(2, "replica = 0");
    assert_eq!(outage_503(&zero) + outage_503(&one), 300);
}

#[test]
fn a_replica_fault_must_name_a_replica_of_a_deployment() {
    let err = |t: String| load_str("rf.toml", &t).unwrap_err().to_string();
    let e = err(text(2, "replica = 2"));
    assert!(
        e.starts_with("rf.toml:11:11: `replica` must be between 0 and 1, got 2"),
        "{e}"
    );
    let no_deployment = text(2, "replica = 0").replace("[deployment]\nreplicas = 2\n", "");
    let e = err(no_deployment);
    assert!(
        e.starts_with("rf.toml:9:11: `replica` picks one replica of a `[deployment]`"),
        "{e}"
    );
}
