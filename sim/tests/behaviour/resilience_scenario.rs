//! Gates in scenario files: `[[fleet.<name>.gates]]` tables load into `Fleet::gates` with the
//! strategies' real defaults, misplaced keys are errors at their line, and the demo scenario
//! shows each budget's rule.

use limiters::Nanos;
use sim::client::gate::{
    AwsQuotaConfig, BreakerConfig, GateKind, GateScope, GrpcThrottleConfig, WindowKind,
};

const HEAD: &str = r#"
name = "g"
duration = "10s"
[fleet.web]
count = 2
arrival = { process = "poisson", rate = "1/s" }
"#;

fn load(gates: &str) -> Result<sim::model::Scenario, String> {
    sim::scenario::load_str("g.toml", &format!("{HEAD}{gates}")).map_err(|e| e.to_string())
}

#[test]
fn defaults_are_the_real_constants() {
    let s = load("[[fleet.web.gates]]\nkind = \"aws_standard\"\n[[fleet.web.gates]]\nkind = \"circuit_breaker\"\nscope = \"client\"\n").unwrap();
    let g = &s.fleets[0].gates;
    assert_eq!(g[0].kind, GateKind::AwsStandard(AwsQuotaConfig::default()));
    assert_eq!(g[0].scope, GateScope::Fleet);
    assert_eq!(g[1].kind, GateKind::Breaker(BreakerConfig::default()));
    assert_eq!(g[1].scope, GateScope::Client);
}

#[test]
fn every_kind_takes_its_keys() {
    let s = load(
        r#"
[[fleet.web.gates]]
kind = "grpc_throttle"
max_tokens = 100
token_ratio = 0.25
[[fleet.web.gates]]
kind = "circuit_breaker"
sliding_window_type = "time"
sliding_window_size = 30
wait_in_open = "5s"
[[fleet.web.gates]]
kind = "finagle_budget"
ttl = "20s"
percent_can_retry = 0.1
[[fleet.web.gates]]
kind = "retry_bucket"
deposit = 0.05
capacity = 3
[[fleet.web.gates]]
kind = "sre_throttle"
k = 1.5
window = "1m"
[[fleet.web.gates]]
kind = "envoy_budget"
budget_percent = 50
[[fleet.web.gates]]
kind = "aws_adaptive"
throttle_on = [429, 503]
"#,
    )
    .unwrap();
    let g = &s.fleets[0].gates;
    assert_eq!(g.len(), 7);
    match &g[0].kind {
        GateKind::Grpc(c) => assert_eq!(
            (c.max_tokens, c.token_ratio_milli),
            (100, 250),
            "{:?}",
            GrpcThrottleConfig::default()
        ),
        k => panic!("{k:?}"),
    }
    match &g[1].kind {
        GateKind::Breaker(b) => {
            assert_eq!(b.window, WindowKind::Time(30));
            assert_eq!(b.wait_in_open, Nanos::from_secs(5));
        }
        k => panic!("{k:?}"),
    }
    match &g[3].kind {
        GateKind::RetryBucket(b) => {
            assert_eq!(
                (b.deposit_milli, b.capacity_milli, b.initial_milli),
                (50, 3000, 3000)
            )
        }
        k => panic!("{k:?}"),
    }
    match &g[4].kind {
        GateKind::Sre(c) => assert_eq!((c.k, c.window_secs), (1.5, 60)),
        k => panic!("{k:?}"),
    }
}

#[test]
fn bad_gates_point_at_the_line() {
    let e = load("[[fleet.web.gates]]\nkind = \"aws_standard\"\nmax_tokens = 5\n").unwrap_err();
    assert!(
        e.starts_with("g.toml:9:14: `max_tokens` does not apply to kind = \"aws_standard\""),
        "{e}"
    );
    let e = load("[[fleet.web.gates]]\nkind = \"breaker\"\n").unwrap_err();
    assert!(e.contains("unknown gate kind `breaker`"), "{e}");
    let e = load("[[fleet.web.gates]]\nkind = \"grpc_throttle\"\nmax_tokens = 5000\n").unwrap_err();
    assert!(e.contains("`max_tokens` must be between 1 and 1000"), "{e}");
    let e = load("[[fleet.web.gates]]\nkind = \"finagle_budget\"\nttl = \"2m\"\n").unwrap_err();
    assert!(e.contains("1s to 60s"), "{e}");
    let e =
        load("[[fleet.web.gates]]\nkind = \"sre_throttle\"\nscope = \"process\"\n").unwrap_err();
    assert!(e.contains("unknown gate scope `process`"), "{e}");
}

#[test]
fn brookers_published_rules_load_by_name() {
    use sim::client::gate::{DepositBucketConfig, DepositRule, RatioBreakerConfig};
    let s = load(
        "[[fleet.web.gates]]\nkind = \"retry_bucket\"\nrule = \"brooker_code\"\ncapacity = 5\n\
         [[fleet.web.gates]]\nkind = \"ratio_breaker\"\nmax_failure_ratio = 0.2\nscope = \"client\"\n",
    )
    .unwrap();
    let g = &s.fleets[0].gates;
    assert_eq!(
        g[0].kind,
        GateKind::RetryBucket(DepositBucketConfig {
            rule: DepositRule::BrookerCode,
            capacity_milli: 5_000,
            initial_milli: 5_000,
            ..DepositBucketConfig::default()
        })
    );
    assert_eq!(
        g[1].kind,
        GateKind::RatioBreaker(RatioBreakerConfig {
            max_failure_ratio_milli: 200
        })
    );
    let e = load("[[fleet.web.gates]]\nkind = \"retry_bucket\"\nrule = \"code\"\n").unwrap_err();
    assert!(e.starts_with("g.toml:9:8: unknown rule `code`"), "{e}");
    let e = load("[[fleet.web.gates]]\nkind = \"ratio_breaker\"\ncapacity = 5\n").unwrap_err();
    assert!(e.contains("`capacity` does not apply"), "{e}");
}

#[test]
fn the_demo_scenario_shows_each_rule() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/retry-budgets.toml"
    ))
    .unwrap();
    let s = sim::scenario::load_str("retry-budgets.toml", &text).unwrap();
    let r = sim::run(&s, s.seed).unwrap();
    let retries = |fleet: &str| -> u64 {
        r.series.fleets[fleet]
            .iter()
            .filter(|x| x.t_s >= 10.0 && x.t_s < 40.0)
            .map(|x| x.retries)
            .sum()
    };
    let firsts: u64 = r.series.fleets["none"]
        .iter()
        .filter(|x| x.t_s >= 10.0 && x.t_s < 40.0)
        .map(|x| x.first_attempts)
        .sum();
    assert_eq!(retries("none"), 3 * firsts);
    assert_eq!(retries("aws"), 100);
    assert!(retries("grpc") <= 50 && retries("grpc") > 0);
    assert!(retries("breaker") < retries("aws"));
}
