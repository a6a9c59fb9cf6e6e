//! Faults on a timeline: outages answer their status exactly during their window, error-rate
//! windows fail the configured fraction, latency spikes add service time, capacity drops
//! shrink the worker pool; and recovery after the fault is measured.

use limiters::Nanos;
use sim::engine::TraceKind;
use sim::model::{Arrival, Backend, Distribution, Fault, FaultKind, Fleet, Scenario};
use sim::Simulation;

fn base(secs: u64) -> Scenario {
    let mut s = Scenario::new("faults");
    s.duration = Nanos::from_secs(secs);
    s.fleets.push(Fleet::new(
        "c",
        10,
        Arrival::Poisson {
            rate: "20/s".parse().unwrap(),
        },
    ));
    s
}

fn window(start: u64, len: u64, kind: FaultKind) -> Fault {
    Fault {
        start: Nanos::from_secs(start),
        duration: Nanos::from_secs(len),
        kind,
    }
}

#[test]
fn outage_gives_its_status_exactly_during_the_window() {
    let mut s = base(60);
    s.faults
        .push(window(20, 10, FaultKind::Outage { status: 502 }));
    let (r, trace) = Simulation::new(&s, 5).run_traced().unwrap();
    let (start, end) = (Nanos::from_secs(20), Nanos::from_secs(30));
    let mut inside = 0;
    for e in &trace {
        if let TraceKind::Response { status } = e.kind {
            let in_window = e.at >= start && e.at < end;
            assert_eq!(status == 502, in_window, "status {status} at {}", e.at);
            inside += u64::from(in_window);
        }
    }
    assert!(inside > 1500);
    assert_eq!(r.summary.server_errors[&502], inside);
    // No limiter, no retries: goodput returns at once after the outage.
    let rec = r.summary.recovery.as_ref().unwrap();
    assert!(rec.recovered);
    assert_eq!(rec.time_to_recover_s, Some(0.0));
}

#[test]
fn error_rate_window_fails_its_fraction_of_admitted_requests() {
    let mut s = base(200);
    s.faults.push(window(
        0,
        100,
        FaultKind::ErrorRate {
            status: 500,
            rate: 0.25,
        },
    ));
    let (r, trace) = Simulation::new(&s, 6).run_traced().unwrap();
    let (mut in_total, mut in_err, mut out_err) = (0u64, 0u64, 0u64);
    for e in &trace {
        if let TraceKind::Response { status } = e.kind {
            if e.at < Nanos::from_secs(100) {
                in_total += 1;
                in_err += u64::from(status == 500);
            } else {
                out_err += u64::from(status == 500);
            }
        }
    }
    assert_eq!(out_err, 0);
    assert!((in_err as f64 / in_total as f64 - 0.25).abs() < 0.01);
    // The limiters admitted them: errors are admitted attempts.
    assert_eq!(r.summary.admitted, r.summary.attempts);
}

#[test]
fn latency_spike_adds_service_time_only_in_its_window() {
    let mut s = base(40);
    s.server.backend.service_time = Distribution::Constant(Nanos::from_millis(5));
    s.faults.push(window(
        10,
        10,
        FaultKind::LatencySpike {
            extra: Distribution::Constant(Nanos::from_millis(200)),
        },
    ));
    let r = sim::run(&s, 7).unwrap();
    let lat = r.summary.latency.as_ref().unwrap();
    assert!((lat.p50_ms - 5.0).abs() < 0.1);
    assert!((lat.max_ms - 205.0).abs() < 0.5);
    // A quarter of the run was spiked.
    assert!(lat.p90_ms > 200.0 && lat.p50_ms < 10.0);
}

#[test]
fn capacity_drop_queues_requests_until_it_ends() {
    let mut s = base(60);
    // 200/s offered, 4 workers x 10 ms = 400/s normally; 1 worker (100/s) during the drop.
    s.server.backend = Backend {
        workers: Some(4),
        queue: 100_000,
        queue_timeout: None,
        deadline: None,
        service_time: Distribution::Constant(Nanos::from_millis(10)),
    };
    s.faults
        .push(window(20, 10, FaultKind::CapacityDrop { workers: 1 }));
    let r = sim::run(&s, 8).unwrap();
    let q = |t: usize| r.series.total[t].queue_len.unwrap();
    assert_eq!(q(10), 0);
    // About 100/s accumulate during the drop.
    assert!(q(29) > 700, "queue at 29 s: {}", q(29));
    // Four workers drain a backlog of ~1000 at 200/s net within ~5 s.
    assert_eq!(q(40), 0);
    let rec = r.summary.recovery.as_ref().unwrap();
    assert!(rec.recovered);
}
