//! The closed-loop replay's speed (issue #17): the fleet-429 scenario with its clients'
//! arrivals replayed from a trace (`Arrival::Trace`, what `replay --closed-loop` runs) beside
//! the same scenario drawing them (Poisson). The trace is the Poisson run's own arrivals, so
//! both runs must give the same figures (the retry jitter streams are the same: common random
//! numbers); the bench checks that before timing anything, and reports both in events/s.

use limiters::Nanos;
use sim::client::Trace;
use sim::engine::TraceKind;
use sim::model::{Arrival, Scenario};
use std::sync::Arc;

/// `s` with its one fleet's arrivals replaced by those of a run of `s` with `seed`.
pub fn traced(s: &Scenario, seed: u64) -> Scenario {
    let (_, steps) = sim::Simulation::new(s, seed)
        .run_traced()
        .unwrap_or_else(|e| panic!("fleet-429: {e}"));
    let mut times: Vec<Vec<Nanos>> = vec![Vec::new(); s.fleets[0].count as usize];
    for e in steps.iter().filter(|e| e.kind == TraceKind::Arrival) {
        times[e.client as usize].push(e.at);
    }
    let mut t = s.clone();
    t.fleets[0].arrival = Arrival::Trace(Arc::new(Trace::new(times)));
    t
}

/// Both give the same figures: (poisson events, trace events).
pub fn check(poisson: &Scenario, trace: &Scenario, seed: u64) -> (u64, u64) {
    let a = sim::run(poisson, seed).unwrap_or_else(|e| panic!("poisson: {e}"));
    let b = sim::run(trace, seed).unwrap_or_else(|e| panic!("trace: {e}"));
    assert_eq!(a.summary, b.summary, "a run replayed from its own arrivals");
    (a.events, b.events)
}

/// Interleaved runs of both; prints median events/s and the trace-to-Poisson ratio.
pub fn ratio_report(poisson: &Scenario, trace: &Scenario, seed: u64, rounds: usize) {
    let (mut p, mut t) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for (s, out) in [(poisson, &mut p), (trace, &mut t)] {
            let (r, wall, cpu) = super::timed(|| sim::run(std::hint::black_box(s), seed));
            let events = r.map_or(0, |r| r.events) as f64;
            out.push(events / cpu.unwrap_or(wall).as_secs_f64());
        }
    }
    let (p, t) = (super::median(p), super::median(t));
    println!("replay-trace (fleet-429, {rounds} interleaved rounds, medians, CPU time if known):");
    println!(
        "  poisson arrivals {p:.0} events/s, trace arrivals {t:.0} events/s, ratio {:.2}",
        t / p
    );
}
