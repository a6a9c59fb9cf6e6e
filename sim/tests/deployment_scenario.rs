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
