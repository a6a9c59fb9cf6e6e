//! `[deployment]` in scenario files: what loads, and bad values pointed at by line and column.

use sim::model::{Balancer, EventKind, OnStoreError, Placement};
use sim::scenario::load_str;

fn text(deployment: &str, level: &str) -> String {
    format!(
        r#"name = "d"
duration = "1m"
[[server.limiters]]
scope = "global"
algorithm = "token_bucket"
rate = "60/min"
burst = 60
{level}
{deployment}
[fleet.web]
count = 2
arrival = {{ process = "poisson", rate = "1/s" }}
"#
    )
}

fn err(deployment: &str, level: &str) -> String {
    match load_str("d.toml", &text(deployment, level)) {
        Ok(_) => panic!("loaded: {deployment} / {level}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_full_deployment_loads() {
    let s = load_str(
        "d.toml",
        &text(
            "[deployment]\nreplicas = 3\nbalancer = { weighted = [2, 1, 1] }\n\
             health_check_delay = \"2s\"\n[[deployment.events]]\nkind = \"drain\"\nreplica = 2\n\
             start = \"10s\"\nduration = \"5s\"\n[[deployment.events]]\nkind = \"store_latency\"\n\
             extra = \"30ms\"\nstart = \"0s\"\nduration = \"1s\"",
            "state = \"central\"\nstore_rtt = { dist = \"exponential\", mean = \"1ms\" }\n\
             store_timeout = \"20ms\"\non_store_error = \"local\"",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = s.deployment.expect("deployment");
    assert_eq!(d.replicas, 3);
    assert_eq!(d.balancer, Balancer::Weighted(vec![2, 1, 1]));
    assert_eq!(d.events[0].kind, EventKind::Drain);
    assert_eq!(d.events[0].replica, Some(2));
    match &d.placement[0] {
        Placement::Central(store) => {
            assert_eq!(store.on_error, OnStoreError::Local);
            assert_eq!(store.timeout, Some(limiters::Nanos::from_millis(20)));
        }
        other => panic!("{other:?}"),
    }
    // The level's own parameters are untouched by the state keys.
    assert!(s.server.levels[0].params.get("state").is_none());
}

#[test]
fn no_deployment_is_one_server() {
    let s = load_str("d.toml", &text("", "")).unwrap();
    assert!(s.deployment.is_none());
}

#[test]
fn bad_values_are_pointed_at() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[deployment]\nreplicas = 0",
            "",
            "d.toml:10:12: `replicas` must be at least 1",
        ),
        (
            "[deployment]\nreplicas = 3\nbalancer = { weighted = [1, 2] }",
            "",
            "d.toml:11:12: `weighted` has 2 weights for 3 replicas",
        ),
        (
            "[deployment]\nreplicas = 2\nbalancer = \"round_robbin\"",
            "",
            "d.toml:11:12: unknown balancer `round_robbin`",
        ),
        (
            "[deployment]\nreplicas = 2\n[[deployment.events]]\nkind = \"fail\"\nreplica = 2\n\
             start = \"1s\"\nduration = \"1s\"",
            "",
            "d.toml:13:11: `replica` must be between 0 and 1, got 2",
        ),
        (
            "[deployment]\nreplicas = 2\n[[deployment.events]]\nkind = \"fail\"\n\
             start = \"1s\"\nduration = \"1s\"",
            "",
            "d.toml:12:8: a `fail` event needs `replica`",
        ),
        (
            "",
            "state = \"central\"",
            "d.toml:8:9: `state` says where a level's state lives",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"synced\"",
            "d.toml:8:9: a `synced` level needs `sync_interval`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"split\"\nstore_timeout = \"1s\"",
            "d.toml:9:17: `store_timeout` is for a level whose state is `central` or `synced`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"central\"\non_store_error = \"maybe\"",
            "d.toml:9:18: unknown on_store_error `maybe`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"central\"\non_store_error = \"closed\"\nstatus_on_error = 200",
            "d.toml:10:19: `status_on_error` must be an HTTP error status from 400 to 599, got 200",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"central\"\nstatus_on_error = 503",
            "d.toml:9:19: `status_on_error` is the status of `on_store_error = \"closed\"`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"split\"\nstatus_on_error = 503",
            "d.toml:9:19: `status_on_error` is for a level whose state is `central` or `synced`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"centrall\"",
            "d.toml:8:9: unknown state `centrall`",
        ),
        (
            "[deployment]\nreplicas = 2",
            "state = \"central\"\nstore_rtt = { dist = \"lognormal\", mean = \"1ms\" }",
            "d.toml:9:13: `store_rtt`: ",
        ),
        (
            "[deployment]\nreplicas = 2\nflavour = 1",
            "",
            "d.toml:11:1: unknown field `flavour`",
        ),
    ];
    for (dep, level, want) in cases {
        let got = err(dep, level);
        assert!(got.starts_with(want), "want {want}\n got {got}");
    }
}

#[test]
fn a_leases_level_loads_with_its_period_and_store() {
    let s = load_str(
        "d.toml",
        &text(
            "[deployment]\nreplicas = 3",
            "state = \"leases\"\nlease_period = \"10s\"\nstore_rtt = \"2ms\"",
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = s.deployment.expect("deployment");
    match &d.placement[0] {
        Placement::Leases { period, store } => {
            assert_eq!(*period, limiters::Nanos::from_secs(10));
            assert_eq!(
                store.rtt,
                sim::model::Distribution::Constant(limiters::Nanos::from_millis(2))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_leases_are_pointed_at() {
    let dep = "[deployment]\nreplicas = 2";
    let cases: &[(&str, &str)] = &[
        (
            "state = \"leases\"",
            "d.toml:8:9: a `leases` level needs `lease_period`",
        ),
        (
            "state = \"leases\"\nlease_period = \"0s\"",
            "d.toml:9:16: `lease_period` must be longer than zero",
        ),
        (
            "state = \"leases\"\nlease_period = 10",
            "d.toml:9:16: `lease_period` is a duration",
        ),
        (
            "state = \"central\"\nlease_period = \"10s\"",
            "d.toml:9:16: `lease_period` is for `state = \"leases\"`",
        ),
        (
            "state = \"leases\"\nlease_period = \"10s\"\non_store_error = \"closed\"",
            "d.toml:10:18: `on_store_error` is not for `state = \"leases\"`",
        ),
        (
            "state = \"split\"\nlease_period = \"10s\"",
            "d.toml:9:16: `lease_period` is for a level whose state is",
        ),
    ];
    for (level, want) in cases {
        let got = err(dep, level);
        assert!(got.starts_with(want), "want {want}\n got {got}");
    }
    // A keyed level or a concurrency cap has no one global limit to lease.
    let keyed = text(dep, "state = \"leases\"\nlease_period = \"10s\"")
        .replace("scope = \"global\"", "scope = \"key\"");
    let e = load_str("d.toml", &keyed).unwrap_err().to_string();
    assert!(
        e.starts_with("d.toml:4:9: a `leases` level shares one global limit"),
        "{e}"
    );
    let cap = "name = \"d\"\nduration = \"1m\"\n[[server.limiters]]\nscope = \"global\"\n\
               algorithm = \"concurrency\"\nmax = 4\nstate = \"leases\"\nlease_period = \"1s\"\n\
               [deployment]\nreplicas = 2\n[fleet.web]\ncount = 1\n\
               arrival = { process = \"poisson\", rate = \"1/s\" }\n";
    let e = load_str("d.toml", cap).unwrap_err().to_string();
    assert!(
        e.starts_with("d.toml:7:9: a `leases` level leases shares of a limit"),
        "{e}"
    );
}
