//! Hedged requests end to end: the hedge timer, first success wins, extra load counted, the
//! retry policy only after the whole round failed, gates asked before each hedge, and
//! determinism of the other streams.

use limiters::Nanos;
use sim::client::hedge::{HedgeConfig, HedgeDelay};
use sim::engine::{TraceEvent, TraceKind};
use sim::model::{Arrival, Backend, Distribution, Fault, FaultKind, Fleet, Scenario};
use sim::retry::{AttemptResult, ClientGate, GateCall, GateDecision, RetryPolicy, Strategy};
use sim::Simulation;

fn ms(n: u64) -> Nanos {
    Nanos::from_millis(n)
}

/// One client firing once at t = 0 (a cron job with a period longer than the run), a backend
/// with constant `service` time, no network delay, hedging after `delay`.
fn one_shot(service: Nanos, delay: Nanos, max_hedges: u32) -> Scenario {
    let mut s = Scenario::new("hedge");
    s.duration = Nanos::from_secs(10);
    s.server.backend = Backend {
        workers: None,
        queue: 0,
        queue_timeout: None,
        deadline: None,
        service_time: Distribution::Constant(service),
    };
    let mut f = Fleet::new(
        "c",
        1,
        Arrival::Cron {
            period: Nanos::from_secs(60),
            offset: Nanos::ZERO,
        },
    );
    f.hedge = Some(HedgeConfig::new(HedgeDelay::Fixed(delay), max_hedges));
    s.fleets.push(f);
    s
}

fn at(trace: &[TraceEvent], want: fn(&TraceKind) -> bool) -> Vec<Nanos> {
    trace
        .iter()
        .filter(|e| want(&e.kind))
        .map(|e| e.at)
        .collect()
}

fn is_hedge(k: &TraceKind) -> bool {
    matches!(k, TraceKind::Hedge { .. })
}

fn spike(start: Nanos, len: Nanos, extra: Nanos) -> Fault {
    Fault {
        start,
        duration: len,
        kind: FaultKind::LatencySpike {
            extra: Distribution::Constant(extra),
        },
    }
}

#[test]
fn a_hedge_is_sent_exactly_at_the_delay_when_nothing_answered() {
    let s = one_shot(ms(100), ms(30), 2);
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    // Copies at 0, 30 and 60 ms; the first answers at 100 ms and wins.
    assert_eq!(at(&trace, is_hedge), vec![ms(30), ms(60)]);
    let f = &r.fleets["c"];
    assert_eq!((f.hedges, f.hedge_wins, f.hedge_abandoned), (2, 0, 2));
    assert_eq!(f.attempts, 3);
    assert_eq!(f.retry_amplification, 3.0);
    assert_eq!(f.successes, 1);
    // The abandoned copies still ran on the server: wasted work.
    assert_eq!(f.wasted_attempts, 2);
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(100)]
    );
}

#[test]
fn no_hedge_when_the_response_came_first() {
    let s = one_shot(ms(29), ms(30), 1);
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    assert!(at(&trace, is_hedge).is_empty());
    let f = &r.fleets["c"];
    assert_eq!((f.hedges, f.attempts, f.wasted_attempts), (0, 1, 0));
    assert_eq!(f.retry_amplification, 1.0);
}

#[test]
fn the_first_response_wins_once_and_the_latency_is_the_minimum() {
    // The first copy starts inside a 1 s latency spike; the hedge at 30 ms does not.
    let mut s = one_shot(ms(10), ms(30), 1);
    s.faults
        .push(spike(Nanos::ZERO, ms(20), Nanos::from_secs(1)));
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    let f = &r.fleets["c"];
    assert_eq!((f.hedges, f.hedge_wins, f.hedge_abandoned), (1, 1, 1));
    let lat = f.latency.as_ref().unwrap();
    // HDR histogram: 3 significant digits.
    assert_eq!(lat.count, 1);
    assert!((lat.max_ms - 40.0).abs() < 0.05, "{}", lat.max_ms);
    // One success, although both copies were answered 200.
    assert_eq!((f.successes, f.logical_requests), (1, 1));
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(40)]
    );
    let responses = at(&trace, |k| matches!(k, TraceKind::Response { .. }));
    assert_eq!(
        responses,
        vec![ms(40)],
        "the late copy's response is discarded"
    );
    // The slow copy finished at 1.01 s after its client had moved on.
    assert_eq!(f.wasted_attempts, 1);
    assert!((f.wasted_work_s - 1.01).abs() < 1e-9);
}

