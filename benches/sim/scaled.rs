//! The scaled cases of `benches/sim_throughput.rs` (issue #19): fleet-429 with `count` x
//! {1,000; 10,000; 100,000; 1,000,000} clients and the bucket's rate and burst scaled the same
//! way, the horizon divided so that every size processes about the same number of events
//! (10 M in the bench profile), each beside the bare `BinaryHeap` loop of the same size.
//!
//! Why: the event set's cost grows with the pending count (about one event per client), and
//! the client state falls out of the caches as the fleet grows; a case per size, against the
//! simplest correct loop of the same size in the same run, shows how events/s scale and what
//! the simulator's event set and bookkeeping add at each size.
//!
//! Sizes and events per case: `SIM_BENCH_SCALED_SIZES` (comma separated client counts) and
//! `SIM_BENCH_SCALED_EVENTS`; the debug profile (`cargo test --benches`) runs 1,000 to 100,000
//! clients at about 100,000 events each and says so.

use limiters::Nanos;
use sim::model::Scenario;

use crate::bare_loop::{bare_loop_scaled, BareCounts};

/// Fleet sizes of the scaled cases.
pub fn sizes() -> Vec<u32> {
    if let Ok(v) = std::env::var("SIM_BENCH_SCALED_SIZES") {
        return v
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("SIM_BENCH_SCALED_SIZES: client counts")
            })
            .collect();
    }
    if cfg!(debug_assertions) {
        println!("scaled: debug profile, 1,000 to 100,000 clients (1,000,000 with cargo bench)");
        vec![1_000, 10_000, 100_000]
    } else {
        vec![1_000, 10_000, 100_000, 1_000_000]
    }
}

/// Events each case aims at.
pub fn target_events() -> u64 {
    match std::env::var("SIM_BENCH_SCALED_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => n,
        None if cfg!(debug_assertions) => 100_000,
        None => 10_000_000,
    }
}

/// One scaled case: its scenario and its bare loop's parameters.
pub struct Case {
    /// Clients.
    pub clients: u32,
    /// The scenario (fleet-429 scaled).
    pub scenario: Scenario,
    /// The bucket's rate per second (= its burst).
    pub rate: u64,
    /// The horizon in nanoseconds.
    pub horizon: u64,
}

/// Events per simulated second per client of fleet-429 (arrivals at 1/s plus about 1.8
/// retries: 10.08 M events in 3,600 s with 1,000 clients).
const EVENTS_PER_CLIENT_SECOND: f64 = 2.8;

/// fleet-429 with `clients` clients, the bucket scaled with them, over a horizon of about
/// `events` events (at least 1 ms).
pub fn case(clients: u32, events: u64) -> Case {
    // Relative to this file, so `sim/examples/scaled.rs` can include it too.
    let text = include_str!("../../scenarios/fleet-429.toml");
    let k = u64::from(clients) / 1000;
    assert!(
        k >= 1 && u64::from(clients) % 1000 == 0,
        "sizes are multiples of 1,000"
    );
    let rate = 500 * k;
    let text = text
        .replace("count = 1000", &format!("count = {clients}"))
        .replace("rate = \"500/s\"", &format!("rate = \"{rate}/s\""))
        .replace("burst = 500\n", &format!("burst = {rate}\n"));
    let mut scenario =
        sim::scenario::load_str("fleet-429-scaled.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let secs = events as f64 / (EVENTS_PER_CLIENT_SECOND * f64::from(clients));
    let horizon = ((secs * 1e9) as u64).max(1_000_000);
    scenario.duration = Nanos(horizon);
    Case {
        clients,
        scenario,
        rate,
        horizon,
    }
}

/// One simulator run of `c`: (events, admitted).
pub fn run_sim(c: &Case) -> (u64, u64) {
    let r = sim::run(&c.scenario, super::SEED).unwrap_or_else(|e| panic!("scaled: {e}"));
    (r.events, r.summary.admitted)
}

/// One bare-loop run of `c`.
pub fn run_bare(c: &Case) -> BareCounts {
    bare_loop_scaled(c.clients, c.rate, c.horizon, super::SEED)
}

/// Check both subjects of `c` before timing them: the simulator's events are its arrivals
/// plus its retries; the two agree on events and admitted requests within noise; and when the
/// horizon passes the first seconds (offered load twice the rate uses the burst up in about a
/// second), the bucket is saturated in both: the admitted count is its burst plus its rate
/// over the horizon, within 0.1%. The events of each.
pub fn check(c: &Case) -> (u64, u64) {
    let r = sim::run(&c.scenario, super::SEED).unwrap_or_else(|e| panic!("scaled: {e}"));
    let s = &r.summary;
    assert_eq!(
        r.events,
        s.logical_requests + s.retries,
        "events = arrivals + retries"
    );
    let b = run_bare(c);
    let agree = |what: &str, sim: u64, bare: u64| {
        let rel = (sim as f64 / bare as f64 - 1.0).abs();
        let tol = (10.0 / (bare as f64).sqrt()).max(0.005);
        assert!(
            rel < tol,
            "{} clients: {what}: simulator {sim} vs bare {bare}",
            c.clients
        );
    };
    agree("events", r.events, b.events);
    agree("admitted", s.admitted, b.admitted);
    if c.horizon >= 5_000_000_000 {
        let expected = c.rate + (u128::from(c.rate) * u128::from(c.horizon) / 1_000_000_000) as u64;
        for (what, got) in [("simulator", s.admitted), ("bare loop", b.admitted)] {
            assert!(
                got.abs_diff(expected) as f64 <= 2.0 + expected as f64 * 1e-3,
                "{} clients: {what} admitted {got} of {expected}",
                c.clients
            );
        }
    }
    (r.events, b.events)
}
