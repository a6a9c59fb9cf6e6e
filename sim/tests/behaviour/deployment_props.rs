//! Invariants of deployments over replica counts, balancers, rates and seeds (proptest).
//!
//! Whatever the balancer: one central state with a zero round trip never admits over the
//! limit; a split limit never does either (its shares add up to at most the limit); local
//! state admits at most N times the limit in a window; and the runs are deterministic.

use proptest::prelude::*;
use sim::scenario::load_str;

fn run(replicas: u32, balancer: &str, state: &str, rate: u32, seed: u64) -> sim::RunResult {
    let text = format!(
        r#"
name = "p"
duration = "30s"
[[server.limiters]]
scope = "global"
algorithm = "fixed_window"
limit = 40
period = "30s"
{state}
[deployment]
replicas = {replicas}
balancer = "{balancer}"
[fleet.web]
count = 3
keys = 2
arrival = {{ process = "poisson", rate = "{rate}/s" }}
"#
    );
    let s = load_str("p.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    sim::run(&s, seed).unwrap()
}

const BALANCERS: &[&str] = &[
    "round_robin",
    "random",
    "least_outstanding",
    "power_of_two",
    "hash_key",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn shared_or_split_state_never_over_admits(
        replicas in 1u32..6,
        b in 0usize..BALANCERS.len(),
        rate in 1u32..20,
        seed in 0u64..1000,
    ) {
        for state in ["state = \"central\"", "state = \"split\"",
                      "state = \"synced\"\nsync_interval = \"0s\"",
                      "state = \"over_limit_cache\""] {
            let r = run(replicas, BALANCERS[b], state, rate, seed);
            let d = r.deployment.as_ref().unwrap();
            prop_assert_eq!(d.admitted_over_limit, 0, "{}", state);
            prop_assert!(r.summary.successes <= 40, "{}: {}", state, r.summary.successes);
        }
    }

    #[test]
    fn local_state_admits_at_most_n_limits_and_is_deterministic(
        replicas in 1u32..6,
        b in 0usize..BALANCERS.len(),
        rate in 1u32..20,
        seed in 0u64..1000,
    ) {
        let r = run(replicas, BALANCERS[b], "", rate, seed);
        prop_assert!(r.summary.successes <= 40 * u64::from(replicas));
        let d = r.deployment.as_ref().unwrap();
        prop_assert_eq!(d.admitted, r.summary.successes);
        prop_assert_eq!(d.attempts_per_replica.iter().sum::<u64>(), r.summary.attempts);
        let again = run(replicas, BALANCERS[b], "", rate, seed);
        prop_assert_eq!(again.deployment, r.deployment);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Doorman's proportional share, renewed as one batch: the grants never add up to more
    /// than the limit, and every replica gets at least what it wants up to its equal share.
    #[test]
    fn lease_grants_fit_the_limit_and_honour_the_equal_share(
        limit in 1u64..1000,
        demands in proptest::collection::vec(0u32..2000, 1..9),
    ) {
        use limiters::Nanos;
        let n = demands.len();
        let s = Nanos::from_secs(1);
        let mut l = sim::server::deployment::Leases::new(limit, s, s, n as u32);
        for (r, &d) in demands.iter().enumerate() {
            if d > 0 {
                l.admit(r, Nanos::ZERO, d);
            }
        }
        let grants: Vec<u64> = l.renew(&vec![true; n]).into_iter().map(Option::unwrap).collect();
        prop_assert!(grants.iter().sum::<u64>() <= limit, "{:?}", grants);
        let equal = limit / n as u64;
        for (r, &g) in grants.iter().enumerate() {
            prop_assert!(g >= u64::from(demands[r]).min(equal), "{}: {:?}", r, grants);
        }
    }

    #[test]
    fn lease_runs_are_deterministic(
        replicas in 1u32..6,
        b in 0usize..BALANCERS.len(),
        rate in 1u32..20,
        seed in 0u64..1000,
    ) {
        let state = "state = \"leases\"\nlease_period = \"5s\"\n\
                     store_rtt = { dist = \"exponential\", mean = \"2ms\" }";
        let r = run(replicas, BALANCERS[b], state, rate, seed);
        let again = run(replicas, BALANCERS[b], state, rate, seed);
        prop_assert_eq!(&again.deployment, &r.deployment);
        prop_assert_eq!(again.summary.successes, r.summary.successes);
        let d = r.deployment.as_ref().unwrap();
        prop_assert_eq!(d.admitted, r.summary.successes);
    }
}
