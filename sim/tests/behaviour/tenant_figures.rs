//! Per-tenant rejections and latency (issue #12, item 1): a fleet's totals hide which of its
//! tenants a limiter rejects, so the tenants table counts each tenant's rejections by status
//! and the p50/p99 latency of its successes.

use proptest::prelude::*;
use sim::metrics::RunResult;

/// Three quiet tenants in one fleet at 1/s per client, a noisy tenant at 20/s per client,
/// a per-tenant token bucket of 25/s, and retries with exponential backoff: only the noisy
/// tenant is rejected, and its successes wait for their retries.
const SCENARIO: &str = r#"
name = "tenants"
duration = "30s"
bucket = "1s"

[[server.limiters]]
scope = "tenant"
algorithm = "token_bucket"
rate = "25/s"
burst = 25

[server.backend]
service_time = { dist = "exponential", mean = "10ms" }

[network]
delay = "2ms"

[fleet.quiet]
count = 30
tenants = 3
arrival = { process = "poisson", rate = "1/s" }

[fleet.noisy]
count = 10
arrival = { process = "poisson", rate = "20/s" }

[fleet.noisy.retry]
policy = "exponential"
base = "100ms"
cap = "2s"
jitter = "full"
max_attempts = 4
"#;

fn run(seed: u64) -> RunResult {
    let s = sim::scenario::load_str("tenants.toml", SCENARIO).unwrap();
    sim::run(&s, seed).unwrap()
}

#[test]
fn only_the_noisy_tenant_is_rejected_and_its_successes_are_slower() {
    let r = run(7);
    let t = |name: &str| r.tenants.iter().find(|t| t.tenant == name).unwrap();
    let noisy = t("noisy-0");
    assert!(noisy.rejected[&429] > 1_000, "{noisy:?}");
    assert_eq!(noisy.rejected_total, noisy.rejected[&429]);
    for q in ["quiet-0", "quiet-1", "quiet-2"] {
        let q = t(q);
        assert_eq!(q.rejected_total, 0, "{q:?}");
        assert_eq!(
            q.rejected.get(&429),
            Some(&0),
            "every status, zeros included"
        );
        let (qp99, np99) = (q.latency_p99_ms.unwrap(), noisy.latency_p99_ms.unwrap());
        // a quiet success is one round trip (~14 ms); the noisy tenant's p99 waited for retries
        assert!(qp99 < 100.0 && np99 > 2.0 * qp99, "{qp99} vs {np99}");
        assert!(q.latency_p50_ms.unwrap() <= qp99);
    }
    // the tenant's figures are the fleet's where one tenant is one fleet
    let fleet = &r.fleets["noisy"];
    assert_eq!(noisy.rejected, fleet.rejected);
    let p99 = fleet.latency.as_ref().unwrap().p99_ms;
    assert!((noisy.latency_p99_ms.unwrap() - p99).abs() <= p99 / 16.0 + 0.01);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn tenant_rejections_and_errors_add_up_to_the_whole_run(seed in 0u64..1_000) {
        let r = run(seed);
        for (status, n) in &r.summary.rejected {
            let sum: u64 = r.tenants.iter().map(|t| t.rejected[status]).sum();
            prop_assert_eq!(sum, *n, "status {}", status);
        }
        for (status, n) in &r.summary.server_errors {
            let sum: u64 = r.tenants.iter().map(|t| t.server_errors[status]).sum();
            prop_assert_eq!(sum, *n, "status {}", status);
        }
        let successes: u64 = r.tenants.iter().map(|t| t.successes).sum();
        prop_assert_eq!(successes, r.summary.successes);
    }
}