#[test]
fn with_network_delay_each_copy_keeps_its_own_response() {
    // 5 ms each way, 100 ms service. Copy 1: server at 5 ms, 200 at 105 ms, client at 110 ms.
    // The hedge leaves at 102 ms and meets a 503 window at the server at 107 ms: its 503 is on
    // the wire while copy 1's 200 still is. The client must read copy 1's own 200 at 110 ms.
    let mut s = one_shot(ms(100), ms(102), 1);
    s.network.delay = Distribution::Constant(ms(5));
    s.faults.push(Fault {
        start: ms(106),
        duration: ms(2),
        kind: FaultKind::ErrorRate {
            status: 503,
            rate: 1.0,
        },
    });
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    let f = &r.fleets["c"];
    assert_eq!(at(&trace, is_hedge), vec![ms(102)]);
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(110)]
    );
    assert_eq!((f.successes, f.hedge_wins, f.hedge_abandoned), (1, 0, 1));
    assert_eq!(f.server_errors[&503], 1);

    // The other way round: copy 1 answers 503 (error window at 5 ms), a non-fatal status, so
    // the hedge leaves at once when it reaches the client at 10 ms, not at the 102 ms timer.
    let mut s = one_shot(ms(100), ms(102), 1);
    s.network.delay = Distribution::Constant(ms(5));
    s.faults.push(Fault {
        start: Nanos::ZERO,
        duration: ms(8),
        kind: FaultKind::ErrorRate {
            status: 503,
            rate: 1.0,
        },
    });
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    let f = &r.fleets["c"];
    assert_eq!(at(&trace, is_hedge), vec![ms(10)]);
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(120)]
    );
    assert_eq!((f.successes, f.hedge_wins, f.hedge_abandoned), (1, 1, 0));
}

#[test]
fn the_retry_policy_decides_only_after_every_copy_failed() {
    // Every attempt in the first 50 ms answers 503 at once; a fixed 1 s retry follows.
    let mut s = one_shot(ms(10), ms(30), 1);
    s.faults.push(Fault {
        start: Nanos::ZERO,
        duration: ms(50),
        kind: FaultKind::ErrorRate {
            status: 503,
            rate: 1.0,
        },
    });
    s.fleets[0].retry = RetryPolicy::new(
        Strategy::Fixed {
            delay: Nanos::from_secs(1),
        },
        2,
    );
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    let attempts = at(&trace, |k| matches!(k, TraceKind::Attempt { .. }));
    // The 503 of copy 1 sends the hedge at once; its 503 ends the round; then one retry.
    assert_eq!(at(&trace, is_hedge), vec![Nanos::ZERO]);
    assert_eq!(attempts, vec![Nanos::ZERO, Nanos::from_secs(1)]);
    let f = &r.fleets["c"];
    assert_eq!((f.retries, f.hedges, f.successes), (1, 1, 1));
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(1010)]
    );
}

#[test]
fn a_fatal_status_cancels_the_round() {
    // Copy 1 is slow (spike); the hedge meets a 400 window: fatal, the round ends at once
    // with that failure, and without retries the request gives up.
    let mut s = one_shot(ms(10), ms(30), 2);
    s.faults
        .push(spike(Nanos::ZERO, ms(20), Nanos::from_secs(1)));
    s.faults.push(Fault {
        start: ms(25),
        duration: ms(10),
        kind: FaultKind::ErrorRate {
            status: 400,
            rate: 1.0,
        },
    });
    let (r, trace) = Simulation::new(&s, 1).run_traced().unwrap();
    let f = &r.fleets["c"];
    assert_eq!((f.hedges, f.successes, f.give_ups_total), (1, 0, 1));
    assert_eq!(f.hedge_abandoned, 1, "copy 1 was cancelled");
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::GiveUp { .. })),
        vec![ms(30)]
    );
}

/// A gate that refuses every retry and hedge (a throttled gRPC channel).
#[derive(Debug, Default)]
struct NoRetries {
    asked: u32,
}

impl ClientGate for NoRetries {
    fn admit(&mut self, _now: Nanos, _client: u32, retry: bool) -> GateDecision {
        if retry {
            self.asked += 1;
            GateDecision::Deny
        } else {
            GateDecision::Allow
        }
    }
    fn observe(&mut self, _now: Nanos, _client: u32, _result: &AttemptResult) {}
    fn admit_call(&mut self, call: &GateCall, _rng: &mut dyn rand::RngCore) -> GateDecision {
        assert!(call.attempt >= 2 || !call.is_retry());
        self.admit(call.now, call.client, call.is_retry())
    }
}

#[test]
fn gates_are_asked_before_each_hedge_and_a_refusal_is_not_a_give_up() {
    let s = one_shot(ms(100), ms(30), 2);
    let (r, trace) = Simulation::new(&s, 1)
        .gate("c", Box::<NoRetries>::default())
        .run_traced()
        .unwrap();
    let f = &r.fleets["c"];
    assert_eq!((f.hedges, f.successes, f.give_ups_total), (0, 1, 0));
    assert_eq!(
        at(&trace, |k| matches!(k, TraceKind::Success { .. })),
        vec![ms(100)]
    );
}

