//! The gates in the simulator: fleets configured with `Fleet::gates` against a 30 s outage
//! (every request gets 503) with immediate retries, 4 attempts. Without a gate the outage
//! quadruples the load; each budget caps the retries by its own rule.

use limiters::{Nanos, Params};
use sim::client::gate::{
    AwsQuotaConfig, BreakerConfig, GateKind, GateScope, GateSpec, GrpcThrottleConfig,
    SreThrottleConfig, WindowKind,
};
use sim::model::{Arrival, Fault, FaultKind, Fleet, Level, RetryPolicy, Scenario, Scope, Strategy};
use sim::RunResult;

const CLIENTS: u32 = 100;

fn outage(gates: Vec<GateSpec>) -> Scenario {
    let mut s = Scenario::new("outage");
    s.duration = Nanos::from_secs(60);
    s.faults.push(Fault {
        start: Nanos::from_secs(10),
        duration: Nanos::from_secs(30),
        kind: FaultKind::Outage { status: 503 },
    });
    let mut f = Fleet::new(
        "web",
        CLIENTS,
        Arrival::Poisson {
            rate: "1/s".parse().unwrap(),
        },
    );
    f.retry = RetryPolicy::new(Strategy::Immediate, 4);
    f.gates = gates;
    s.fleets.push(f);
    s
}

fn run(gates: Vec<GateSpec>) -> RunResult {
    sim::run(&outage(gates), 7).unwrap()
}

fn retries_in(r: &RunResult, from: f64, to: f64) -> u64 {
    r.series
        .total
        .iter()
        .filter(|row| row.t_s >= from && row.t_s < to)
        .map(|row| row.retries)
        .sum()
}

#[test]
fn without_a_gate_every_failure_is_retried_three_times() {
    let r = run(vec![]);
    let first: u64 = r
        .series
        .total
        .iter()
        .filter(|x| x.t_s >= 10.0 && x.t_s < 40.0)
        .map(|x| x.first_attempts)
        .sum();
    assert_eq!(retries_in(&r, 10.0, 40.0), 3 * first);
    assert_eq!(r.summary.give_ups.get("gate").copied().unwrap_or(0), 0);
}

#[test]
fn aws_quota_allows_exactly_one_hundred_retries_into_a_dead_backend() {
    // Fleet scope: one SDK client shared by the fleet. Before the outage every first-attempt
    // success refunds 1 into a full quota (no effect); in it, 100 retries of cost 5 empty it.
    let r = run(vec![GateSpec::fleet(GateKind::AwsStandard(
        AwsQuotaConfig::default(),
    ))]);
    assert_eq!(retries_in(&r, 10.0, 40.0), 100);
    assert!(r.summary.give_ups["gate"] > 2_000);
}

#[test]
fn aws_quota_per_client_gives_each_client_its_own_five_hundred() {
    let spec = GateSpec {
        kind: GateKind::AwsStandard(AwsQuotaConfig {
            capacity: 10,
            ..AwsQuotaConfig::default()
        }),
        scope: GateScope::Client,
    };
    let r = run(vec![spec]);
    // 10 tokens = 2 retries per client.
    assert_eq!(retries_in(&r, 10.0, 40.0), 2 * u64::from(CLIENTS));
}

#[test]
fn grpc_throttle_stops_retries_at_half_the_tokens() {
    let cfg = GrpcThrottleConfig {
        max_tokens: 100,
        token_ratio_milli: 100,
        ..GrpcThrottleConfig::default()
    };
    let r = run(vec![GateSpec::fleet(GateKind::Grpc(cfg))]);
    // From 100 tokens, each failed attempt costs 1: retries stop at <= 50, i.e. after 50
    // failures, of which at most 50 were retries (first attempts count too).
    let during = retries_in(&r, 10.0, 40.0);
    assert!(during > 0 && during <= 50, "retries {during}");
}

#[test]
fn breaker_opens_and_probes_every_wait() {
    let cfg = BreakerConfig {
        window: WindowKind::Count(20),
        minimum_calls: 20,
        wait_in_open: Nanos::from_secs(5),
        half_open_calls: 3,
        ..BreakerConfig::default()
    };
    let r = run(vec![GateSpec::fleet(GateKind::Breaker(cfg))]);
    let s = &r.summary;
    // Open for most of the outage: most logical requests are refused without an attempt.
    assert!(s.give_ups["gate"] > 2_000, "{:?}", s.give_ups);
    // It closes again after the outage: the last 10 s are all successes.
    let last: u64 = r
        .series
        .total
        .iter()
        .filter(|x| x.t_s >= 50.0)
        .map(|x| x.successes)
        .sum();
    let offered: u64 = r
        .series
        .total
        .iter()
        .filter(|x| x.t_s >= 50.0)
        .map(|x| x.first_attempts)
        .sum();
    assert_eq!(last, offered);
}