fn busy(hedge: bool) -> Scenario {
    let mut s = Scenario::new("busy");
    s.duration = Nanos::from_secs(20);
    s.network.delay = Distribution::Exponential { mean: ms(2) };
    s.server.backend = Backend {
        workers: Some(64),
        queue: 1000,
        queue_timeout: None,
        deadline: None,
        service_time: Distribution::Bimodal {
            low: ms(5),
            high: ms(300),
            p_high: 0.05,
        },
    };
    for name in ["a", "b"] {
        let mut f = Fleet::new(
            name,
            20,
            Arrival::Poisson {
                rate: "10/s".parse().unwrap(),
            },
        );
        if hedge && name == "a" {
            f.hedge = Some(HedgeConfig::new(HedgeDelay::Fixed(ms(20)), 1));
        }
        s.fleets.push(f);
    }
    s
}

#[test]
fn hedging_leaves_arrivals_unchanged_and_runs_are_reproducible() {
    let plain = sim::run(&busy(false), 9).unwrap();
    let hedged = sim::run(&busy(true), 9).unwrap();
    let again = sim::run(&busy(true), 9).unwrap();
    assert_eq!(hedged, again);
    let demand = |r: &sim::RunResult| r.clients.iter().map(|c| c.demand).collect::<Vec<_>>();
    assert_eq!(demand(&plain), demand(&hedged));
    let a = &hedged.fleets["a"];
    assert!(a.hedges > 0 && a.hedge_wins > 0);
    assert_eq!(a.attempts, a.first_attempts + a.retries + a.hedges);
    assert!(a.successes <= a.logical_requests);
    assert_eq!(
        a.successes + a.give_ups_total + a.in_flight_at_end,
        a.logical_requests
    );
    assert_eq!(hedged.fleets["b"].hedges, 0);
}

#[test]
fn a_percentile_delay_waits_for_samples_then_hedges_the_tail() {
    let mut s = busy(false);
    s.fleets[0].hedge = Some(HedgeConfig::new(HedgeDelay::Percentile(90.0), 1));
    let r = sim::run(&s, 3).unwrap();
    let a = &r.fleets["a"];
    // p90 of a 5%-slow bimodal is the fast mode: the slow 5% (and a few fast) are hedged.
    let share = a.hedges as f64 / a.logical_requests as f64;
    assert!(share > 0.04 && share < 0.2, "hedged share {share}");
    let p99 = |n: &str| r.fleets[n].latency.as_ref().unwrap().p99_ms;
    assert!(p99("a") < p99("b") / 2.0, "{} vs {}", p99("a"), p99("b"));
}

#[test]
fn the_demo_scenario_cuts_p99_for_a_little_extra_load() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/hedging.toml");
    let mut s = sim::scenario::load_file(std::path::Path::new(path)).unwrap();
    s.duration = Nanos::from_secs(30);
    let r = sim::run(&s, s.seed).unwrap();
    let (h, p) = (&r.fleets["hedged"], &r.fleets["plain"]);
    let p99 = |f: &sim::metrics::Summary| f.latency.as_ref().unwrap().p99_ms;
    assert!(p99(h) < p99(p) / 2.0, "p99 {} vs {}", p99(h), p99(p));
    assert!(h.hedges > 0 && p.hedges == 0);
    assert!(h.retry_amplification > 1.01 && h.retry_amplification < 1.2);
    assert!((p.retry_amplification - 1.0).abs() < 1e-9);
}

#[test]
fn the_catalog_lists_hedging_with_its_scenario_keys_and_sources() {
    let h = sim::client::catalog::catalog()
        .iter()
        .find(|s| s.name == "hedging")
        .expect("hedging in the catalog");
    let names: Vec<&str> = h.params.iter().map(|p| p.name).collect();
    assert_eq!(names, ["delay", "max_hedges", "non_fatal"]);
    assert!(h.source.contains("Tail at Scale") && h.source.contains("gRFC A6"));
    // Every key listed is one a scenario file accepts.
    let text = "name = \"k\"\nduration = \"1m\"\n[fleet.web]\ncount = 1\narrival = { process = \"poisson\", rate = \"1/s\" }\n[fleet.web.hedge]\ndelay = \"p99\"\nmax_hedges = 4\nnon_fatal = [502, 503]\n";
    let s = sim::scenario::load_str("k.toml", text).unwrap();
    let c = s.fleets[0].hedge.unwrap();
    assert_eq!((c.delay, c.max_attempts), (HedgeDelay::Percentile(99.0), 5));
}