#[test]
fn sre_throttle_sheds_most_attempts_during_the_outage() {
    let base = run(vec![]);
    let sre = run(vec![GateSpec::fleet(GateKind::Sre(
        SreThrottleConfig::default(),
    ))]);
    let attempts = |r: &RunResult| -> u64 {
        r.series
            .total
            .iter()
            .filter(|x| x.t_s >= 20.0 && x.t_s < 40.0)
            .map(|x| x.first_attempts + x.retries)
            .sum()
    };
    // The window still holds the accepts of the 10 s before the outage: the throttle lets
    // about K times those through, then p -> requests / (requests + 1).
    assert!(
        attempts(&sre) * 5 < attempts(&base),
        "{} vs {}",
        attempts(&sre),
        attempts(&base)
    );
    // Deterministic.
    assert_eq!(
        sre.summary,
        run(vec![GateSpec::fleet(GateKind::Sre(
            SreThrottleConfig::default()
        ))])
        .summary
    );
}

#[test]
fn aws_adaptive_rate_limiter_slows_a_fleet_to_the_server_limit() {
    // 100 clients at 1/s against 20/s: without the limiter ~80% of attempts are rejected.
    let mut s = outage(vec![]);
    s.faults.clear();
    s.server.levels.push(Level::new(
        Scope::Global,
        "token_bucket",
        Params::new().with("rate", "20/s").with("burst", 20i64),
    ));
    s.fleets[0].retry = RetryPolicy::none();
    let plain = sim::run(&s, 3).unwrap();
    s.fleets[0].gates = vec![GateSpec::fleet(GateKind::AwsAdaptive {
        quota: AwsQuotaConfig::default(),
        limiter: Default::default(),
    })];
    let adaptive = sim::run(&s, 3).unwrap();
    let rejected_share =
        |r: &RunResult| r.summary.rejected_total as f64 / r.summary.attempts as f64;
    assert!(rejected_share(&plain) > 0.7, "{}", rejected_share(&plain));
    assert!(
        rejected_share(&adaptive) < 0.3,
        "{}",
        rejected_share(&adaptive)
    );
    // Goodput stays near the limit; the rest wait in the client (the SDK blocks callers).
    assert!(
        adaptive.summary.goodput_rps > 12.0,
        "{}",
        adaptive.summary.goodput_rps
    );
}

/// One client at 90 % failures behind a count-window breaker: a per-client breaker must behave
/// exactly as a fleet-wide one (the fleet is that one client). The per-client copy used to lose
/// its window size (a cloned empty `Vec` keeps no capacity): a window of ~4 calls that opened
/// on one failure with `minimum_calls <= 4` and never opened with the defaults.
#[test]
fn per_client_breaker_agrees_with_fleet_wide_for_one_client() {
    for cfg in [
        BreakerConfig::default(),
        BreakerConfig {
            window: WindowKind::Count(10),
            minimum_calls: 4,
            wait_in_open: Nanos::from_secs(5),
            ..BreakerConfig::default()
        },
    ] {
        let one = |scope| {
            let mut s = Scenario::new("flaky");
            s.duration = Nanos::from_secs(600);
            s.faults.push(Fault {
                start: Nanos::ZERO,
                duration: Nanos::from_secs(600),
                kind: FaultKind::ErrorRate {
                    status: 503,
                    rate: 0.9,
                },
            });
            let mut f = Fleet::new(
                "one",
                1,
                Arrival::Poisson {
                    rate: "2/s".parse().unwrap(),
                },
            );
            f.retry = RetryPolicy::new(Strategy::Immediate, 4);
            f.gates = vec![GateSpec {
                kind: GateKind::Breaker(cfg),
                scope,
            }];
            s.fleets.push(f);
            sim::run(&s, 3).unwrap().summary
        };
        let (fleet, client) = (one(GateScope::Fleet), one(GateScope::Client));
        assert_eq!(client.attempts, fleet.attempts, "{cfg:?}");
        assert_eq!(client.give_ups, fleet.give_ups, "{cfg:?}");
        assert!(fleet.give_ups["gate"] > 0, "the breaker opens: {cfg:?}");
    }
}
